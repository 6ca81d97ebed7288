"""factory_boy factories for the portal's models."""

import datetime

import factory
from django.contrib.auth import get_user_model

from organizations.models import (
    LeaderRole,
    Membership,
    Organization,
    Person,
    Region,
    RoleAssignment,
    Seat,
    TeamMembership,
    VolunteerTeam,
)
from organizations.validators import resident_id_check_char


def region(name: str) -> Region:
    """Regions are reference data loaded by migration; tests look them up by name."""
    return Region.objects.get(name=name)


def valid_resident_id(serial: int, birth: str = "19800101", region_code: str = "330212") -> str:
    first17 = f"{region_code}{birth}{serial % 1000:03d}"
    return first17 + resident_id_check_char(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"ORG-{n}")
    name = factory.Sequence(lambda n: f"测试组织{n}")
    kind = Organization.Kind.DISTRICT_SOCIETY
    category = ""
    home_region = factory.LazyFunction(lambda: region("鄞州区"))
    status = Organization.Status.ACTIVE
    founded_on = None
    # A dissolved organisation carries the day it was dissolved: 2020-01-01, or the day after
    # its founding if it was founded later.
    dissolved_on = factory.LazyAttribute(
        lambda o: (
            max(datetime.date(2020, 1, 1), (o.founded_on or datetime.date.min) + datetime.timedelta(days=1))
            if o.status == Organization.Status.DISSOLVED
            else None
        )
    )


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试人员{n}")
    gender = Person.Gender.FEMALE
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    employer = "测试单位"
    profession = Person.Profession.OTHER


class LeaderRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeaderRole

    person = factory.SubFactory(PersonFactory)
    kind = LeaderRole.Kind.HOSPITAL_DIRECTOR
    institution = "卫生院"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    organization = factory.SubFactory(OrganizationFactory)
    joined_on = datetime.date(2022, 3, 1)


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    organization = factory.SubFactory(OrganizationFactory)
    person = factory.SubFactory(PersonFactory)
    position = Seat.Position.MEMBER
    term_start = datetime.date(2022, 1, 1)
    term_end = datetime.date(2099, 12, 31)


class VolunteerTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerTeam

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"测试志愿服务队{n}")


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(VolunteerTeamFactory)
    person = factory.SubFactory(PersonFactory)
    joined_on = datetime.date(2022, 5, 1)


def assign(user, role: str, *, organization=None, person=None) -> RoleAssignment:
    return RoleAssignment.objects.create(user=user, role=role, organization=organization, person=person)


def person_form_data(organization, **overrides) -> dict:
    """What an admin types into 登记人员 for a new member of ``organization``."""
    data = {
        "organization": organization.pk,
        "name": "王小明",
        "gender": "male",
        "phone": "13912345678",
        "id_number": "",
        "employer": "姜山镇中心小学",
        "title": "教师",
        "profession": "teacher",
        "email": "",
        "notes": "",
        "joined_on": "2024-03-01",
        "leader_kind": "",
        "leader_institution": "",
    }
    return data | overrides
