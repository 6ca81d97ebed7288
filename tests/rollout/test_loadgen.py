"""The scaled load data of ``seed_demo --scale``: the counts asked for, the same rows twice,
every rule of the models kept, scoping intact and the demo's logins still working.

Three towns at scale 0.1 (``rollout.loadgen.sizes``): a town gets max(60, ⌈358 × 0.1⌉) = 60
people, max(20, ⌈1429 × 0.1⌉) = 143 activities and ⌈35715 × 0.1⌉ = 3572 check-ins, and always
five regions (the town and four villages), fifteen organisations, fourteen served regions,
eight leader roles, three teams of twelve volunteers; 60 + 60/4 = 75 memberships.
"""

from __future__ import annotations

import io

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone

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
from organizations.validators import validate_mobile
from rollout.loadgen import CODE_SET, TABLES, generate
from sanhui.crypto import lookup_hash
from services.models import Activity, Attendance, VolunteerService, hours_served, stream_of
from tests.needs import need_postgresql

pytestmark = pytest.mark.django_db

PASSWORD = "x-demo-pass-1"
LOGINS = ("district", "jiangshan", "wuxiang", "leader", "supervisor")
EXPECTED = {
    Region: 15,
    Organization: 45,
    Person: 180,
    LeaderRole: 24,
    Membership: 225,
    VolunteerTeam: 9,
    TeamMembership: 108,
    Activity: 429,
    Attendance: 10_716,
}


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen():
    with time_machine.travel(timezone.now(), tick=False):
        yield


@pytest.fixture
def demo(frozen):
    need_postgresql("the scaled load data is generated in PostgreSQL only")
    build_demo(password=PASSWORD)


def _generate() -> None:
    generate(scale="0.1", towns=3, progress=lambda line: None)


def _counts() -> dict:
    return {model: model._default_manager.count() for model in EXPECTED}


def test_it_adds_exactly_the_rows_asked_for(demo):
    before = _counts()
    services_before = VolunteerService.objects.count()
    _generate()
    added = {model: count - before[model] for model, count in _counts().items()}
    assert added == EXPECTED
    took_place = Activity.objects.filter(source_key__startswith="loadgen:", status__in=Activity.TOOK_PLACE)
    assert VolunteerService.objects.count() - services_before == 3 * took_place.count()
    assert Region.objects.filter(code_set=CODE_SET, kind__in=Region.TOWNSHIP_KINDS).count() == 3
    # Each town's check-ins are exactly the 3572 it was given, however its activities fell.
    per_town = (
        Attendance.objects.filter(activity__source_key__startswith="loadgen:")
        .values("activity__region__path")
        .annotate(n=models.Count("pk"))
    )
    totals: dict[str, int] = {}
    for row in per_town:
        town = "/".join(row["activity__region__path"].split("/")[:3])
        totals[town] = totals.get(town, 0) + row["n"]
    assert sorted(totals.values()) == [3572, 3572, 3572]


CHECKSUMS = {
    "regions": """
        SELECT r.code, r.name, r.kind, p.code, r.in_scope
        FROM organizations_region r JOIN organizations_region p ON p.id = r.parent_id
        WHERE r.code_set = %s""",
    "organizations": """
        SELECT o.code, o.name, o.kind, o.category, o.status, o.founded_on, o.dissolved_on, p.code, r.code
        FROM organizations_organization o
        JOIN organizations_organization p ON p.id = o.parent_id
        JOIN organizations_region r ON r.id = o.home_region_id
        WHERE o.code LIKE 'LG-%%'""",
    "served": """
        SELECT o.code, r.code
        FROM organizations_organization_served_regions s
        JOIN organizations_organization o ON o.id = s.organization_id
        JOIN organizations_region r ON r.id = s.region_id
        WHERE o.code LIKE 'LG-%%'""",
    "people": """
        SELECT phone_hash, name, gender, birth_date, employer, title, profession, notes
        FROM organizations_person WHERE notes <> ''""",
    "leader_roles": """
        SELECT p.phone_hash, l.kind, l.institution, l.started_on, l.ended_on
        FROM organizations_leaderrole l JOIN organizations_person p ON p.id = l.person_id
        WHERE p.notes <> ''""",
    "memberships": """
        SELECT p.phone_hash, o.code, m.joined_on, m.left_on
        FROM organizations_membership m
        JOIN organizations_person p ON p.id = m.person_id
        JOIN organizations_organization o ON o.id = m.organization_id
        WHERE o.code LIKE 'LG-%%'""",
    "seats": """
        SELECT o.code, p.phone_hash, s.position, s.term_start, s.term_end
        FROM organizations_seat s
        JOIN organizations_person p ON p.id = s.person_id
        JOIN organizations_organization o ON o.id = s.organization_id
        WHERE o.code LIKE 'LG-%%'""",
    "teams": """
        SELECT o.code, t.name, t.founded_on, t.status, t.service_area, p.phone_hash
        FROM organizations_volunteerteam t
        JOIN organizations_organization o ON o.id = t.organization_id
        JOIN organizations_person p ON p.id = t.leader_id
        WHERE o.code LIKE 'LG-%%'""",
    "team_memberships": """
        SELECT o.code, t.name, p.phone_hash, m.joined_on
        FROM organizations_teammembership m
        JOIN organizations_volunteerteam t ON t.id = m.team_id
        JOIN organizations_organization o ON o.id = t.organization_id
        JOIN organizations_person p ON p.id = m.person_id
        WHERE o.code LIKE 'LG-%%'""",
    "activities": """
        SELECT a.source_key, a.title, a.stream, a.kind, a.venue_kind, a.venue, a.starts_at, a.ends_at,
               a.audiences, a.alignment_tags, a.planned_participants, a.reported_participants, a.status,
               a.status_changed_at, a.is_published, a.published_at, a.checkin_token, a.created_at,
               o.code, r.code
        FROM services_activity a
        JOIN organizations_organization o ON o.id = a.organizer_id
        JOIN organizations_region r ON r.id = a.region_id
        WHERE a.source_key LIKE 'loadgen:%%'""",
    "links": """
        SELECT a.source_key, 'leader', p.phone_hash
        FROM services_activity_leaders l
        JOIN services_activity a ON a.id = l.activity_id
        JOIN organizations_person p ON p.id = l.person_id
        WHERE a.source_key LIKE 'loadgen:%%'
        UNION ALL
        SELECT a.source_key, 'co', o.code
        FROM services_activity_co_organizers c
        JOIN services_activity a ON a.id = c.activity_id
        JOIN organizations_organization o ON o.id = c.organization_id
        WHERE a.source_key LIKE 'loadgen:%%'
        UNION ALL
        SELECT a.source_key, 'team', t.name
        FROM services_activity_teams x
        JOIN services_activity a ON a.id = x.activity_id
        JOIN organizations_volunteerteam t ON t.id = x.volunteerteam_id
        WHERE a.source_key LIKE 'loadgen:%%'""",
    "transitions": """
        SELECT a.source_key, t.from_status, t.to_status, t.note, t.created_at
        FROM services_activitytransition t JOIN services_activity a ON a.id = t.activity_id
        WHERE a.source_key LIKE 'loadgen:%%'""",
    "attendances": """
        SELECT a.source_key, x.phone_hash, x.name, x.checked_in_at
        FROM services_attendance x JOIN services_activity a ON a.id = x.activity_id
        WHERE a.source_key LIKE 'loadgen:%%'""",
    "services": """
        SELECT a.source_key, p.phone_hash, t.name, v.checked_in_at, v.checked_out_at, v.hours, v.source
        FROM services_volunteerservice v
        JOIN services_activity a ON a.id = v.activity_id
        JOIN organizations_person p ON p.id = v.person_id
        JOIN organizations_volunteerteam t ON t.id = v.team_id
        WHERE a.source_key LIKE 'loadgen:%%'""",
}


def _checksums() -> dict[str, tuple[int, str]]:
    """Per table, the number of generated rows and the MD5 of them all in order, by natural
    keys (primary keys come from sequences, which a rolled-back run still moves on) and by the
    phones' hashes (their Fernet tokens differ on every encryption)."""
    sums = {}
    with connection.cursor() as cursor:
        for name, query in CHECKSUMS.items():
            params = [CODE_SET] if name == "regions" else []
            digest = "md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), ''))"
            cursor.execute(f"SELECT count(*), {digest} FROM ({query}) x", params)  # noqa: S608
            sums[name] = cursor.fetchone()
    return sums


class _Undo(Exception):
    pass


def _generated_then_undone() -> dict[str, tuple[int, str]]:
    try:
        with transaction.atomic():
            _generate()
            sums = _checksums()
            raise _Undo
    except _Undo:
        pass
    return sums


def test_it_gives_the_same_rows_twice(demo):
    first = _generated_then_undone()
    assert Region.objects.filter(code_set=CODE_SET).count() == 0
    second = _generated_then_undone()
    assert first == second
    assert first["attendances"][0] == 10_716
    assert first["people"][0] == 180


def _foreign_key_orphans() -> list[str]:
    """Rows of the tables the generator writes whose foreign key points nowhere (the
    generator switches the foreign-key triggers off while it writes)."""
    orphans = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if model._meta.db_table not in TABLES:
                continue
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.ForeignKey):
                    continue
                target = field.related_model._meta
                table, column = quote(model._meta.db_table), quote(field.column)
                key = f"u.{quote(target.pk.column)} = t.{column}"
                cursor.execute(
                    f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL "  # noqa: S608
                    f"AND NOT EXISTS (SELECT 1 FROM {quote(target.db_table)} u WHERE {key})"
                )
                if cursor.fetchone()[0]:
                    orphans.append(f"{model._meta.db_table}.{field.column}")
    return orphans


def test_every_rule_of_the_models_holds(demo):
    _generate()
    assert _foreign_key_orphans() == []
    generated = {
        Region: Region.objects.filter(code_set=CODE_SET),
        Organization: Organization.objects.filter(code__startswith="LG-"),
        Person: Person.objects.exclude(notes=""),
        Activity: Activity.objects.filter(source_key__startswith="loadgen:"),
        Seat: Seat.objects.filter(organization__code__startswith="LG-"),
        Membership: Membership.objects.filter(organization__code__startswith="LG-"),
        VolunteerTeam: VolunteerTeam.objects.filter(organization__code__startswith="LG-"),
        LeaderRole: LeaderRole.objects.filter(person__notes__gt=""),
        Attendance: Attendance.objects.filter(activity__source_key__startswith="loadgen:"),
        VolunteerService: VolunteerService.objects.filter(activity__source_key__startswith="loadgen:"),
    }
    for queryset in generated.values():
        # Choices, lengths, validators and every constraint, as a form would check them.
        for row in queryset.order_by("pk")[:40]:
            row.full_clean()
    for region in generated[Region].select_related("parent"):
        assert region.path == f"{region.parent.path}{region.pk}/"
    for person in generated[Person][:50]:
        validate_mobile(person.phone)
        assert (
            lookup_hash(person.phone) == Person.objects.filter(pk=person.pk).values_list("phone_hash")[0][0]
        )
    now = timezone.now()
    for activity in generated[Activity]:
        assert activity.stream == stream_of(activity.kind)
        assert (activity.status == Activity.Status.PLANNED) == (activity.ends_at > now)
        if activity.status == Activity.Status.VERIFIED:
            assert activity.status_changed_at <= now
    assert not generated[Attendance].exclude(activity__status__in=Activity.TOOK_PLACE).exists()
    for service in generated[VolunteerService][:200]:
        assert service.hours == hours_served(service.checked_in_at, service.checked_out_at)
        assert TeamMembership.objects.filter(team=service.team, person=service.person).exists()


def test_a_generated_town_admin_sees_only_their_town(demo, client):
    _generate()
    town = Organization.objects.get(code="LG-00002-KX")
    user = get_user_model().objects.create_user("town2", password=PASSWORD)
    RoleAssignment.objects.create(user=user, role=RoleAssignment.Role.ORG_ADMIN, organization=town)
    own = set(
        Membership.objects.filter(organization__home_region=town.home_region).values_list(
            "person_id", flat=True
        )
    )
    assert len(own) == 60
    assert set(Person.objects.visible_to(user).values_list("pk", flat=True)) == own
    client.force_login(user)
    response = client.get(reverse("organizations:person_list"))
    assert response.status_code == 200
    listed = {person.pk for person in response.context["page"]}
    assert listed
    assert listed <= own
    other = Person.objects.filter(memberships__organization__code="LG-00001-KX").first()
    assert client.get(reverse("organizations:person_detail", args=[other.pk])).status_code == 404


def test_the_demo_logins_still_work(demo):
    _generate()
    for username in LOGINS:
        assert authenticate(username=username, password=PASSWORD) is not None, username


def test_the_command_refuses_a_second_run(demo):
    out = io.StringIO()
    call_command("seed_demo", "--password", PASSWORD, "--scale", "0.1", "--towns", "3", stdout=out)
    text = out.getvalue()
    assert "扩容数据已生成" in text
    assert "10716" in text
    with pytest.raises(CommandError, match="已生成过扩容数据"):
        call_command(
            "seed_demo", "--password", PASSWORD, "--scale", "0.1", "--towns", "3", stdout=io.StringIO()
        )


def test_the_command_refuses_sqlite_before_writing_anything(db, monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    monkeypatch.setattr(connection, "display_name", "SQLite")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command(
            "seed_demo", "--password", PASSWORD, "--scale", "0.1", "--towns", "3", stdout=io.StringIO()
        )
    assert not Organization.objects.exists()
