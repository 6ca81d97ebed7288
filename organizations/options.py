"""Option sources of the searching choice widgets (``organizations.widgets``).

A choice field that names organisations, regions or people from a set that grows with the
district does not list that set in the page: it shows the current choice and a search box, and
the search endpoints (``organization_options``, ``region_options``, ``person_options``) answer
with at most ``MAX_OPTIONS`` matches. Each such field names a source registered here; the form
sets the field's queryset from the same source function the endpoint answers from, so that a
search offers exactly what the form accepts and what the user's scope allows. Apps register
their own sources beside their forms (``services.forms``: the organisers a user may log for).

A source is a function of the user and the widget's parameters (the endpoint's query string),
never of anything else the request says: the scope comes from the user's assignments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db.models import Model, Q, QuerySet

from sanhui import normalize
from sanhui.collation import pinyin

from .models import LeaderRole, Organization, Person, Region, VolunteerTeam
from .scoping import scoped
from .selectors import person_number_condition

# The most matches one search answers with; the list says when there were more.
MAX_OPTIONS = 50

ORGANIZATION, REGION, PERSON, TEAM = "organization", "region", "person", "team"
ENDPOINTS = {
    ORGANIZATION: "organizations:organization_options",
    REGION: "organizations:region_options",
    PERSON: "organizations:person_options",
    TEAM: "organizations:team_options",
}


def organization_search(query: str) -> Q:
    return Q(name__icontains=query) | Q(code__icontains=query)


def region_search(query: str) -> Q:
    return Q(name__icontains=query) | Q(name_en__icontains=query) | Q(code__icontains=query)


def person_search(query: str) -> Q:
    condition = Q(name__icontains=query) | Q(employer__icontains=query)
    number = person_number_condition(query)
    return condition | number if number is not None else condition


def team_search(query: str) -> Q:
    return Q(name__icontains=query) | Q(organization__name__icontains=query)


def person_label(person: Person) -> str:
    # Two people may share a name; the employer tells them apart without exposing numbers.
    return f"{person.name} · {person.employer}" if person.employer else person.name


def team_label(team: VolunteerTeam) -> str:
    return f"{team.name}（{team.organization.name}）"


SEARCHES: dict[str, Callable[[str], Q]] = {
    ORGANIZATION: organization_search,
    REGION: region_search,
    PERSON: person_search,
    TEAM: team_search,
}


@dataclass(frozen=True)
class OptionSource:
    """What one kind of choice field may offer: ``choices(user, params)`` is the queryset the
    form validates against and the endpoint searches in."""

    kind: str
    name: str
    choices: Callable[[object, Mapping[str, str]], QuerySet]
    label: Callable[[Model], str] = str
    # Widget parameters the endpoint passes on to ``choices`` (e.g. the inspection whose
    # organisations a rectification item may name).
    params: tuple[str, ...] = field(default=())

    def queryset(self, user, **params: object) -> QuerySet:
        return self.choices(user, {key: str(value) for key, value in params.items()})


_SOURCES: dict[tuple[str, str], OptionSource] = {}


def register(source: OptionSource) -> OptionSource:
    """Adds ``source`` to those the endpoints answer for; registering a name twice is an error,
    so that two fields cannot silently share a name with different rules."""
    key = (source.kind, source.name)
    existing = _SOURCES.get(key)
    if existing is not None and existing is not source:
        raise ValueError(f"option source {key} is already registered")
    _SOURCES[key] = source
    return source


def source_for(kind: str, name: str) -> OptionSource | None:
    return _SOURCES.get((kind, name))


def search(source: OptionSource, *, user, query: str, params: Mapping[str, str]) -> tuple[list, bool]:
    """The first ``MAX_OPTIONS`` records of ``source`` the user may choose that match ``query``
    (in pinyin order), and whether there were more."""
    # PostgreSQL refuses a NUL character in a query, and no name or code holds one.
    query = normalize.text(query.replace("\x00", "")).strip()
    records = source.choices(user, {name: params.get(name, "") for name in source.params})
    if query:
        records = records.filter(SEARCHES[source.kind](query))
    found = list(records.order_by(pinyin("name"), "pk")[: MAX_OPTIONS + 1])
    return found[:MAX_OPTIONS], len(found) > MAX_OPTIONS


# --------------------------------------------------------------------------- organisations


def visible_organizations(user, params=None) -> QuerySet[Organization]:
    """Organisations the user may see: list filters, showcase and incentive records."""
    return scoped(user, Organization)


def open_organizations(user, params=None) -> QuerySet[Organization]:
    """Organisations the user may see that are not dissolved: the one an inspection visits."""
    return scoped(user, Organization).exclude(status=Organization.Status.DISSOLVED)


def managed_organizations(user, params=None) -> QuerySet[Organization]:
    """Organisations the user may change: seats, teams, memberships, campaigns."""
    return scoped(user, Organization, write=True)


def managed_open_organizations(user, params=None) -> QuerySet[Organization]:
    """Organisations the user may change that are not dissolved: registering people, rollout
    tasks and pilots."""
    return scoped(user, Organization, write=True).exclude(status=Organization.Status.DISSOLVED)


def active_organizations(user, params=None) -> QuerySet[Organization]:
    """Any active organisation of the district: an activity may be co-organised with, and an
    organisation partnered with, organisations outside the user's own (a society with a town)."""
    return Organization.objects.active()


def partner_organizations(user, params=None) -> QuerySet[Organization]:
    """Any organisation of the district, as the organisation form has always offered."""
    return Organization.objects.all()


VISIBLE_ORGANIZATIONS = register(OptionSource(ORGANIZATION, "visible", visible_organizations))
OPEN_ORGANIZATIONS = register(OptionSource(ORGANIZATION, "open", open_organizations))
MANAGED_ORGANIZATIONS = register(OptionSource(ORGANIZATION, "managed", managed_organizations))
MANAGED_OPEN_ORGANIZATIONS = register(OptionSource(ORGANIZATION, "managed_open", managed_open_organizations))
ACTIVE_ORGANIZATIONS = register(OptionSource(ORGANIZATION, "active", active_organizations))
PARTNER_ORGANIZATIONS = register(OptionSource(ORGANIZATION, "partners", partner_organizations))


# --------------------------------------------------------------------------- regions


def all_regions(user, params=None) -> QuerySet[Region]:
    """Regions are the district's reference data: everyone may name any of them."""
    return Region.objects.all()


REGIONS = register(OptionSource(REGION, "all", all_regions))


# --------------------------------------------------------------------------- people


def visible_people(user, params=None) -> QuerySet[Person]:
    return scoped(user, Person)


def leader_people(user, params=None) -> QuerySet[Person]:
    """People the user may see who hold, or held, a 三长/泛三长 role."""
    return scoped(user, Person).filter(pk__in=LeaderRole.objects.values("person_id"))


PEOPLE = register(OptionSource(PERSON, "people", visible_people, label=person_label))
LEADERS = register(OptionSource(PERSON, "leaders", leader_people, label=person_label))


# --------------------------------------------------------------------------- volunteer teams


def active_teams(user, params=None) -> QuerySet[VolunteerTeam]:
    """Active volunteer teams the user may see: those an activity may name."""
    return (
        scoped(user, VolunteerTeam).filter(status=VolunteerTeam.Status.ACTIVE).select_related("organization")
    )


ACTIVE_TEAMS = register(OptionSource(TEAM, "active", active_teams, label=team_label))
