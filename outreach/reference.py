"""The themed-day calendar the portal ships with (``outreach/data/themed-days.csv``).

``load_themed_days`` is used by the data migration (with the historical model) and by anything
that must restore the list after tables were emptied (browser and worker tests flush the
database). It adds the days that are missing and leaves existing rows alone, so that what
staff changed in the admin is never overwritten.
"""

import csv
from pathlib import Path

THEMED_DAYS_CSV = Path(__file__).resolve().parent / "data" / "themed-days.csv"


def load_themed_days(themed_day_model) -> int:
    """Create the themed days of the reference list that are missing; return how many."""
    created = 0
    with THEMED_DAYS_CSV.open(encoding="utf-8") as handle:
        for order, row in enumerate(csv.DictReader(handle), start=1):
            _day, was_created = themed_day_model.objects.get_or_create(
                name=row["name_zh"],
                defaults={
                    "name_en": row["name_en"],
                    "rule": row["rule"],
                    "days": int(row["days"] or 1),
                    "suggested_category": row["suggested_category"],
                    "sort_order": order,
                },
            )
            created += was_created
    return created
