"""Who may see and change which records: the one scoping helper every view goes through.

Scope is decided here, on the server, from the user's role assignments, never from a URL or
a form field:

- district staff (and superusers) read and change everything;
- supervisors read everything and change none of these records;
- an organisation admin reads and changes their organisations, the organisations below them
  (a town association's grassroots associations) and the people, seats, memberships and teams
  of those organisations;
- a leader reads their own person record, seats, teams and the organisations they belong to,
  and changes none of them here.

Single-object lookups answer 404 for objects outside the read scope, whether they exist or
not, and 403 for objects the user may read but not change.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

SCOPE_CACHE_ATTR = "_sanhui_scope"


@dataclass(frozen=True)
class Scope:
    read_all: bool = False
    write_all: bool = False
    admin_org_ids: frozenset[int] = field(default_factory=frozenset)
    # The organisations named in the user's assignments, without those below them.
    assigned_org_ids: frozenset[int] = field(default_factory=frozenset)
    person_ids: frozenset[int] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)

    # -- role questions used by templates and views

    @property
    def is_district_staff(self) -> bool:
        return self.write_all

    @property
    def is_supervisor(self) -> bool:
        return "supervisor" in self.roles

    @property
    def is_org_admin(self) -> bool:
        return bool(self.admin_org_ids)

    @property
    def is_leader(self) -> bool:
        return bool(self.person_ids)

    @property
    def can_manage_people(self) -> bool:
        return self.write_all or bool(self.admin_org_ids)

    # -- querysets

    def organizations(self, qs: models.QuerySet | None = None, *, write: bool = False):
        from .models import Membership, Organization, Seat, TeamMembership

        qs = Organization.objects.all() if qs is None else qs
        if self.write_all or (self.read_all and not write):
            return qs
        condition = Q(pk__in=self.admin_org_ids)
        if not write and self.person_ids:
            condition |= (
                Q(pk__in=Seat.objects.filter(person_id__in=self.person_ids).values("organization_id"))
                | Q(pk__in=Membership.objects.filter(person_id__in=self.person_ids).values("organization_id"))
                | Q(
                    pk__in=TeamMembership.objects.filter(person_id__in=self.person_ids).values(
                        "team__organization_id"
                    )
                )
            )
        return qs.filter(condition)

    def people(self, qs: models.QuerySet | None = None, *, write: bool = False):
        from .models import Membership, Person, Seat, TeamMembership, VolunteerTeam

        qs = Person.objects.all() if qs is None else qs
        if self.write_all or (self.read_all and not write):
            return qs
        orgs = self.admin_org_ids
        # One ``pk IN (… UNION …)`` of the id sets, not an OR of four subqueries: with the OR
        # the database guessed that most people matched and walked every person in name order,
        # filtering, to fill a page of a town's few hundred.
        parts = [
            Membership.objects.filter(organization_id__in=orgs).order_by().values("person_id"),
            Seat.objects.filter(organization_id__in=orgs).order_by().values("person_id"),
            TeamMembership.objects.filter(team__organization_id__in=orgs).order_by().values("person_id"),
            VolunteerTeam.objects.filter(organization_id__in=orgs, leader__isnull=False)
            .order_by()
            .values("leader_id"),
        ]
        if not write and self.person_ids:
            parts.append(Person.objects.filter(pk__in=self.person_ids).order_by().values("pk"))
        return qs.filter(pk__in=parts[0].union(*parts[1:]))

    def _administered_or_own(
        self, qs: models.QuerySet, write: bool, *, organization: str, person: str
    ) -> models.QuerySet:
        """Rows of the organisations the user administers, and (to read) the user's own rows."""
        if self.write_all or (self.read_all and not write):
            return qs
        condition = Q(**{f"{organization}__in": self.admin_org_ids})
        if not write and self.person_ids:
            condition |= Q(**{f"{person}__in": self.person_ids})
        return qs.filter(condition)

    def seats(self, qs: models.QuerySet | None = None, *, write: bool = False):
        from .models import Seat

        qs = Seat.objects.all() if qs is None else qs
        return self._administered_or_own(qs, write, organization="organization_id", person="person_id")

    def memberships(self, qs: models.QuerySet | None = None, *, write: bool = False):
        from .models import Membership

        qs = Membership.objects.all() if qs is None else qs
        return self._administered_or_own(qs, write, organization="organization_id", person="person_id")

    def teams(self, qs: models.QuerySet | None = None, *, write: bool = False):
        from .models import TeamMembership, VolunteerTeam

        qs = VolunteerTeam.objects.all() if qs is None else qs
        if self.write_all or (self.read_all and not write):
            return qs
        condition = Q(organization_id__in=self.admin_org_ids)
        if not write and self.person_ids:
            condition |= Q(leader_id__in=self.person_ids) | Q(
                pk__in=TeamMembership.objects.filter(person_id__in=self.person_ids).values("team_id")
            )
        return qs.filter(condition)

    def team_memberships(self, qs: models.QuerySet | None = None, *, write: bool = False):
        from .models import TeamMembership

        qs = TeamMembership.objects.all() if qs is None else qs
        return self._administered_or_own(qs, write, organization="team__organization_id", person="person_id")

    def leader_roles(self, qs: models.QuerySet | None = None, *, write: bool = False):
        from .models import LeaderRole

        qs = LeaderRole.objects.all() if qs is None else qs
        return qs.filter(person__in=self.people(write=write))

    def can_see_full_personal_data(self) -> bool:
        """Full phone and ID numbers are for those who manage the record, not for readers."""
        return self.write_all or bool(self.admin_org_ids)


def descendant_org_ids(root_ids: set[int]) -> set[int]:
    """The organisations below the given ones, following ``parent`` to any depth."""
    from .models import Organization

    found = set(root_ids)
    frontier = set(root_ids)
    while frontier:
        children = set(
            Organization.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=found)
            .values_list("pk", flat=True)
        )
        found |= children
        frontier = children
    return found


def build_scope(user) -> Scope:
    from .models import RoleAssignment

    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(read_all=True, write_all=True, roles=frozenset({"district_staff"}))
    roles: set[str] = set()
    org_ids: set[int] = set()
    person_ids: set[int] = set()
    for role, org_id, person_id in RoleAssignment.objects.filter(user=user).values_list(
        "role", "organization_id", "person_id"
    ):
        roles.add(role)
        if role == RoleAssignment.Role.ORG_ADMIN and org_id:
            org_ids.add(org_id)
        elif role == RoleAssignment.Role.LEADER and person_id:
            person_ids.add(person_id)
    write_all = RoleAssignment.Role.DISTRICT_STAFF in roles
    read_all = write_all or RoleAssignment.Role.SUPERVISOR in roles
    return Scope(
        read_all=read_all,
        write_all=write_all,
        admin_org_ids=frozenset(descendant_org_ids(org_ids)) if org_ids else frozenset(),
        assigned_org_ids=frozenset(org_ids),
        person_ids=frozenset(person_ids),
        roles=frozenset(roles),
    )


def scope_for(user) -> Scope:
    """The user's scope, computed once per request (cached on the user object)."""
    if user is None:
        return Scope()
    cached = getattr(user, SCOPE_CACHE_ATTR, None)
    if cached is None:
        cached = build_scope(user)
        # AnonymousUser instances may be shared and refuse attributes; skip caching then.
        with contextlib.suppress(AttributeError):
            setattr(user, SCOPE_CACHE_ATTR, cached)
    return cached


def forget_scope(user) -> None:
    """Drop the cached scope after the user's role assignments change."""
    if hasattr(user, SCOPE_CACHE_ATTR):
        delattr(user, SCOPE_CACHE_ATTR)


ScopeRule = Callable[[Scope, models.QuerySet, bool], models.QuerySet]

# One rule per model, keyed by "app_label.modelname". Apps that build on the organisations
# (services, outreach, rollout) register rules for their own models with ``register`` in their
# AppConfig.ready(), so that every list and lookup in the portal goes through ``scoped``.
_RULES: dict[str, ScopeRule] = {
    "organizations.organization": lambda scope, qs, write: scope.organizations(qs, write=write),
    "organizations.person": lambda scope, qs, write: scope.people(qs, write=write),
    "organizations.seat": lambda scope, qs, write: scope.seats(qs, write=write),
    "organizations.membership": lambda scope, qs, write: scope.memberships(qs, write=write),
    "organizations.volunteerteam": lambda scope, qs, write: scope.teams(qs, write=write),
    "organizations.teammembership": lambda scope, qs, write: scope.team_memberships(qs, write=write),
    "organizations.leaderrole": lambda scope, qs, write: scope.leader_roles(qs, write=write),
}


def register(model: type[models.Model], rule: ScopeRule) -> None:
    """Declare who may read and change ``model``: ``rule(scope, queryset, write)`` returns the
    part of ``queryset`` the scope may read (or change, when ``write`` is true)."""
    _RULES[model._meta.label_lower] = rule


def scoped(
    user, model: type[models.Model], *, write: bool = False, base: models.QuerySet | None = None
) -> models.QuerySet:
    """The queryset of ``model`` that ``user`` may read (or change, with ``write``).

    ``base`` narrows or decorates the starting queryset (``select_related`` and the like)."""
    try:
        rule = _RULES[model._meta.label_lower]
    except KeyError:
        raise ImproperlyConfigured(f"No scoping rule registered for {model._meta.label}") from None
    return rule(scope_for(user), model._default_manager.all() if base is None else base, write)


def get_for_user(
    user,
    model: type[models.Model],
    pk,
    *,
    write: bool = False,
    base: models.QuerySet | None = None,
):
    """One object for ``user``: 404 outside the read scope (missing or not theirs alike),
    403 when readable but not changeable and ``write`` is asked for."""
    try:
        obj = scoped(user, model, base=base).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if write and not scoped(user, model, write=True).filter(pk=obj.pk).exists():
        raise PermissionDenied
    return obj
