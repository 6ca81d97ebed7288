"""Check the ledger's summary tables against the raw rows, or rebuild them.

    python manage.py ledger_tallies            # check: list every difference, exit 1 if any
    python manage.py ledger_tallies --rebuild  # recompute both tables from the raw rows

The actions keep the tables exact (services/tallies.py); a difference means that something wrote
the ledger around them (a bulk load, a hand-made SQL fix, a restore of a partial copy).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from services import tallies


class Command(BaseCommand):
    help = "Compare the ledger's summary tables with a recount of the raw rows (or rebuild them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="recompute the tables from the raw rows")
        parser.add_argument(
            "--limit", type=int, default=20, help="differences shown of each kind (default 20)"
        )

    def handle(self, *args, rebuild: bool = False, limit: int = 20, **options) -> None:
        started = time.monotonic()
        if rebuild:
            activities, cells = tallies.rebuild()
            elapsed = time.monotonic() - started
            self.stdout.write(
                f"汇总表已重建：{activities} 个活动计数，{cells} 个月度单元（用时 {elapsed:.1f} 秒）。"
            )
            return
        found = tallies.differences(limit=limit)
        elapsed = time.monotonic() - started
        if not found:
            self.stdout.write(self.style.SUCCESS(f"汇总表与原始记录一致（核对用时 {elapsed:.1f} 秒）。"))
            return
        for label, rows in (
            ("活动计数（表中）", found.tallies_stored),
            ("活动计数（应为）", found.tallies_fresh),
            ("月度单元（表中）", found.cells_stored),
            ("月度单元（应为）", found.cells_fresh),
            ("区域月度（表中）", found.regions_stored),
            ("区域月度（应为）", found.regions_fresh),
            ("镇街月度（表中）", found.towns_stored),
            ("镇街月度（应为）", found.towns_fresh),
            ("类别月度（表中）", found.categories_stored),
            ("类别月度（应为）", found.categories_fresh),
            ("服务队年度（表中）", found.team_years_stored),
            ("服务队年度（应为）", found.team_years_fresh),
        ):
            for row in rows:
                self.stdout.write(f"  {label} {row}")
        raise CommandError(
            f"汇总表与原始记录有 {len(found)} 处不一致；运行 ledger_tallies --rebuild 可重新计算。"
        )
