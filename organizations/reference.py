"""Reference data the portal ships with: the district and its towns and subdistricts.

``load_regions`` is used by the data migration (with the historical model) and by anything
that must restore the reference regions after tables were emptied (browser tests flush the
database between tests). It is idempotent: existing regions are updated in place, never
duplicated, and staff edits to fields the file does not carry are kept.
"""

import csv
from pathlib import Path

TOWNS_CSV = Path(__file__).resolve().parent / "data" / "yinzhou-towns.csv"
CODE_SET = "国家统计局统计用区划代码（2022-10-31）"
KIND_EN = {"town": "Town", "subdistrict": "Subdistrict"}


def load_regions(region_model) -> int:
    """Create or update 鄞州区 and its 25 towns and subdistricts; return how many were loaded."""
    district, _ = region_model.objects.get_or_create(
        kind="district",
        parent=None,
        name="鄞州区",
        defaults={"name_en": "Yinzhou District", "code": "330212", "code_set": CODE_SET},
    )
    region_model.objects.filter(pk=district.pk).update(path=f"/{district.pk}/")
    count = 0
    with TOWNS_CSV.open(encoding="utf-8") as handle:
        for order, row in enumerate(csv.DictReader(handle), start=1):
            region, _ = region_model.objects.update_or_create(
                parent=district,
                name=row["name_zh"],
                defaults={
                    "name_en": f"{row['pinyin']} {KIND_EN[row['kind']]}",
                    "kind": row["kind"],
                    "code": row["code_nbs2022"],
                    "code_set": CODE_SET,
                    "managed_by": row["managed_by"],
                    "sort_order": order,
                },
            )
            region_model.objects.filter(pk=region.pk).update(path=f"/{district.pk}/{region.pk}/")
            count += 1
    return count
