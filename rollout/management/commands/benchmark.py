"""Speed figures of the pages and reports people wait for, on the current database.

Run it on the demo district (``make run`` builds it) or on a copy of production data:

    DEBUG=1 .venv/bin/python manage.py benchmark --repeat 5 [--period 2026Q3]

For each page it prints the median and slowest response time and the number of queries, as the
given login sees it; then the time to compute the coverage of every town and to build each
report format. It changes nothing but the sessions of the logins it uses. With a read replica
configured (``DATABASE_REPLICA_URL``) the dashboards and reports read from it, as they do when
served, and the query counts include the replica's.
"""

from __future__ import annotations

import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from organizations.scoping import Scope
from rollout import indicators
from rollout.reports import build_report, render
from sanhui.clock import today
from sanhui.db import reading_replica, replica_alias

# (login, path): the pages each kind of user opens most.
PAGES = (
    ("district", "/"),
    ("district", "/dashboard/?period={period}"),
    ("district", "/dashboard/data/district/?period={period}"),
    ("district", "/organizations/"),
    ("district", "/people/"),
    ("district", "/seats/"),
    ("district", "/services/activities/"),
    ("district", "/services/activities/calendar/?month={month}"),
    ("district", "/rollout/"),
    ("supervisor", "/rollout/supervision/"),
    ("supervisor", "/reports/"),
    ("jiangshan", "/dashboard/town/?period={period}"),
    ("jiangshan", "/people/"),
    ("jiangshan", "/services/activities/"),
    ("leader", "/dashboard/me/?period={period}"),
)


class Command(BaseCommand):
    help = "Print response times and query counts of the main pages, and report build times."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=5, help="requests per page (default 5)")
        parser.add_argument(
            "--period",
            default="",
            help="period of the dashboards and reports (default: the last whole quarter)",
        )
        parser.add_argument("--no-reports", action="store_true", help="skip the report builds")

    def handle(self, *args, repeat: int, period: str, no_reports: bool, **options) -> None:
        try:
            # Default: the last whole quarter.
            chosen = (
                indicators.Period.parse(period)
                if period
                else indicators.Period.containing(today()).previous_quarters(1)[0]
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        users = {
            user.username: user
            for user in get_user_model().objects.filter(username__in={u for u, _ in PAGES})
        }
        if not users:
            raise CommandError("No demo logins found: run `python manage.py seed_demo` first.")
        host = next((name.lstrip(".") for name in settings.ALLOWED_HOSTS if name != "*"), "localhost")
        clients: dict[str, Client] = {}
        self.stdout.write(f"{'login':<11}{'page':<52}{'median ms':>10}{'max ms':>9}{'queries':>9}")
        for username, template in PAGES:
            user = users.get(username)
            if user is None:
                continue
            if username not in clients:
                clients[username] = Client(HTTP_HOST=host)
                clients[username].force_login(user)
            path = template.format(period=chosen.code, month=chosen.start.strftime("%Y-%m"))
            timings, queries = [], 0
            for _ in range(max(repeat, 1)):
                with (
                    CaptureQueriesContext(connection) as captured,
                    CaptureQueriesContext(connections[replica_alias() or "default"]) as on_replica,
                ):
                    started = time.perf_counter()
                    response = clients[username].get(path)
                    timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{path} as {username} answered {response.status_code}")
                queries = len(captured) + (len(on_replica) if replica_alias() else 0)
            self.stdout.write(
                f"{username:<11}{path:<52}{statistics.median(timings):>10.1f}{max(timings):>9.1f}{queries:>9}"
            )

        started = time.perf_counter()
        with reading_replica():
            rows = indicators.town_coverage(chosen)
        elapsed = (time.perf_counter() - started) * 1000
        summary = indicators.summarize(rows)
        self.stdout.write(
            f"\ncoverage of {summary.towns} towns in {chosen.code}: {elapsed:.1f} ms "
            f"({summary.covered} covered)"
        )
        if no_reports:
            return
        for kind in ("coverage", "supervision"):
            started = time.perf_counter()
            with reading_replica():
                report = build_report(kind, chosen, scope=Scope(read_all=True))
            built = (time.perf_counter() - started) * 1000
            for fmt in ("csv", "xlsx", "docx", "pdf"):
                started = time.perf_counter()
                with reading_replica():
                    data = render(report, fmt)
                rendered = (time.perf_counter() - started) * 1000
                self.stdout.write(
                    f"{kind:<12}{fmt:<5} figures {built:>8.1f} ms  "
                    f"file {rendered:>8.1f} ms  {len(data):>9} bytes"
                )
