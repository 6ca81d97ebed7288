"""Check the towns' coverage spans (and the seat steps built with them) against the raw rows,
or rebuild them.

    python manage.py town_standing            # check: list every difference; exit 1 if any
                                              # while no change is waiting for the rebuild
    python manage.py town_standing --rebuild  # build them anew from the raw rows

Database triggers note every change to the rows the spans are built from, and the coverage
queues a rebuild when it finds one (rollout/indicators/standing.py); until it has run, the
coverage is counted from the raw rows. A difference while no change is noted means the spans
were written around the rebuild (a restore of a partial copy, a hand-made SQL fix).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rollout.indicators import standing
from rollout.models import TownStandingChange


class Command(BaseCommand):
    help = "Compare the towns' coverage spans with the raw rows (or rebuild them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="build the spans anew from the raw rows")
        parser.add_argument(
            "--limit", type=int, default=20, help="differences shown of each kind (default 20)"
        )

    def handle(self, *args, rebuild: bool = False, limit: int = 20, **options) -> None:
        started = time.monotonic()
        if rebuild:
            spans = standing.rebuild(force=True)
            elapsed = time.monotonic() - started
            self.stdout.write(f"镇街覆盖条件区间已重建：{spans} 个区间（用时 {elapsed:.1f} 秒）。")
            return
        pending = TownStandingChange.objects.count()
        stored, fresh = standing.differences(limit=limit)
        elapsed = time.monotonic() - started
        if not stored and not fresh:
            self.stdout.write(
                self.style.SUCCESS(f"镇街覆盖条件区间与原始记录一致（核对用时 {elapsed:.1f} 秒）。")
            )
            return
        for label, rows in (("表中", stored), ("应为", fresh)):
            for row in rows:
                self.stdout.write(f"  {label} {_described(row)}")
        if pending:
            # The changes are noted: the next reading of the coverage queues the rebuild.
            self.stdout.write(
                f"有 {pending} 个事务改动了来源记录，区间尚待重建；在此之前覆盖率按原始记录计算。"
            )
            return
        raise CommandError(
            f"镇街覆盖条件区间与原始记录有 {len(stored) + len(fresh)} 处不一致，而来源记录没有待重建的改动；"
            "运行 town_standing --rebuild 可重新计算。"
        )


def _described(row: tuple) -> str:
    """A span as (town, condition, category, association, since, until), or a seat step as
    ("seats", day, seats, led), in words and ISO dates."""
    if row[0] == "seats":
        _kind, day, seats, led = row
        return f"职务数变化 {day.isoformat()}：现任 {seats:+}，三长 {led:+}"
    town, condition, category, association, since, until = row
    first = since.isoformat() if since else "…"
    last = until.isoformat() if until else "…"
    held = f"{condition} · {category}" if category else str(condition)
    return f"镇（街道）{town} · {held} · 科协 {association} · {first} 至 {last}"
