"""Reads of the dashboards and reports from the read replica (sanhui/db.py).

The test settings carry an alias "replica" that reads the test database itself (a test mirror
of default, tests/conftest.py); ``replica_on`` turns routing to it on, as DATABASE_REPLICA_URL
does in production. The tests commit their rows (``transaction=True``), so that the replica's
connection sees them, and capture the queries of each connection.
"""

import io
import zipfile

import pytest
from django.core.cache import cache
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations import actions as org_actions
from organizations.models import Membership, Region, RoleAssignment
from organizations.reference import load_regions
from rollout.indicators import coverage, standing
from rollout.models import Phase, ReportRun, Stage, TownStandingChange
from rollout.reference import load_plan
from rollout.reports import actions as report_actions
from sanhui.clock import today
from sanhui.db import reading_replica
from services.models import LedgerTownChange
from tests.district import build_district

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(autouse=True)
def _regions(transactional_db):
    # Transactional tests end with a flush that also empties the reference regions.
    load_regions(Region)
    load_plan(Phase, Stage)


@pytest.fixture
def replica_on(settings):
    settings.SANHUI_REPLICA_DATABASE = "replica"


@pytest.fixture
def district(replica_on):
    built = build_district()
    # The towns' coverage spans up to date, as once their rebuild has run: the readings below are
    # the dashboards' and reports' own (test_a_reading_of_stale_spans… reads them out of date).
    standing.rebuild()
    return built


class Captured:
    """The queries of the primary and of the replica while the block runs."""

    def __enter__(self):
        self._primary = CaptureQueriesContext(connections["default"])
        self._replica = CaptureQueriesContext(connections["replica"])
        self.primary = self._primary.__enter__()
        self.replica = self._replica.__enter__()
        return self

    def __exit__(self, *exc):
        self._replica.__exit__(*exc)
        self._primary.__exit__(*exc)


def sql(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries]


def touching(captured, table: str) -> list[str]:
    return [text for text in sql(captured) if f'"{table}"' in text]


def read_on_the_replica_only(db: Captured, *tables: str) -> None:
    for table in tables:
        assert touching(db.replica, table), table
        assert not touching(db.primary, table), table


def district_data(client, district) -> Captured:
    """The district dashboard's data for 2022Q4 as district staff: 25 towns, 1 covered, counted
    by hand in tests/district.py."""
    client.force_login(district.district_staff)
    with Captured() as db:
        response = client.get(reverse("dashboards:district_data"), {"period": "2022Q4"})
    assert response.status_code == 200
    summary = response.json()["summary"]
    assert (summary["towns"], summary["covered"]) == (25, 1)
    return db


# --------------------------------------------------------------------------- dashboards


def test_the_district_dashboard_reads_its_figures_from_the_replica(client, district):
    db = district_data(client, district)
    assert db.replica.captured_queries
    assert all(text.lstrip().upper().startswith("SELECT") for text in sql(db.replica))
    # The coverage from the towns' spans and town months (and the state of both, which names
    # the overview kept in the cache), the seats from the seat steps.
    read_on_the_replica_only(
        db,
        "rollout_townstanding",
        "rollout_townstandingchange",
        "services_ledgertownmonth",
        "services_ledgertownfold",
        "services_ledgertownchange",
        "rollout_seatsharestep",
        "rollout_task",
    )
    assert not touching(db.primary, "organizations_seat")
    # The session, the account and its roles come from the primary, never from the replica.
    assert touching(db.primary, "django_session")
    assert touching(db.primary, "organizations_roleassignment")
    assert not touching(db.replica, "django_session")
    assert not touching(db.replica, "auth_user")
    assert not touching(db.replica, "organizations_roleassignment")


def test_a_reading_of_stale_spans_counts_from_the_replica_and_rebuilds_on_the_primary(client, district):
    """Spans out of date (a change noted): the figures are counted from the raw rows
    on the replica, and the rebuild the reading queues (run at once here, by a worker in
    production) reads and writes the primary."""
    district.orgs["五乡镇科协"].save()  # saved unchanged: no column the spans read
    assert standing.up_to_date()
    TownStandingChange.objects.create(txid=1)  # as the triggers note a change
    assert not standing.up_to_date()
    cache.delete(standing.REBUILD_KEY)
    db = district_data(client, district)
    assert touching(db.replica, "organizations_seat")
    assert [text for text in sql(db.replica) if text.lstrip().upper().startswith(("INSERT", "DELETE"))] == []
    assert any(
        text.lstrip().upper().startswith("INSERT") for text in touching(db.primary, "rollout_townstanding")
    )
    assert standing.up_to_date()


def test_a_reading_that_asks_for_a_fold_counts_from_the_replica_and_folds_on_the_primary(
    client, district, monkeypatch
):
    """Changes of the town months waiting: the overview is counted from the replica, and the
    fold the reading queues afterwards (run at once here) writes the primary."""
    monkeypatch.setattr(coverage, "FOLD_AT", 1)
    cache.delete(coverage.FOLD_KEY)
    assert LedgerTownChange.objects.exists()  # the district's activities were written one by one
    db = district_data(client, district)
    read_on_the_replica_only(db, "services_ledgertownmonth", "rollout_townstanding")
    assert [text for text in sql(db.replica) if text.lstrip().upper().startswith(("INSERT", "DELETE"))] == []
    assert any(
        text.lstrip().upper().startswith("DELETE")
        for text in touching(db.primary, "services_ledgertownchange")
    )
    assert not LedgerTownChange.objects.exists()


def test_the_dashboard_pages_read_from_the_replica(client, district):
    client.force_login(district.jiangshan_admin)
    with Captured() as db:
        response = client.get(reverse("dashboards:town"), {"period": "2022Q4"})
    assert response.status_code == 200
    assert touching(db.replica, "organizations_seat")
    assert not touching(db.primary, "organizations_seat")


def test_another_towns_admin_is_refused_before_anything_is_read(client, district):
    client.force_login(district.wuxiang_admin)
    jiangshan = district.towns["姜山镇"]
    with Captured() as db:
        response = client.get(reverse("dashboards:town_data"), {"region": jiangshan.pk, "period": "2022Q4"})
    assert response.status_code == 404
    assert not db.replica.captured_queries


# --------------------------------------------------------------------------- reports


def test_a_report_build_reads_its_figures_from_the_replica(district):
    # Built by the task at once (tests run tasks in-process), after the request has committed.
    with Captured() as db:
        run = report_actions.report_request(
            actor=district.district_staff, kind=ReportRun.Kind.COVERAGE, period="2022Q4", fmt="csv"
        )
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    with run.file.open("rb") as stored, zipfile.ZipFile(io.BytesIO(stored.read())) as archive:
        text = "".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    assert "姜山镇" in text
    assert db.replica.captured_queries
    assert all(text.lstrip().upper().startswith("SELECT") for text in sql(db.replica))
    # The coverage of the towns from their spans and town months, on the replica.
    read_on_the_replica_only(db, "organizations_region", "rollout_townstanding", "services_ledgertownmonth")
    # The run itself (claimed, then marked done) and the requester's roles: the primary only.
    assert not touching(db.replica, "rollout_reportrun")
    assert not touching(db.replica, "organizations_roleassignment")
    assert touching(db.primary, "rollout_reportrun")
    assert not touching(db.primary, "organizations_seat")


# --------------------------------------------------------------------------- writes


def test_a_write_action_in_a_marked_path_reads_and_writes_the_primary(district):
    person = district.people["刘芳"]
    organization = district.orgs["五乡镇科协"]
    with Captured() as db, reading_replica():
        membership = org_actions.membership_add(
            actor=district.district_staff, person=person, organization=organization
        )
    assert not db.replica.captured_queries
    assert touching(db.primary, "organizations_membership")
    assert membership.pk is not None


def test_a_write_page_reads_nothing_from_the_replica(client, district):
    membership = Membership.objects.get(
        person=district.people["刘芳"], organization=district.orgs["姜山镇科协"]
    )
    client.force_login(district.district_staff)
    with Captured() as db:
        response = client.post(
            reverse("organizations:membership_end", args=[membership.pk]), {"ended_on": today().isoformat()}
        )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_on == today()
    assert not db.replica.captured_queries


def test_reads_after_a_write_in_the_same_path_see_it_on_the_primary(replica_on, jiangshan):
    with Captured() as db, reading_replica():
        Region.objects.count()
        assert len(db.replica.captured_queries) == 1
        Region.objects.filter(pk=jiangshan.association.home_region_id).update(name="姜山镇（新）")
        assert Region.objects.filter(name="姜山镇（新）").count() == 1
    assert len(db.replica.captured_queries) == 1
    assert [text for text in sql(db.primary) if text.startswith("SELECT")]


def test_the_mark_is_also_a_decorator_and_ends_with_the_function(replica_on, jiangshan):
    @reading_replica()
    def count_regions() -> int:
        return Region.objects.count()

    with Captured() as db:
        count_regions()
        Region.objects.count()
    assert len(db.replica.captured_queries) == 1
    assert len(db.primary.captured_queries) == 1


def test_reads_inside_a_transaction_stay_on_the_primary(replica_on, jiangshan):
    with Captured() as db, transaction.atomic(), reading_replica():
        Region.objects.count()
    assert not db.replica.captured_queries


def test_role_assignments_are_read_from_the_primary(replica_on, jiangshan_admin):
    with Captured() as db, reading_replica():
        assert RoleAssignment.objects.filter(user=jiangshan_admin).count() == 1
    assert not db.replica.captured_queries


def test_an_object_read_from_the_replica_is_saved_to_the_primary(replica_on, jiangshan):
    with reading_replica():
        region = Region.objects.get(pk=jiangshan.association.home_region_id)
    assert region._state.db == "replica"
    region.name = "姜山镇（改）"
    with Captured() as db:
        region.save(update_fields=["name"])
    assert not db.replica.captured_queries
    assert touching(db.primary, "organizations_region")


# --------------------------------------------------------------------------- no replica


def test_without_a_replica_nothing_is_read_from_it(client, settings):
    settings.SANHUI_REPLICA_DATABASE = ""
    world = build_district()
    client.force_login(world.district_staff)
    with Captured() as db:
        assert client.get(reverse("dashboards:district"), {"period": "2022Q4"}).status_code == 200
        run = report_actions.report_request(
            actor=world.district_staff, kind=ReportRun.Kind.COVERAGE, period="2022Q4", fmt="csv"
        )
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    assert not db.replica.captured_queries
    assert touching(db.primary, "organizations_seat")
