"""Personas and a small two-town world shared by the test suite.

Personas (STYLE.md): district staff, the 姜山镇 admin, the 五乡镇 admin, a leader in 姜山镇,
a supervisor, and the anonymous public.
"""

import datetime
import os
from dataclasses import dataclass

import pytest
from django.conf import settings

from organizations.models import LeaderRole, Organization, RoleAssignment, Seat
from sanhui import clock
from tests import factories as f
from tests.broker import reset_broker_connections

# A read replica as the tests know one (sanhui/db.py): the alias "replica" reads the test
# database itself. No read is routed to it unless a test sets SANHUI_REPLICA_DATABASE (a run with
# DATABASE_REPLICA_URL set has the alias from the settings already).
settings.DATABASES.setdefault(
    "replica",
    {
        **settings.DATABASES["default"],
        "TEST": {**settings.DATABASES["default"].get("TEST", {}), "MIRROR": "default"},
    },
)

# Modules whose subject depends on the date: themed days, quarters and periods, terms and term
# reminders, the check-in window, overdue tasks and rectification items, the report schedule,
# birth dates in ID numbers. CI runs them again with the clock at the calendar's edges
# (``-m calendar --today …``); every other test must hold on any day as well.
DATE_SENSITIVE = (
    "tests/test_clock.py",
    "tests/organizations/test_audit_log.py",
    "tests/organizations/test_lockout_page.py",
    "tests/organizations/test_login_log.py",
    "tests/organizations/test_login_security.py",
    "tests/organizations/test_seats.py",
    "tests/organizations/test_validators.py",
    "tests/outreach/test_public_calendar.py",
    "tests/outreach/test_reminders.py",
    "tests/rollout/test_dashboard.py",
    "tests/rollout/test_indicators.py",
    "tests/rollout/test_inspections.py",
    "tests/rollout/test_mutation_periods.py",
    "tests/rollout/test_mutation_report_parts.py",
    "tests/rollout/test_overdue.py",
    "tests/rollout/test_plan.py",
    "tests/rollout/test_quarter_close.py",
    "tests/rollout/test_quarter_close_race.py",
    "tests/rollout/test_quarter_close_views.py",
    "tests/rollout/test_reports_runs.py",
    "tests/rollout/test_tasks.py",
    "tests/rollout/test_term_reminders.py",
    "tests/rollout/test_term_reminders_worker.py",
    "tests/services/test_checkin.py",
    "tests/services/test_closed_quarter.py",
    "tests/services/test_hours.py",
    "tests/services/test_volunteer_records.py",
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.split("::")[0] in DATE_SENSITIVE:
            item.add_marker(pytest.mark.calendar)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Templates call {% static %}; the manifest storage needs collectstatic, which tests skip.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.LANGUAGE_CODE = "zh-hans"
    # Counters (rate limits) must not leak between tests, nor into a Redis shared with CI runs.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()
    # Uploaded files of a test stay in its own temporary folder.
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Town:
    association: Organization
    member: object
    leader: object
    seat: Seat
    leader_seat: Seat
    team: object
    volunteer_membership: object
    membership: object


def _town(name: str, code: str, prefix: str) -> Town:
    association = f.OrganizationFactory(
        code=code,
        name=f"{name}科协",
        kind=Organization.Kind.TOWN_ASSOCIATION,
        home_region=f.region(name),
    )
    member = f.PersonFactory(name=f"{prefix}会员")
    membership = f.MembershipFactory(person=member, organization=association)
    leader = f.PersonFactory(name=f"{prefix}院长")
    f.MembershipFactory(person=leader, organization=association)
    f.LeaderRoleFactory(person=leader, kind=LeaderRole.Kind.HOSPITAL_DIRECTOR, institution=f"{name}卫生院")
    seat = f.SeatFactory(organization=association, person=member, position=Seat.Position.MEMBER)
    leader_seat = f.SeatFactory(
        organization=association, person=leader, position=Seat.Position.VICE_CHAIR_PARTTIME
    )
    team = f.VolunteerTeamFactory(organization=association, name=f"{name}科技志愿服务队", leader=leader)
    volunteer_membership = f.TeamMembershipFactory(team=team, person=member)
    return Town(association, member, leader, seat, leader_seat, team, volunteer_membership, membership)


@pytest.fixture
def jiangshan(db) -> Town:
    return _town("姜山镇", "TA-JS", "姜山")


@pytest.fixture
def wuxiang(db) -> Town:
    return _town("五乡镇", "TA-WX", "五乡")


@pytest.fixture
def district_user(db):
    user = f.UserFactory(username="district")
    f.assign(user, RoleAssignment.Role.DISTRICT_STAFF)
    return user


@pytest.fixture
def jiangshan_admin(jiangshan):
    user = f.UserFactory(username="jiangshan")
    f.assign(user, RoleAssignment.Role.ORG_ADMIN, organization=jiangshan.association)
    return user


@pytest.fixture
def wuxiang_admin(wuxiang):
    user = f.UserFactory(username="wuxiang")
    f.assign(user, RoleAssignment.Role.ORG_ADMIN, organization=wuxiang.association)
    return user


@pytest.fixture
def leader_user(jiangshan):
    user = f.UserFactory(username="leader")
    f.assign(user, RoleAssignment.Role.LEADER, person=jiangshan.leader)
    return user


@pytest.fixture
def supervisor_user(db):
    user = f.UserFactory(username="supervisor")
    f.assign(user, RoleAssignment.Role.SUPERVISOR)
    return user


@pytest.fixture(autouse=True)
def _tasks_run_in_process():
    """Tasks queued by the code under test run in this process, also where a broker is
    configured (CI): the tests that need a real worker ask for ``celery_worker``, which
    switches this off again."""
    from sanhui.celery import app
    from tests.rollout.celery_helpers import forget_celery_connections

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
    forget_celery_connections()


@pytest.fixture
def today() -> datetime.date:
    """Today in Asia/Shanghai, whatever day the suite runs on (see ``--today``)."""
    return clock.today()


@pytest.fixture
def redis_url() -> str:
    """A real Redis: required in CI (CI=true), skipped with a note on a machine without one."""
    import redis

    url = os.environ.get("SANHUI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is not reachable at {url}")
        pytest.skip(f"Redis is not reachable at {url}")
    return url


@pytest.fixture
def celery_worker(redis_url, transactional_db, worker_id, monkeypatch):
    """A real Celery worker (a thread with the solo pool) consuming the Redis broker.

    Tasks sent with ``.delay()`` during the test travel through Redis to this worker, which
    runs them against the test database (hence ``transactional_db``: the worker's connection
    must see committed rows)."""
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from sanhui.celery import app

    # Parallel test processes (pytest-xdist) share one Redis: each gets its own key prefix, so
    # that one process's worker never takes another's tasks and runs them against the wrong
    # test database.
    # Celery reads CELERY_BROKER_URL from the environment before its configuration: without
    # this, CI's broker (db 0) would carry the tests' tasks instead of the test Redis.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)
    previous = app.conf.broker_transport_options
    app.conf.update(
        broker_url=redis_url,
        result_backend=redis_url,
        task_always_eager=False,
        broker_transport_options={**(previous or {}), "global_keyprefix": f"sanhui-test-{worker_id}:"},
    )
    reset_broker_connections(app)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker
    finally:
        app.conf.update(
            task_always_eager=settings.CELERY_TASK_ALWAYS_EAGER, broker_transport_options=previous
        )
        reset_broker_connections(app)
