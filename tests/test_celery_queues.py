"""Report builds have a queue of their own (settings: CELERY_TASK_ROUTES), so that workers
started per queue keep reminders, imports and exports moving while reports are built; a worker
started without -Q consumes both queues."""

import pytest

from sanhui.celery import app


@pytest.fixture(autouse=True, scope="module")
def _tasks_discovered():
    # Tasks are found in each app's tasks module when the worker starts; here, now.
    app.loader.import_default_modules()


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


@pytest.mark.parametrize("task_name", ["rollout.tasks.build_report", "rollout.tasks.issue_quarter_report"])
def test_report_builds_go_to_the_reports_queue(task_name):
    assert task_name in app.tasks
    assert queue_of(task_name) == "reports"


@pytest.mark.parametrize(
    "task_name",
    [
        "rollout.tasks.send_term_reminders",
        "rollout.tasks.send_term_reminder",
        "rollout.tasks.queue_quarterly_supervision_reports",
        "rollout.tasks.redispatch_reports",
        "outreach.tasks.send_themed_day_reminders",
        "organizations.tasks.prune_login_events",
        "organizations.tasks.prune_audit_entries",
        "organizations.exports.tasks.prune_export_files",
        "organizations.imports.tasks.prune_import_files",
        "sanhui.ping",
    ],
)
def test_everything_else_goes_to_the_default_queue(task_name):
    assert task_name in app.tasks
    assert queue_of(task_name) == "celery"


def test_the_import_and_export_tasks_stay_on_the_default_queue():
    # Reminders, imports and exports are never held up behind a run of report builds.
    names = [
        name for name in app.tasks if name.startswith(("organizations.imports", "organizations.exports"))
    ]
    assert names
    assert {queue_of(name) for name in names} == {"celery"}


def test_a_worker_started_without_queues_consumes_both():
    assert set(app.amqp.queues) == {"celery", "reports"}
