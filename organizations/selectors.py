"""Reads of organisations and people that views, commands and reports share."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from sanhui import normalize
from sanhui.aggregates import related_list
from sanhui.clock import today
from sanhui.collation import pinyin
from sanhui.crypto import lookup_hash

from .links import join_names
from .models import LeaderRole, Membership, Organization, Person, Seat, TeamMembership, VolunteerTeam
from .pagination import COUNT_LIMIT
from .scoping import scope_for, scoped
from .validators import MOBILE_RE, RESIDENT_ID_RE


def person_duplicate(*, field: str, value: str, exclude_pk: int | None = None) -> Person | None:
    """The person already registered anywhere in the district with this (normalised) phone or
    ID number, matched by its keyed hash (``field`` is "phone" or "id_number").

    Deliberately unscoped: duplicates must be caught across organisations. Callers decide
    what of the result the actor may be told."""
    qs = Person.objects.filter(**{f"{field}_hash": lookup_hash(value)}) if value else Person.objects.none()
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def person_matching(*, name: str, phone: str = "", id_number: str = "") -> Person | None:
    """The registered person with exactly this name and this (normalised) phone or ID number,
    if any."""
    identifiers = Q()
    if phone:
        identifiers |= Q(phone_hash=lookup_hash(phone))
    if id_number:
        identifiers |= Q(id_number_hash=lookup_hash(id_number))
    if not identifiers:
        return None
    return Person.objects.filter(identifiers, name=normalize.text(name)).first()


def person_number_condition(query: str) -> Q | None:
    """A search box's condition for people whose phone or ID number is exactly the one typed
    (in any of the forms ``sanhui.normalize`` accepts). The numbers are stored encrypted, so
    only a whole number is found, by its keyed hash; a part of one finds nothing."""
    phone, id_number = normalize.phone(query), normalize.id_number(query)
    if MOBILE_RE.fullmatch(phone):
        return Q(phone_hash=lookup_hash(phone))
    if RESIDENT_ID_RE.fullmatch(id_number):
        return Q(id_number_hash=lookup_hash(id_number))
    return None


def person_affiliation_names(person: Person, *, user) -> str:
    """The organisations (up to three) ``person`` currently belongs to that ``user`` may see:
    a duplicate-number message never names another town's memberships."""
    names = (
        Membership.objects.filter(
            person=person, left_on__isnull=True, organization__in=scoped(user, Organization).values("pk")
        )
        .values_list("organization__name", flat=True)
        .order_by(pinyin("organization__name"))
    )
    return join_names(names[:3])


def _open_leader_role_exists() -> Exists:
    return Exists(LeaderRole.objects.open_on().filter(person=OuterRef("pk")))


def people_list(*, user, leaders_only: bool = False) -> QuerySet[Person]:
    """People the user may see, with their open leader roles and current memberships
    prefetched so that a page of any size costs a fixed number of queries."""
    qs = scoped(user, Person).annotate(is_leader=_open_leader_role_exists())
    if leaders_only:
        qs = qs.filter(is_leader=True)
    visible_orgs = scoped(user, Organization)
    return qs.prefetch_related(
        Prefetch(
            "leader_roles",
            queryset=LeaderRole.objects.open_on(),
            to_attr="open_leader_roles",
        ),
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(left_on__isnull=True, organization__in=visible_orgs)
            .select_related("organization")
            .order_by(pinyin("organization__name")),
            to_attr="visible_memberships",
        ),
    )


def leader_total(*, user, filtered: bool) -> int | None:
    """The leaders list's bounded total for a reader of every person who has filtered nothing:
    the people with a leader role open today, counted on the roles' side (ten thousand rows at
    a province's size) instead of by probing every person. ``None`` otherwise: the list's own
    count, over the user's people and filters, is the total."""
    if filtered or not scope_for(user).read_all:
        return None
    people = LeaderRole.objects.open_on().order_by().values("person_id").distinct()
    return people[: COUNT_LIMIT + 1].count()


def people_export_rows(people: QuerySet[Person], *, user) -> QuerySet[Person]:
    """The people list's rows (``people_list``, filtered and sorted) as its export reads them:
    each person's open leader roles (``leader_kinds``) and the organisations they are a current
    member of among those the user may see (``organization_names``) come with the row, as
    lists aggregated in the database, instead of being loaded chunk by chunk. An export of any
    size is then one query, read in chunks, whose memory does not grow with the rows."""
    return people.prefetch_related(None).annotate(
        leader_kinds=related_list(LeaderRole.objects.open_on(), "person", "kind"),
        organization_names=related_list(
            Membership.objects.filter(left_on__isnull=True, organization__in=scoped(user, Organization)),
            "person",
            "organization__name",
        ),
    )


def seat_list(*, user) -> QuerySet[Seat]:
    holder_is_leader = Exists(LeaderRole.objects.open_on().filter(person=OuterRef("person_id")))
    return (
        scoped(user, Seat)
        .select_related("organization", "person")
        .annotate(holder_is_leader=holder_is_leader)
        .by_rank()
    )


def _open_team_memberships() -> Coalesce:
    """A team's current volunteers, counted for each row the page shows (a subquery the database
    evaluates after the page's LIMIT), not grouped over every team's memberships first."""
    rows = (
        TeamMembership.objects.filter(team=OuterRef("pk"), left_on__isnull=True)
        .order_by()
        .values("team")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def team_list(*, user) -> QuerySet[VolunteerTeam]:
    return (
        scoped(user, VolunteerTeam)
        .select_related("organization", "leader")
        .annotate(volunteer_count=_open_team_memberships())
        .order_by(pinyin("organization__name"), pinyin("name"))
    )


def organization_list(*, user) -> QuerySet[Organization]:
    """Organisations the user may see, with what a list row shows but its counts: those come
    for the rows of one page (``attach_organization_counts``), or as one subquery per row where
    the whole list needs them (``organization_count_columns``), never from joins of the whole
    table with its members, seats and teams."""
    return scoped(user, Organization).select_related("home_region", "parent")


# The counts a row of the organisation list shows: current members, current seats, teams.
ORGANIZATION_COUNTS = ("member_count", "seat_count", "team_count")


def _organization_count_rows(on: datetime.date) -> dict[str, QuerySet]:
    return {
        "member_count": Membership.objects.filter(left_on__isnull=True),
        "seat_count": Seat.objects.current(on),
        "team_count": VolunteerTeam.objects.all(),
    }


def organization_count_columns(names=ORGANIZATION_COUNTS, on: datetime.date | None = None) -> dict:
    """The counts named, as one correlated subquery each (an index lookup per row): for sorting
    the list by a count, and for its export, which reads every row anyway."""
    rows = _organization_count_rows(on or today())
    columns = {}
    for name in names:
        counted = (
            rows[name]
            .filter(organization_id=OuterRef("pk"))
            .order_by()
            .values("organization_id")
            .annotate(n=Count("*"))
            .values("n")
        )
        columns[name] = Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
    return columns


def attach_organization_counts(organizations, on: datetime.date | None = None) -> None:
    """Set the three counts on each of ``organizations`` (one page of the list), from one
    grouped query each over those organisations only."""
    ids = [organization.pk for organization in organizations]
    found = {}
    for name, rows in _organization_count_rows(on or today()).items():
        found[name] = (
            dict(
                rows.filter(organization_id__in=ids)
                .order_by()
                .values_list("organization_id")
                .annotate(n=Count("*"))
            )
            if ids
            else {}
        )
    for organization in organizations:
        for name in ORGANIZATION_COUNTS:
            setattr(organization, name, found[name].get(organization.pk, 0))


def organization_seat_summary(
    organization: Organization, on: datetime.date | None = None
) -> dict[str, int | float | None]:
    """Current seats, those held by 三长/泛三长, and the share, computed in the database."""
    seats = Seat.objects.filter(organization=organization).current(on)
    total = seats.count()
    led = seats.held_by_leaders(on).count()
    return {"total": total, "led": led, "share": (led / total) if total else None}


def person_detail_context(*, user, person: Person) -> dict:
    """Everything a person's page shows, limited to the organisations the viewer may see."""
    visible_orgs = scoped(user, Organization)
    return {
        "leader_roles": person.leader_roles.order_by("ended_on", "kind"),
        "open_roles": person.leader_roles.open_on(),
        "memberships": person.memberships.filter(organization__in=visible_orgs)
        .select_related("organization")
        .order_by("left_on", pinyin("organization__name")),
        "seats": person.seats.filter(organization__in=visible_orgs)
        .select_related("organization")
        .order_by("-term_start"),
        "team_memberships": TeamMembership.objects.filter(person=person, team__organization__in=visible_orgs)
        .select_related("team", "team__organization")
        .order_by("left_on", pinyin("team__name")),
        "led_teams": person.led_teams.filter(organization__in=visible_orgs).select_related("organization"),
    }
