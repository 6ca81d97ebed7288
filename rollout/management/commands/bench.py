"""Speed at two sizes, side by side: the demo district and a province's worth of data.

    DATABASE_URL=postgres://…/sanhui_demo .venv/bin/python manage.py bench \
        --small postgres://…/sanhui_demo --large postgres://…/sanhui_province
        [--repeat 5] [--markdown docs/benchmarks.md]

Each database must hold the demo's logins (``seed_demo``; the large one then ``seed_demo --scale``).
For each database in turn the command opens, as district staff, the district dashboard and its
data for the last whole quarter and for the year, the first and the last page of every list
that has an export, and the busiest month of the calendar (best of ``--repeat`` requests each,
then one more to count the queries and measure the page); builds the supervision report of the
quarter as XLSX and PDF; exports the people list as CSV in full (rows, queries, peak memory); and
times the year's activity figures from the summary tables against the best plain SQL statement
over the raw rows. It prints sizes, times, queries and bytes, the ratio of each figure at the
large size to the small one with the goal it is held to, and EXPLAIN ANALYZE of the three slowest
queries of each page at the large size. Run it with DEBUG off (production settings, or the
command turns DEBUG off for its requests). It changes nothing but the sessions of its login and
the towns' coverage spans, which it builds anew (and times) before the pages.
"""

from __future__ import annotations

import calendar
import datetime
import re
import tempfile
import time
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urljoin

import dj_database_url
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections
from django.http import Http404, QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from organizations.exports import registry, writers
from organizations.management.commands.bench_bulk import Step, measured
from organizations.models import Organization, Person
from organizations.scoping import Scope
from rollout import indicators
from rollout.indicators import coverage, standing
from rollout.models import TownStandingChange
from rollout.reports import build_report, render
from sanhui.clock import today
from services.models import Activity, Attendance, VolunteerService
from services.selectors import CALENDAR_DAY_LIMIT

LOGIN = "district"
# A town association's admin of the demo, and the lists measured as they see them.
TOWN_LOGIN = "jiangshan"
TOWN_LISTS = ("activities", "people", "seats")
KB = 1024
PAGE_WEIGHT_LIMIT = 200 * KB
# The goals: a figure at the large size over the same at the small one.
RATIO_GOALS = {"dashboard": 1.5, "list": 1.5, "xlsx": 2.0}
# The month calendar's goal is to be bounded: each day shows its first few, "n more" for the rest.
CALENDAR_ENTRY = 'class="calendar-item d-block'
CALENDAR_DAYS = 42  # six weeks on the page
PDF_LIMIT_SECONDS = 10.0
FIGURES_OVER_SQL = 10.0
EXPORT_PEAK_MIB = 100

# The best single statement over the raw rows for a period's figures: activities that took
# place, people served (check-ins, or the reported count when nobody checked in) and hours.
PLAIN_SQL = """
SELECT count(*),
       coalesce(sum(CASE WHEN c.n IS NULL THEN coalesce(a.reported_participants, 0) ELSE c.n END), 0),
       coalesce(sum(h.hours), 0)
FROM services_activity a
LEFT JOIN (SELECT activity_id, count(*) AS n FROM services_attendance GROUP BY activity_id) c
       ON c.activity_id = a.id
LEFT JOIN (SELECT activity_id, sum(hours) AS hours FROM services_volunteerservice
           WHERE hours IS NOT NULL GROUP BY activity_id) h
       ON h.activity_id = a.id
WHERE a.status IN ('held', 'verified') AND a.starts_at >= %s AND a.starts_at < %s
"""


@dataclass
class Measure:
    """One page or job at one size."""

    kind: str
    name: str
    ms: float = 0.0
    queries: int = 0
    size: int = 0
    slowest: list[tuple[float, str]] = field(default_factory=list)


@dataclass
class Run:
    label: str
    sizes: dict[str, int] = field(default_factory=dict)
    measures: dict[str, Measure] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    calendar: tuple[int, int] = (0, 0)  # activities shown in the busiest month, and held in it

    def add(self, measure: Measure) -> None:
        self.measures[measure.name] = measure


def _use_database(url: str) -> str:
    """Point the default connection at ``url`` for what follows."""
    parsed = dj_database_url.parse(url)
    if parsed["ENGINE"] != connections["default"].settings_dict["ENGINE"]:
        raise CommandError(
            "The databases compared must be of the kind DATABASE_URL names (PostgreSQL): "
            "run with DATABASE_URL set to one of them."
        )
    connections["default"].close()
    for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT"):
        connections["default"].settings_dict[key] = parsed.get(key, "")
    return parsed.get("NAME", "")


def _sizes() -> dict[str, int]:
    return {
        "towns": indicators.towns_in_scope().count(),
        "organisations": Organization.objects.count(),
        "people": Person.objects.count(),
        "activities": Activity.objects.count(),
        "check-ins": Attendance.objects.count(),
        "volunteer services": VolunteerService.objects.count(),
    }


def _busiest_month(period: indicators.Period) -> str:
    """The month of the period with the most activities (the calendar's worst case)."""
    rows = indicators.activity_breakdown(indicators.Ledger(), period, "month")
    busiest = max(rows, key=lambda row: (row["activities"], row["key"]), default=None)
    return (busiest["key"] if busiest else today()).strftime("%Y-%m")


def _shortened(text: str, limit: int = 300) -> str:
    """A line cut to ``limit`` characters: a page's filter by a province's regions lists
    thousands of ids, which the plan repeats."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mark(held: bool) -> str:
    return "✓" if held else "✗"


LAST_LINK = re.compile(r'<a\b[^>]*href="([^"]+)"[^>]*>(?:(?!</a>).)*?末页', re.S)


def _last_page(html: str) -> str | None:
    found = LAST_LINK.search(html)
    return unescape(found.group(1)) if found else None


class Command(BaseCommand):
    help = "Time pages, reports, an export and the figures at a small and a large size, and print the ratios."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--small", default="", help="database URL of the demo-size database")
        parser.add_argument("--large", default="", help="database URL of the large database")
        parser.add_argument("--repeat", type=int, default=5, help="requests per page, best taken (default 5)")
        parser.add_argument("--no-export", action="store_true", help="skip the people export")
        parser.add_argument("--no-reports", action="store_true", help="skip the report builds")
        parser.add_argument("--markdown", default="", help="also write the results as Markdown to this file")

    def handle(self, *args, small: str, large: str, repeat: int, markdown: str, **options) -> None:
        targets = [("small", small), ("large", large)] if small and large else [("current", "")]
        runs = []
        with override_settings(DEBUG=False):
            for label, url in targets:
                name = _use_database(url) if url else connection.settings_dict["NAME"]
                self.stdout.write(f"== {label}: {name}")
                run = Run(label)
                self._measure(run, repeat, export=not options["no_export"], reports=not options["no_reports"])
                runs.append(run)
        lines = self._report(runs)
        self.stdout.write("\n".join(lines))
        if markdown:
            with open(markdown, "w", encoding="utf-8") as handle:
                handle.write("\n".join(lines) + "\n")

    # ----------------------------------------------------------------------- measuring

    def _measure(self, run: Run, repeat: int, *, export: bool, reports: bool) -> None:
        run.sizes = _sizes()
        self.stdout.write("   " + ", ".join(f"{key} {value:,}" for key, value in run.sizes.items()))
        self._spans(run)
        user = get_user_model().objects.filter(username=LOGIN).first()
        if user is None:
            raise CommandError(f"No login {LOGIN!r}: run `python manage.py seed_demo` first.")
        client = Client(
            HTTP_HOST=next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"), "localhost")
        )
        client.force_login(user)
        # The last whole quarter, and its year.
        [quarter] = indicators.Period.containing(today()).previous_quarters(1)
        year = indicators.Period.year(quarter.start.year)
        for period in (quarter, year):
            for path in (
                f"/dashboard/?period={period.code}",
                f"/dashboard/data/district/?period={period.code}",
            ):
                self._page(run, client, "dashboard", path, repeat)
        for spec in registry.registered():
            try:
                first = spec.page(QueryDict())
            except Http404:  # a list of one record's rows (an activity's check-ins): not a page of its own
                continue
            html = self._page(run, client, "list", first, repeat, name=f"{spec.key}: first page")
            last = _last_page(html)
            if last:
                self._page(run, client, "list", urljoin(first, last), repeat, name=f"{spec.key}: last page")
        self._town_admin_pages(run, client, repeat)
        month = _busiest_month(year)
        html = self._page(
            run,
            client,
            "calendar",
            f"/services/activities/calendar/?month={month}",
            repeat,
            name="calendar, busiest month",
        )
        first = datetime.date.fromisoformat(f"{month}-01")
        start, end = indicators.Period(
            first, first.replace(day=calendar.monthrange(first.year, first.month)[1])
        ).bounds()
        run.calendar = (
            html.count(CALENDAR_ENTRY),
            Activity.objects.filter(starts_at__gte=start, starts_at__lt=end).count(),
        )
        self._figures(run, year, repeat)
        if reports:
            self._reports(run, quarter)
        if export:
            self._export(run, user)

    def _town_admin_pages(self, run: Run, client: Client, repeat: int) -> None:
        """A town association's admin: their town's dashboard and the lists of what their
        organisations may read (a few hundred rows among millions)."""
        admin = get_user_model().objects.filter(username=TOWN_LOGIN).first()
        if admin is None:
            return
        client.force_login(admin)
        try:
            for path in ("/dashboard/town/", "/dashboard/data/town/"):
                self._page(run, client, "dashboard", path, repeat, name=f"{TOWN_LOGIN}: {path}")
            for key in TOWN_LISTS:
                first = registry.get(key).page(QueryDict())
                html = self._page(run, client, "list", first, repeat, name=f"{TOWN_LOGIN}: {key}, first page")
                if last := _last_page(html):
                    name = f"{TOWN_LOGIN}: {key}, last page"
                    self._page(run, client, "list", urljoin(first, last), repeat, name=name)
        finally:
            client.force_login(get_user_model().objects.get(username=LOGIN))

    def _page(self, run: Run, client: Client, kind: str, path: str, repeat: int, name: str = "") -> str:
        best = float("inf")
        for _ in range(max(repeat, 1)):
            started = time.perf_counter()
            response = client.get(path, secure=True)
            best = min(best, (time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{path} answered {response.status_code}")
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, secure=True)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        slowest = sorted(((float(q["time"]), q["sql"]) for q in captured.captured_queries), reverse=True)[:3]
        run.add(Measure(kind, name or path, best, len(captured), len(content), slowest))
        self.stdout.write(
            f"   {name or path:<60} {best:>9.1f} ms {len(captured):>4} queries {len(content) / KB:>7.1f} KB"
        )
        return content.decode("utf-8", "replace")

    def _spans(self, run: Run) -> None:
        """The towns' coverage spans built anew (the pages are timed with them up to date, as
        they are once the rebuild queued by a change has run), and the coverage of every town
        over a quarter and its trend counted from the raw rows, as it is until then."""
        TownStandingChange.objects.get_or_create(txid=0)
        started = time.perf_counter()
        spans = standing.rebuild()
        ms = (time.perf_counter() - started) * 1000
        run.add(Measure("spans", "towns' coverage spans: rebuild", ms))
        self.stdout.write(f"   towns' coverage spans rebuilt{'':<32} {ms:>9.1f} ms ({spans:,} spans)")
        [quarter] = indicators.Period.containing(today()).previous_quarters(1)
        towns = list(indicators.towns_in_scope())
        days = sorted({p.reference_day() for p in [quarter, *indicators.trend_periods(quarter)]})
        ids = [town.pk for town in towns]
        token = standing.current()
        standing.day_facts(days, ids, token=token)
        for name, read in (
            ("kept (cache)", lambda: standing.day_facts(days, ids, token=token)),
            ("from the spans", lambda: standing.day_facts(days, ids)),
            ("from the raw rows", lambda: coverage._raw_facts(days, towns)),
        ):
            started = time.perf_counter()
            read()
            ms = (time.perf_counter() - started) * 1000
            run.add(Measure("spans", f"conditions of every town, {len(days)} days: {name}", ms))
            self.stdout.write(f"   conditions of every town, {name:<35} {ms:>9.1f} ms")

    def _figures(self, run: Run, period: indicators.Period, repeat: int) -> None:
        start, end = period.bounds()
        timings = {"figures": float("inf"), "plain SQL": float("inf")}
        for _ in range(max(repeat, 1)):
            started = time.perf_counter()
            indicators.activity_figures(indicators.Ledger(), period)
            timings["figures"] = min(timings["figures"], (time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(PLAIN_SQL, [start, end])
                cursor.fetchall()
            timings["plain SQL"] = min(timings["plain SQL"], (time.perf_counter() - started) * 1000)
        for name, ms in timings.items():
            run.add(Measure("figures", f"{period.code} activity figures: {name}", ms))
            self.stdout.write(f"   {period.code} activity figures, {name:<40} {ms:>9.1f} ms")

    def _reports(self, run: Run, quarter: indicators.Period) -> None:
        started = time.perf_counter()
        report = build_report("supervision", quarter, scope=Scope(read_all=True))
        ms = (time.perf_counter() - started) * 1000
        rows = sum(len(section.rows) for section in report.sections)
        run.add(Measure("report", f"supervision report {quarter.code}: figures", ms))
        run.notes.append(f"supervision report {quarter.code}: {rows:,} rows in its tables")
        self.stdout.write(f"   supervision report figures{'':<34} {ms:>9.1f} ms ({rows:,} rows)")
        for fmt in ("xlsx", "pdf"):
            started = time.perf_counter()
            data = render(report, fmt)
            ms = (time.perf_counter() - started) * 1000
            run.add(Measure(fmt, f"supervision report {quarter.code} {fmt.upper()}", ms, size=len(data)))
            self.stdout.write(
                f"   supervision report {fmt.upper():<42} {ms:>9.1f} ms {len(data) / KB:>7.1f} KB"
            )

    def _export(self, run: Run, user) -> None:
        spec = registry.get("people")
        request = registry.request_for(user, "")
        queryset = spec.queryset(request)
        step = Step("people export, CSV", 0)

        def counted(data):
            for row in data:
                step.rows += 1
                yield row

        with tempfile.TemporaryFile() as handle, measured(step):
            writers.write_csv(spec, counted(writers.rows(spec, queryset, full=False)), handle)
            size = handle.tell()
        chunks = max(1, -(-step.rows // writers.CHUNK_SIZE))
        run.add(Measure("export", "people export, CSV", step.seconds * 1000, step.queries, size))
        run.notes.append(
            f"people export: {step.rows:,} rows in {step.seconds:.1f} s, {step.queries} queries "
            f"({step.queries / chunks:.1f} per chunk of {writers.CHUNK_SIZE:,}), peak memory "
            f"{step.peak_rss / 1024 / 1024:.0f} MiB (+{(step.peak_rss - step.start_rss) / 1024 / 1024:.0f})"
        )
        self.stdout.write("   " + run.notes[-1])

    # ----------------------------------------------------------------------- reporting

    def _report(self, runs: list[Run]) -> list[str]:
        lines = ["", "## Sizes", "", "| | " + " | ".join(run.label for run in runs) + " |"]
        lines.append("|---|" + "---:|" * len(runs))
        for key in runs[0].sizes:
            lines.append(f"| {key} | " + " | ".join(f"{run.sizes[key]:,}" for run in runs) + " |")
        lines += ["", "## Pages and jobs", ""]
        lines += self._table(runs)
        lines += ["", *[f"- {run.label}: {note}" for run in runs for note in run.notes]]
        lines += self._goals(runs)
        lines += self._explains(runs[-1])
        return lines

    def _table(self, runs: list[Run]) -> list[str]:
        header = "| page or job | " + " | ".join(f"{run.label} ms | queries | KB" for run in runs)
        if len(runs) == 2:
            header += " | ratio | goal"
        rows = [
            header + " |",
            "|---|" + "---:|---:|---:|" * len(runs) + ("---:|---|" if len(runs) == 2 else ""),
        ]
        for name, first in runs[0].measures.items():
            cells = []
            for run in runs:
                m = run.measures.get(name)
                cells.append(f"{m.ms:,.1f} | {m.queries} | {m.size / KB:,.1f}" if m else "– | – | –")
            line = f"| {name} | " + " | ".join(cells)
            if len(runs) == 2 and name in runs[1].measures:
                ratio = runs[1].measures[name].ms / first.ms if first.ms else 0
                goal = RATIO_GOALS.get(first.kind)
                line += f" | {ratio:.2f} | " + (f"≤ {goal} {_mark(ratio <= goal)}" if goal else "")
            rows.append(line + " |")
        return rows

    def _goals(self, runs: list[Run]) -> list[str]:
        last = runs[-1]
        lines = ["", "## Goals at the largest size", ""]
        pages = ("dashboard", "list", "calendar")
        heavy = [m.name for m in last.measures.values() if m.kind in pages and m.size > PAGE_WEIGHT_LIMIT]
        lines.append(f"- page weight ≤ 200 KB on every page: {_mark(not heavy)} {', '.join(heavy)}".rstrip())
        for m in last.measures.values():
            if m.kind == "pdf":
                held = m.ms <= PDF_LIMIT_SECONDS * 1000
                lines.append(f"- {m.name} ≤ {PDF_LIMIT_SECONDS:.0f} s: {m.ms / 1000:.1f} s {_mark(held)}")
        shown, held = last.calendar
        bound = CALENDAR_DAY_LIMIT * CALENDAR_DAYS
        lines.append(
            f"- month calendar bounded (at most {CALENDAR_DAY_LIMIT} a day, the rest behind “n more”): "
            f"{shown:,} shown of the busiest month's {held:,} activities {_mark(shown <= bound)}"
        )
        figures = [m for m in last.measures.values() if m.kind == "figures"]
        if len(figures) == 2 and figures[0].ms:
            times = figures[1].ms / figures[0].ms
            lines.append(
                f"- figures from the summary tables against plain SQL over the raw rows: {times:,.0f}× "
                f"faster {_mark(times >= FIGURES_OVER_SQL)} (goal ≥ {FIGURES_OVER_SQL:.0f}×)"
            )
        return lines

    def _explains(self, run: Run) -> list[str]:
        lines = ["", f"## The three slowest queries of each page ({run.label}), EXPLAIN ANALYZE", ""]
        for m in run.measures.values():
            if not m.slowest:
                continue
            lines += [f"### {m.name}", ""]
            for seconds, sql in m.slowest:
                lines += [
                    f"{float(seconds) * 1000:.1f} ms:",
                    "",
                    "```",
                    _shortened(sql, 1000),
                    "",
                    *self._plan(sql),
                    "```",
                    "",
                ]
        return lines

    def _plan(self, sql: str) -> list[str]:
        if not sql.lstrip().upper().startswith("SELECT"):
            return []
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
        try:
            with connection.cursor() as cursor:
                cursor.execute(prefix + sql)
                return [_shortened(" ".join(str(part) for part in row)) for row in cursor.fetchall()]
        except Exception as error:  # a query that cannot be explained as captured (parameters)
            return [f"(no plan: {error})"]
