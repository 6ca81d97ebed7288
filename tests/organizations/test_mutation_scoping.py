"""The scoping helper of ``organizations`` against a world where every path into the scope is
the only one for some record, so that each clause of each rule decides at least one answer.

On top of the 姜山镇 and 五乡镇 towns of tests/conftest.py, 姜山镇科协 has a grassroots
association 姜山农技协会 below it, which has a branch 姜山农技分会 below it (three levels), and
four people each tied to 姜山镇科协 in one way only:

    只有席位   a seat, nothing else
    只是会员   a membership, nothing else
    只是队员   a volunteer of 姜山二队 (a team of 姜山镇科协), nothing else
    只是队长   the leader of 姜山二队, nothing else

The leader 多路径 reaches four organisations, each in one way only: a seat in 甲会, a membership
of 乙会, a volunteer place in 丙会's team 丙队, and the leadership of 丁会's team 丁队.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404

from organizations.models import (
    AuditEntry,
    LeaderRole,
    Membership,
    Organization,
    Person,
    RoleAssignment,
    Seat,
    TeamMembership,
    VolunteerTeam,
)
from organizations.scoping import (
    Scope,
    build_scope,
    descendant_org_ids,
    forget_scope,
    get_for_user,
    scope_for,
    scoped,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


@dataclass
class World:
    grassroots: Organization
    branch: Organization
    seated: Person
    joined: Person
    volunteer: Person
    team_leader: Person
    second_team: VolunteerTeam
    multi: Person
    orgs: dict[str, Organization]
    teams: dict[str, VolunteerTeam]


@pytest.fixture
def world(jiangshan, wuxiang) -> World:
    js = jiangshan.association
    grassroots = f.OrganizationFactory(
        code="GA-JS",
        name="姜山农技协会",
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
        category="production",
        parent=js,
    )
    branch = f.OrganizationFactory(code="GA-JS-1", name="姜山农技分会", parent=grassroots)
    seated = f.PersonFactory(name="只有席位")
    f.SeatFactory(organization=js, person=seated)
    joined = f.PersonFactory(name="只是会员")
    f.MembershipFactory(organization=js, person=joined)
    volunteer = f.PersonFactory(name="只是队员")
    team_leader = f.PersonFactory(name="只是队长")
    second_team = f.VolunteerTeamFactory(organization=js, name="姜山二队", leader=team_leader)
    f.TeamMembershipFactory(team=second_team, person=volunteer)

    orgs = {
        name: f.OrganizationFactory(code=f"X-{name}", name=name) for name in ("甲会", "乙会", "丙会", "丁会")
    }
    multi = f.PersonFactory(name="多路径")
    f.SeatFactory(organization=orgs["甲会"], person=multi)
    f.MembershipFactory(organization=orgs["乙会"], person=multi)
    teams = {
        "丙队": f.VolunteerTeamFactory(organization=orgs["丙会"], name="丙队"),
        "丁队": f.VolunteerTeamFactory(organization=orgs["丁会"], name="丁队", leader=multi),
    }
    f.TeamMembershipFactory(team=teams["丙队"], person=multi)
    return World(grassroots, branch, seated, joined, volunteer, team_leader, second_team, multi, orgs, teams)


@pytest.fixture
def multi_user(world):
    user = f.UserFactory(username="multi")
    f.assign(user, RoleAssignment.Role.LEADER, person=world.multi)
    return user


def names(queryset) -> set[str]:
    return {str(name) for name in queryset.values_list("name", flat=True)}


def seat_holders(queryset) -> set[tuple[str, str]]:
    return set(queryset.values_list("organization__name", "person__name"))


ALL_ORGANIZATIONS = {
    "姜山镇科协",
    "五乡镇科协",
    "姜山农技协会",
    "姜山农技分会",
    "甲会",
    "乙会",
    "丙会",
    "丁会",
}
JIANGSHAN_PEOPLE = {"姜山会员", "姜山院长", "只有席位", "只是会员", "只是队员", "只是队长"}


# --------------------------------------------------------------------------- build_scope


def test_an_org_admin_scope_reaches_every_level_below_the_assigned_organisation(world, jiangshan_admin):
    js = world.branch.parent.parent
    assert build_scope(jiangshan_admin) == Scope(
        read_all=False,
        write_all=False,
        admin_org_ids=frozenset({js.pk, world.grassroots.pk, world.branch.pk}),
        assigned_org_ids=frozenset({js.pk}),
        person_ids=frozenset(),
        roles=frozenset({"org_admin"}),
    )


def test_each_role_gives_its_own_scope(world, jiangshan, district_user, supervisor_user, leader_user):
    assert build_scope(district_user) == Scope(
        read_all=True, write_all=True, roles=frozenset({"district_staff"})
    )
    assert build_scope(supervisor_user) == Scope(read_all=True, roles=frozenset({"supervisor"}))
    assert build_scope(leader_user) == Scope(
        person_ids=frozenset({jiangshan.leader.pk}), roles=frozenset({"leader"})
    )


def test_a_user_with_several_roles_holds_them_all(world, jiangshan, wuxiang):
    user = f.UserFactory(username="several")
    f.assign(user, RoleAssignment.Role.SUPERVISOR)
    f.assign(user, RoleAssignment.Role.ORG_ADMIN, organization=wuxiang.association)
    f.assign(user, RoleAssignment.Role.LEADER, person=world.multi)
    assert build_scope(user) == Scope(
        read_all=True,
        write_all=False,
        admin_org_ids=frozenset({wuxiang.association.pk}),
        assigned_org_ids=frozenset({wuxiang.association.pk}),
        person_ids=frozenset({world.multi.pk}),
        roles=frozenset({"supervisor", "org_admin", "leader"}),
    )


def test_a_superuser_is_district_staff_without_an_assignment(db):
    user = f.UserFactory(username="root", is_superuser=True)
    assert build_scope(user) == Scope(read_all=True, write_all=True, roles=frozenset({"district_staff"}))


def test_nobody_without_an_active_login_gets_a_scope(district_user):
    assert build_scope(None) == Scope()
    assert build_scope(AnonymousUser()) == Scope()
    district_user.is_active = False
    assert build_scope(district_user) == Scope()


def test_a_login_without_a_role_has_the_empty_scope(db):
    assert build_scope(f.UserFactory(username="nobody")) == Scope()


# --------------------------------------------------------------------------- descendants


def test_descendants_follow_the_parent_to_any_depth(world, jiangshan, wuxiang):
    js = jiangshan.association
    assert descendant_org_ids({js.pk}) == {js.pk, world.grassroots.pk, world.branch.pk}
    assert descendant_org_ids({world.grassroots.pk}) == {world.grassroots.pk, world.branch.pk}
    assert descendant_org_ids({js.pk, wuxiang.association.pk}) == {
        js.pk,
        wuxiang.association.pk,
        world.grassroots.pk,
        world.branch.pk,
    }
    assert descendant_org_ids(set()) == set()


def test_descendants_stop_at_a_loop_of_parents(db):
    first = f.OrganizationFactory(name="环一")
    second = f.OrganizationFactory(name="环二", parent=first)
    Organization.objects.filter(pk=first.pk).update(parent=second)
    assert descendant_org_ids({first.pk}) == {first.pk, second.pk}


# --------------------------------------------------------------------------- scope_for


def test_the_scope_is_computed_once_and_forgotten_on_request(world, jiangshan, wuxiang):
    user = f.UserFactory(username="later-admin")
    f.assign(user, RoleAssignment.Role.ORG_ADMIN, organization=wuxiang.association)
    first = scope_for(user)
    assert first.admin_org_ids == {wuxiang.association.pk}
    f.assign(user, RoleAssignment.Role.ORG_ADMIN, organization=jiangshan.association)
    assert scope_for(user) is first  # cached on the user for the rest of the request
    forget_scope(user)
    assert scope_for(user).assigned_org_ids == {wuxiang.association.pk, jiangshan.association.pk}
    forget_scope(user)
    forget_scope(user)  # nothing cached: nothing to drop, and no error


def test_scope_for_nobody(db):
    assert scope_for(None) == Scope()
    assert scope_for(AnonymousUser()) == Scope()


# --------------------------------------------------------------------------- organisations


def test_an_admin_reads_and_changes_the_assigned_organisation_and_those_below(world, jiangshan_admin):
    expected = {"姜山镇科协", "姜山农技协会", "姜山农技分会"}
    assert names(scoped(jiangshan_admin, Organization)) == expected
    assert names(scoped(jiangshan_admin, Organization, write=True)) == expected


def test_a_leader_reads_the_organisations_of_each_seat_membership_and_team_place(world, multi_user):
    # Leading 丁队 is not a tie to 丁会 for reading the organisation.
    assert names(scoped(multi_user, Organization)) == {"甲会", "乙会", "丙会"}
    assert names(scoped(multi_user, Organization, write=True)) == set()


def test_an_admin_who_is_also_a_leader_changes_only_the_administered(world, wuxiang):
    user = f.UserFactory(username="admin-and-leader")
    f.assign(user, RoleAssignment.Role.ORG_ADMIN, organization=wuxiang.association)
    f.assign(user, RoleAssignment.Role.LEADER, person=world.multi)
    assert names(scoped(user, Organization)) == {"五乡镇科协", "甲会", "乙会", "丙会"}
    assert names(scoped(user, Organization, write=True)) == {"五乡镇科协"}
    assert names(scoped(user, Person)) == {"五乡会员", "五乡院长", "多路径"}
    assert names(scoped(user, Person, write=True)) == {"五乡会员", "五乡院长"}
    assert seat_holders(scoped(user, Seat)) == {
        ("五乡镇科协", "五乡会员"),
        ("五乡镇科协", "五乡院长"),
        ("甲会", "多路径"),
    }
    assert seat_holders(scoped(user, Seat, write=True)) == {
        ("五乡镇科协", "五乡会员"),
        ("五乡镇科协", "五乡院长"),
    }
    assert names(scoped(user, VolunteerTeam)) == {"五乡镇科技志愿服务队", "丙队", "丁队"}
    assert names(scoped(user, VolunteerTeam, write=True)) == {"五乡镇科技志愿服务队"}


def test_a_supervisor_reads_everything_and_changes_nothing(world, supervisor_user):
    assert names(scoped(supervisor_user, Organization)) == ALL_ORGANIZATIONS
    assert names(scoped(supervisor_user, Organization, write=True)) == set()
    assert scoped(supervisor_user, Person).count() == Person.objects.count() == 9
    for model in (Person, Seat, Membership, VolunteerTeam, TeamMembership, LeaderRole):
        assert scoped(supervisor_user, model).count() == model.objects.count(), model
        assert not scoped(supervisor_user, model, write=True).exists(), model


def test_a_supervisor_who_administers_one_organisation_changes_that_one(world, wuxiang):
    user = f.UserFactory(username="supervising-admin")
    f.assign(user, RoleAssignment.Role.SUPERVISOR)
    f.assign(user, RoleAssignment.Role.ORG_ADMIN, organization=wuxiang.association)
    assert names(scoped(user, Organization)) == ALL_ORGANIZATIONS
    assert names(scoped(user, Organization, write=True)) == {"五乡镇科协"}
    assert names(scoped(user, Person, write=True)) == {"五乡会员", "五乡院长"}
    assert set(scoped(user, Seat, write=True).values_list("person__name", flat=True)) == {
        "五乡会员",
        "五乡院长",
    }
    assert names(scoped(user, VolunteerTeam, write=True)) == {"五乡镇科技志愿服务队"}


def test_district_staff_read_and_change_everything(world, district_user):
    for model in (Organization, Person, Seat, Membership, VolunteerTeam, TeamMembership, LeaderRole):
        assert scoped(district_user, model).count() == model.objects.count(), model
        assert scoped(district_user, model, write=True).count() == model.objects.count(), model


def test_a_login_without_a_role_sees_none_of_these_records(world):
    user = f.UserFactory(username="nobody")
    for model in (Organization, Person, Seat, Membership, VolunteerTeam, TeamMembership, LeaderRole):
        assert not scoped(user, model).exists(), model


# --------------------------------------------------------------------------- people


def test_an_admin_reads_and_changes_the_people_tied_to_the_organisation_in_any_way(world, jiangshan_admin):
    assert names(scoped(jiangshan_admin, Person)) == JIANGSHAN_PEOPLE
    assert names(scoped(jiangshan_admin, Person, write=True)) == JIANGSHAN_PEOPLE


def test_a_leader_reads_only_their_own_person_record(world, multi_user):
    assert names(scoped(multi_user, Person)) == {"多路径"}
    assert names(scoped(multi_user, Person, write=True)) == set()


# --------------------------------------------------------------------------- seats, memberships, teams


def test_an_admin_reads_and_changes_the_rows_of_the_organisation(world, jiangshan_admin):
    seats = {("姜山镇科协", "姜山会员"), ("姜山镇科协", "姜山院长"), ("姜山镇科协", "只有席位")}
    assert seat_holders(scoped(jiangshan_admin, Seat)) == seats
    assert seat_holders(scoped(jiangshan_admin, Seat, write=True)) == seats
    members = {("姜山镇科协", "姜山会员"), ("姜山镇科协", "姜山院长"), ("姜山镇科协", "只是会员")}
    assert seat_holders(scoped(jiangshan_admin, Membership)) == members
    assert seat_holders(scoped(jiangshan_admin, Membership, write=True)) == members
    teams = {"姜山镇科技志愿服务队", "姜山二队"}
    assert names(scoped(jiangshan_admin, VolunteerTeam)) == teams
    assert names(scoped(jiangshan_admin, VolunteerTeam, write=True)) == teams
    volunteers = {("姜山镇科技志愿服务队", "姜山会员"), ("姜山二队", "只是队员")}
    assert (
        set(scoped(jiangshan_admin, TeamMembership).values_list("team__name", "person__name")) == volunteers
    )
    assert (
        set(scoped(jiangshan_admin, TeamMembership, write=True).values_list("team__name", "person__name"))
        == volunteers
    )


def test_a_leader_reads_their_own_rows_and_changes_none(world, multi_user):
    assert seat_holders(scoped(multi_user, Seat)) == {("甲会", "多路径")}
    assert seat_holders(scoped(multi_user, Membership)) == {("乙会", "多路径")}
    # The team they volunteer in and the team they lead.
    assert names(scoped(multi_user, VolunteerTeam)) == {"丙队", "丁队"}
    assert set(scoped(multi_user, TeamMembership).values_list("team__name", flat=True)) == {"丙队"}
    for model in (Seat, Membership, VolunteerTeam, TeamMembership):
        assert not scoped(multi_user, model, write=True).exists(), model


def test_leader_roles_follow_the_people_in_scope(world, jiangshan, wuxiang, jiangshan_admin, leader_user):
    f.LeaderRoleFactory(person=world.seated, kind=LeaderRole.Kind.SCHOOL_PRINCIPAL)
    admin_roles = {("姜山院长", "hospital_director"), ("只有席位", "school_principal")}
    assert set(scoped(jiangshan_admin, LeaderRole).values_list("person__name", "kind")) == admin_roles
    assert (
        set(scoped(jiangshan_admin, LeaderRole, write=True).values_list("person__name", "kind"))
        == admin_roles
    )
    assert set(scoped(leader_user, LeaderRole).values_list("person__name", flat=True)) == {"姜山院长"}
    assert not scoped(leader_user, LeaderRole, write=True).exists()


# --------------------------------------------------------------------------- personal data


def test_full_personal_data_is_for_those_who_manage_the_record(
    world, district_user, jiangshan_admin, supervisor_user, leader_user
):
    assert scope_for(district_user).can_see_full_personal_data()
    assert scope_for(jiangshan_admin).can_see_full_personal_data()
    assert not scope_for(supervisor_user).can_see_full_personal_data()
    assert not scope_for(leader_user).can_see_full_personal_data()
    assert not Scope().can_see_full_personal_data()


# --------------------------------------------------------------------------- scoped and get_for_user


def test_scoped_narrows_the_given_base_queryset(world, jiangshan_admin):
    base = Person.objects.filter(name__startswith="只")
    assert names(scoped(jiangshan_admin, Person, base=base)) == {
        "只有席位",
        "只是会员",
        "只是队员",
        "只是队长",
    }
    assert names(scoped(jiangshan_admin, Person, write=True, base=base.filter(name="只是会员"))) == {
        "只是会员"
    }


def test_scoped_refuses_a_model_without_a_rule(db, district_user):
    with pytest.raises(
        ImproperlyConfigured, match=r"^No scoping rule registered for organizations\.AuditEntry$"
    ):
        scoped(district_user, AuditEntry)


def test_get_for_user_gives_the_object_in_scope(world, jiangshan_admin, supervisor_user):
    assert get_for_user(jiangshan_admin, Person, world.joined.pk) == world.joined
    assert get_for_user(jiangshan_admin, Person, str(world.joined.pk), write=True) == world.joined
    assert get_for_user(supervisor_user, Person, world.multi.pk) == world.multi


def test_get_for_user_answers_404_for_missing_foreign_and_malformed_keys(world, jiangshan_admin, wuxiang):
    for pk in (wuxiang.member.pk, 999999, "abc", None, [1]):
        with pytest.raises(Http404):
            get_for_user(jiangshan_admin, Person, pk)
        with pytest.raises(Http404):
            get_for_user(jiangshan_admin, Person, pk, write=True)


def test_get_for_user_looks_in_the_base_queryset(world, jiangshan_admin):
    base = Person.objects.exclude(name="只是会员")
    with pytest.raises(Http404):
        get_for_user(jiangshan_admin, Person, world.joined.pk, base=base)
    assert get_for_user(jiangshan_admin, Person, world.seated.pk, base=base) == world.seated


def test_get_for_user_answers_403_to_a_reader_asking_to_change(world, supervisor_user, multi_user):
    with pytest.raises(PermissionDenied):
        get_for_user(supervisor_user, Person, world.joined.pk, write=True)
    with pytest.raises(PermissionDenied):
        get_for_user(multi_user, Seat, Seat.objects.get(person=world.multi).pk, write=True)
    assert get_for_user(multi_user, Seat, Seat.objects.get(person=world.multi).pk).organization.name == "甲会"


# --------------------------------------------------------------------------- the Scope methods themselves


def volunteers(queryset) -> set[tuple[str, str]]:
    return set(queryset.values_list("team__name", "person__name"))


def test_the_scope_methods_read_every_row_of_their_model_by_default(world, jiangshan_admin, multi_user):
    admin = scope_for(jiangshan_admin)
    assert names(admin.organizations()) == {"姜山镇科协", "姜山农技协会", "姜山农技分会"}
    assert names(admin.people()) == JIANGSHAN_PEOPLE
    assert seat_holders(admin.seats()) == {
        ("姜山镇科协", "姜山会员"),
        ("姜山镇科协", "姜山院长"),
        ("姜山镇科协", "只有席位"),
    }
    assert seat_holders(admin.memberships()) == {
        ("姜山镇科协", "姜山会员"),
        ("姜山镇科协", "姜山院长"),
        ("姜山镇科协", "只是会员"),
    }
    assert names(admin.teams()) == {"姜山镇科技志愿服务队", "姜山二队"}
    assert volunteers(admin.team_memberships()) == {
        ("姜山镇科技志愿服务队", "姜山会员"),
        ("姜山二队", "只是队员"),
    }
    assert set(admin.leader_roles().values_list("person__name", flat=True)) == {"姜山院长"}

    # A leader reads their own rows and changes none: the default is to read.
    leader = scope_for(multi_user)
    f.LeaderRoleFactory(person=world.multi)
    assert names(leader.organizations()) == {"甲会", "乙会", "丙会"}
    assert names(leader.people()) == {"多路径"}
    assert seat_holders(leader.seats()) == {("甲会", "多路径")}
    assert seat_holders(leader.memberships()) == {("乙会", "多路径")}
    assert names(leader.teams()) == {"丙队", "丁队"}
    assert volunteers(leader.team_memberships()) == {("丙队", "多路径")}
    assert set(leader.leader_roles().values_list("person__name", flat=True)) == {"多路径"}


@pytest.mark.parametrize("persona", ["jiangshan_admin", "district_user"])
def test_the_scope_methods_narrow_the_queryset_they_are_given(world, persona, request):
    scope = scope_for(request.getfixturevalue(persona))
    only = "只有席位"
    assert names(scope.organizations(Organization.objects.filter(name="姜山农技分会"))) == {"姜山农技分会"}
    assert names(scope.people(Person.objects.filter(name=only))) == {only}
    assert seat_holders(scope.seats(Seat.objects.filter(person__name=only))) == {("姜山镇科协", only)}
    assert seat_holders(scope.memberships(Membership.objects.filter(person__name="只是会员"))) == {
        ("姜山镇科协", "只是会员")
    }
    assert names(scope.teams(VolunteerTeam.objects.filter(name="姜山二队"))) == {"姜山二队"}
    assert volunteers(scope.team_memberships(TeamMembership.objects.filter(person__name="只是队员"))) == {
        ("姜山二队", "只是队员")
    }
    assert set(
        scope.leader_roles(LeaderRole.objects.filter(person__name="姜山院长")).values_list(
            "person__name", flat=True
        )
    ) == {"姜山院长"}
