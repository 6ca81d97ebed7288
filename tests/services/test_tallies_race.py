"""Check-ins that race, on PostgreSQL (CI's database; skipped on SQLite, which serialises every
write): concurrent writers keep the ledger's summary tables exact. Writers at one activity queue
on its row (``FOR NO KEY UPDATE``); writers at other activities of the same month cell add to it
with additive upserts, which commute."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from organizations.models import Region
from organizations.reference import load_regions
from services import actions, tallies
from services.models import Activity, ActivityKind, LedgerMonth
from tests.needs import need_postgresql, race
from tests.services.factories import ActivityFactory

pytestmark = pytest.mark.django_db(transaction=True)

LECTURE = ActivityKind.POPULAR_LECTURE


@pytest.fixture(autouse=True)
def postgresql():
    need_postgresql("row locks and concurrent transactions need PostgreSQL: set DATABASE_URL=postgres://…")
    # Transactional tests end with a flush that also empties the reference regions.
    load_regions(Region)


def test_concurrent_check_ins_add_up(jiangshan):
    now = timezone.now()
    fields = {
        "organizer": jiangshan.association,
        "kind": LECTURE,
        "starts_at": now - datetime.timedelta(hours=1),
        "ends_at": now + datetime.timedelta(hours=1),
    }
    # Three lectures in one cell: writers of one activity queue on its row, writers of the others
    # add to the same cell at the same time.
    lectures = [ActivityFactory(**fields) for _ in range(3)]

    def check_in(index: int):
        activity = Activity.objects.get(pk=lectures[index % 3].pk)
        return actions.attendance_record(
            activity=activity, name=f"参加者{index}", phone=f"1390000{index:04d}", now=now
        )

    _results, errors = race(12, check_in)
    assert errors == []
    assert connection.vendor == "postgresql"
    month = timezone.localtime(fields["starts_at"]).date().replace(day=1)
    assert list(LedgerMonth.objects.values_list("month", "activities", "checkins")) == [(month, 3, 12)]
    assert not tallies.differences()


def test_a_change_of_category_while_people_check_in(jiangshan, district_user):
    from organizations import actions as organization_actions
    from organizations.models import Organization
    from services.models import LedgerCategoryMonth
    from tests.factories import OrganizationFactory

    Category = Organization.Category
    association = OrganizationFactory(
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
        category=Category.PRODUCTION,
        home_region=jiangshan.association.home_region,
        parent=jiangshan.association,
    )
    now = timezone.now()
    lectures = [
        ActivityFactory(
            organizer=association,
            kind=LECTURE,
            starts_at=now - datetime.timedelta(hours=1),
            ends_at=now + datetime.timedelta(hours=1),
        )
        for _ in range(2)
    ]

    def work(index: int):
        # One writer moves the association to another category while eleven check in.
        if index == 5:
            organization = Organization.objects.get(pk=association.pk)
            return organization_actions.organization_update(
                actor=district_user, organization=organization, data={"category": Category.ECOLOGY}
            )
        activity = Activity.objects.get(pk=lectures[index % 2].pk)
        return actions.attendance_record(
            activity=activity, name=f"参加者{index}", phone=f"1390000{index:04d}", now=now
        )

    _results, errors = race(12, work)
    assert errors == []
    month = timezone.localtime(now).date().replace(day=1)
    sums = LedgerCategoryMonth.objects.values_list("month", "category", "activities", "checkins")
    assert list(sums) == [(month, str(Category.ECOLOGY), 2, 11)]
    assert not tallies.differences()
