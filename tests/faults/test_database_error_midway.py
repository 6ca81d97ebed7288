"""A database error in the middle of an action that writes several rows leaves nothing behind.

A trigger makes the database refuse the last row an action writes, as a fault would (a full
disk, a connection lost, a constraint broken by a concurrent writer): the action fails with the
database's error, and the database holds exactly what it held before, audit log included; no
task is queued for work that was never committed. The trigger is written for PostgreSQL (CI)
and for SQLite (a developer's run).
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import DatabaseError, connection

from organizations import actions as org_actions
from organizations.models import LeaderRole, Person
from rollout.models import ReportRun
from rollout.reports import actions as report_actions
from rollout.reports.closing import actions as closing_actions
from tests.dbstate import changed_tables, snapshot

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

# The trigger refuses rows of one table that match one condition; written out in full for each
# database and case (no SQL is assembled from values).
TRIGGERS = {
    "audit_entry_of_person_register": {
        "postgresql": (
            "CREATE FUNCTION fault_injected() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'fault injected'; END $$",
            "CREATE TRIGGER fault_injected BEFORE INSERT ON organizations_auditentry FOR EACH ROW "
            "WHEN (NEW.action = 'person_register') EXECUTE FUNCTION fault_injected()",
        ),
        "sqlite": (
            "CREATE TRIGGER fault_injected BEFORE INSERT ON organizations_auditentry "
            "WHEN NEW.action = 'person_register' BEGIN SELECT RAISE(ABORT, 'fault injected'); END",
        ),
    },
    "audit_entry_of_quarter_close": {
        "postgresql": (
            "CREATE FUNCTION fault_injected() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'fault injected'; END $$",
            "CREATE TRIGGER fault_injected BEFORE INSERT ON organizations_auditentry FOR EACH ROW "
            "WHEN (NEW.action = 'quarter_close') EXECUTE FUNCTION fault_injected()",
        ),
        "sqlite": (
            "CREATE TRIGGER fault_injected BEFORE INSERT ON organizations_auditentry "
            "WHEN NEW.action = 'quarter_close' BEGIN SELECT RAISE(ABORT, 'fault injected'); END",
        ),
    },
    "new_report_run": {
        "postgresql": (
            "CREATE FUNCTION fault_injected() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'fault injected'; END $$",
            "CREATE TRIGGER fault_injected BEFORE INSERT ON rollout_reportrun FOR EACH ROW "
            "EXECUTE FUNCTION fault_injected()",
        ),
        "sqlite": (
            "CREATE TRIGGER fault_injected BEFORE INSERT ON rollout_reportrun "
            "BEGIN SELECT RAISE(ABORT, 'fault injected'); END",
        ),
    },
}


def refuse(case: str) -> None:
    """From now on (until the test's transaction is rolled back) the database refuses the row."""
    statements = TRIGGERS[case].get(connection.vendor)
    if statements is None:
        pytest.skip(f"no fault trigger written for {connection.vendor}")
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def test_registering_a_person_with_membership_and_leader_role_leaves_nothing(jiangshan, jiangshan_admin):
    before = snapshot(include_audit=True)
    refuse("audit_entry_of_person_register")
    with pytest.raises(DatabaseError, match="fault injected"):
        org_actions.person_register(
            actor=jiangshan_admin,
            organization=jiangshan.association,
            name="姜山新人",
            phone="13905740001",
            leader_kind=LeaderRole.Kind.HOSPITAL_DIRECTOR,
            leader_institution="姜山镇卫生院",
        )
    # Person, membership and leader role were written before the audit entry was refused.
    assert changed_tables(before, snapshot(include_audit=True)) == []
    assert not Person.objects.filter(name="姜山新人").exists()


def test_closing_a_quarter_leaves_nothing_and_queues_nothing(
    district_user, django_capture_on_commit_callbacks
):
    before = snapshot(include_audit=True)
    refuse("audit_entry_of_quarter_close")
    with (
        time_machine.travel(datetime.datetime(2023, 1, 5, 10, tzinfo=SHANGHAI), tick=False),
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(DatabaseError, match="fault injected"),
    ):
        closing_actions.quarter_close(actor=district_user, quarter="2022Q4")
    assert changed_tables(before, snapshot(include_audit=True)) == []
    assert callbacks == []  # the issue of the report is never queued


def test_a_rerun_that_cannot_be_stored_leaves_the_run_it_replaces_current(
    supervisor_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():  # not built: only its record matters here
        run = report_actions.report_request(
            actor=supervisor_user, kind="coverage", period="2022Q4", fmt="csv"
        )
    before = snapshot(include_audit=True)
    refuse("new_report_run")
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(DatabaseError, match="fault injected"),
    ):
        # The rerun first retires the current run, then stores the new one, which is refused.
        report_actions.report_rerun(actor=supervisor_user, run=run)
    assert changed_tables(before, snapshot(include_audit=True)) == []
    assert callbacks == []
    assert ReportRun.objects.get().current is True
