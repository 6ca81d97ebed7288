"""The demo district of ``manage.py seed_demo``: complete, repeatable and safe to re-run."""

import datetime
import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db.models import Count, Q

from organizations.demo import build_demo
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
from organizations.validators import validate_mobile, validate_resident_id

pytestmark = pytest.mark.django_db

PASSWORD = "x-demo-pass-1"
PILOT_TOWNS = ("姜山镇", "五乡镇", "云龙镇", "下应街道")
LOGINS = ("district", "jiangshan", "wuxiang", "leader", "supervisor")
COUNTED = (
    Organization,
    Person,
    Seat,
    Membership,
    VolunteerTeam,
    TeamMembership,
    LeaderRole,
    RoleAssignment,
    get_user_model(),
)


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # The demo hashes its password on every run; the default hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed() -> None:
    # The organisations' part of the demo; the other apps test theirs, and the command test
    # below runs them all once.
    build_demo(password=PASSWORD)


@pytest.fixture
def output() -> None:
    seed()


def run_command() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in COUNTED}


def snapshot() -> dict[str, list[tuple]]:
    """The demo by natural keys only: primary keys differ between databases."""
    return {
        "organizations": sorted(
            Organization.objects.values_list(
                "code", "name", "kind", "category", "status", "founded_on", "credit_code", "parent__code"
            )
        ),
        "served": sorted(Organization.objects.values_list("code", "served_regions__name")),
        "partners": sorted(Organization.objects.values_list("code", "partners__code")),
        "people": sorted(
            Person.objects.values_list(
                "name", "phone", "id_number", "gender", "employer", "title", "profession"
            )
        ),
        "leaders": sorted(
            LeaderRole.objects.values_list("person__phone", "kind", "institution", "started_on")
        ),
        "seats": sorted(
            Seat.objects.values_list(
                "organization__code", "person__phone", "position", "term_start", "term_end"
            )
        ),
        "memberships": sorted(
            Membership.objects.values_list("organization__code", "person__phone", "joined_on")
        ),
        "teams": sorted(
            VolunteerTeam.objects.values_list("organization__code", "name", "leader__phone", "founded_on")
        ),
        "volunteers": sorted(TeamMembership.objects.values_list("team__name", "person__phone", "joined_on")),
        "roles": sorted(
            RoleAssignment.objects.values_list(
                "user__username", "role", "organization__code", "person__phone"
            )
        ),
    }


def wipe() -> None:
    # The apps built on the organisations keep protected references to them: empty them first
    # (by label, so that this app's tests import none of them).
    from django.apps import apps

    for label in ("rollout", "outreach", "services"):
        for model in reversed(list(apps.get_app_config(label).get_models())):
            model._default_manager.all().delete()
    for model in (TeamMembership, VolunteerTeam, Membership, Seat, LeaderRole, RoleAssignment):
        model._default_manager.all().delete()
    get_user_model()._default_manager.all().delete()
    Person.objects.all().delete()
    Organization.objects.update(parent=None)
    Organization.objects.all().delete()


def active_grassroots_categories(region: Region) -> set[str]:
    return set(
        Organization.objects.active()
        .filter(kind=Organization.Kind.GRASSROOTS_ASSOCIATION)
        .filter(Q(home_region=region) | Q(served_regions=region))
        .values_list("category", flat=True)
    )


def test_it_creates_nothing_twice(output):
    before = counts()
    assert before["Person"] > 300
    seed()
    assert counts() == before


def test_it_builds_the_same_demo_on_an_empty_database(output):
    first = snapshot()
    wipe()
    assert Person.objects.count() == 0
    seed()
    assert snapshot() == first


def test_every_town_has_one_active_town_association(output):
    towns = Region.objects.towns()
    assert towns.count() == 25
    for town in towns:
        associations = Organization.objects.filter(kind=Organization.Kind.TOWN_ASSOCIATION, home_region=town)
        assert associations.active().count() == 1, town.name
    jiangshan = Organization.objects.get(kind=Organization.Kind.TOWN_ASSOCIATION, home_region__name="姜山镇")
    assert jiangshan.name == "姜山镇科协"
    assert jiangshan.parent.code == "YZ-KX"


def test_the_19_societies_are_marked_as_demo(output):
    societies = Organization.objects.filter(kind=Organization.Kind.DISTRICT_SOCIETY)
    assert societies.count() == 19
    for society in societies:
        assert society.name.startswith("示例")
        assert society.is_demo


def test_grassroots_coverage_differs_between_towns(output):
    categories = set(Organization.Category.values)
    for name in PILOT_TOWNS:
        town = Region.objects.get(name=name)
        home = (
            Organization.objects.active()
            .filter(kind=Organization.Kind.GRASSROOTS_ASSOCIATION, home_region=town)
            .values_list("category", flat=True)
        )
        assert set(home) == categories, name
    coverage = [active_grassroots_categories(town) for town in Region.objects.towns()]
    assert set() in coverage
    assert any(0 < len(found) < 3 for found in coverage)
    assert Organization.objects.filter(
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION, status=Organization.Status.PREPARING
    ).exists()
    assert Organization.objects.filter(
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION, served_regions__isnull=False
    ).exists()
    assert Organization.objects.filter(
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION, partners__kind=Organization.Kind.DISTRICT_SOCIETY
    ).exists()
    for kind in ("enterprise_association", "university_association", "lecturer_group"):
        assert Organization.objects.filter(kind=kind).exists(), kind
    assert Organization.objects.filter(kind="popularization_base").count() == 2


def test_credit_codes_include_exactly_one_with_a_bad_check_character(output):
    with_codes = Organization.objects.exclude(credit_code="")
    warnings = [org for org in with_codes if org.credit_code_warning]
    assert len(warnings) == 1
    assert with_codes.count() > 3


def test_leaders_and_seats_vary(output):
    assert set(LeaderRole.objects.values_list("kind", flat=True)) == set(LeaderRole.Kind.values)
    current = Seat.objects.current()
    with_seats = set(current.values_list("organization_id", flat=True))
    with_leaders = set(current.held_by_leaders().values_list("organization_id", flat=True))
    assert with_seats - with_leaders, "some association should have no 三长 in its leadership"
    assert with_leaders
    assert Seat.objects.ending_within(90).exists()
    assert Seat.objects.exclude(pk__in=current).exists(), "earlier terms are kept as history"
    positions = set(current.values_list("position", flat=True))
    assert positions == set(Seat.Position.values)


def test_every_seat_holder_is_a_member(output):
    for seat in Seat.objects.select_related("person", "organization"):
        assert Membership.objects.filter(
            person=seat.person, organization=seat.organization, left_on__isnull=True
        ).exists(), seat


def test_teams_have_a_leader_and_five_to_twentyfive_volunteers(output):
    teams = VolunteerTeam.objects.annotate(size=Count("memberships"))
    assert teams.filter(organization__kind=Organization.Kind.TOWN_ASSOCIATION).count() == 25
    assert teams.filter(name="姜山镇健康义诊志愿服务队").exists()
    for team in teams:
        assert 5 <= team.size <= 25, team.name
        assert team.memberships.filter(person=team.leader).exists(), team.name


def test_personal_identifiers_are_valid_and_unique(output):
    phones = list(Person.objects.values_list("phone", flat=True))
    ids = list(Person.objects.exclude(id_number_hash="").values_list("id_number", flat=True))
    for phone in phones:
        validate_mobile(phone)
    for number in ids:
        validate_resident_id(number)
    assert len(set(phones)) == len(phones)
    assert len(set(ids)) == len(ids)
    assert len(phones) / 4 < len(ids) < len(phones) / 2


def test_the_five_logins_work_with_their_roles(output):
    for username in LOGINS:
        assert authenticate(username=username, password=PASSWORD) is not None, username

    def roles(username: str) -> list[tuple]:
        return list(
            RoleAssignment.objects.filter(user__username=username).values_list(
                "role", "organization__name", "person_id"
            )
        )

    assert roles("district") == [("district_staff", None, None)]
    assert roles("jiangshan") == [("org_admin", "姜山镇科协", None)]
    assert roles("wuxiang") == [("org_admin", "五乡镇科协", None)]
    assert roles("supervisor") == [("supervisor", None, None)]
    district = get_user_model().objects.get(username="district")
    assert district.is_staff
    assert not district.is_superuser

    (role, _org, person_id) = roles("leader")[0]
    assert role == "leader"
    leader = Person.objects.get(pk=person_id)
    assert leader.leader_roles.filter(
        kind=LeaderRole.Kind.HOSPITAL_DIRECTOR, institution="姜山镇卫生院"
    ).exists()
    assert Seat.objects.current().filter(person=leader, organization__name="姜山镇科协").exists()


def test_a_rerun_resets_the_passwords(output, settings):
    settings.DEMO_PASSWORD = "another-pass-2"
    build_demo(password=settings.DEMO_PASSWORD)
    assert authenticate(username="jiangshan", password="another-pass-2") is not None
    assert authenticate(username="jiangshan", password=PASSWORD) is None


def test_the_command_uses_demo_password_and_names_the_logins(settings):
    settings.DEMO_PASSWORD = PASSWORD
    output = run_command()
    assert authenticate(username="leader", password=PASSWORD) is not None
    assert "演示账号" in output
    assert "用户名" in output
    assert PASSWORD in output
    assert "http://127.0.0.1:8000/" in output
    for username in LOGINS:
        assert username in output


def test_years_later_the_terms_have_rolled_forward():
    later = datetime.date(2031, 7, 1)
    build_demo(password=PASSWORD, today=later)
    current = Seat.objects.current(on=later)
    assert current.held_by_leaders(on=later).exists()
    assert Seat.objects.ending_within(90, on=later).exists()
    assert current.filter(
        organization__name="姜山镇科协", person__role_assignments__user__username="leader"
    ).exists()
    assert set(current.values_list("position", flat=True)) == set(Seat.Position.values)
