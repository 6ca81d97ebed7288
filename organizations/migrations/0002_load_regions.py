"""Load the district and its 25 towns and subdistricts from the portal's own copy of the
reference list (organizations/data/yinzhou-towns.csv). Staff may edit them afterwards."""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "yinzhou-towns.csv"
CODE_SET = "国家统计局统计用区划代码（2022-10-31）"


def load_regions(apps, schema_editor):
    Region = apps.get_model("organizations", "Region")
    district, _ = Region.objects.get_or_create(
        kind="district",
        parent=None,
        name="鄞州区",
        defaults={"name_en": "Yinzhou District", "code": "330212", "code_set": CODE_SET},
    )
    district.path = f"/{district.pk}/"
    district.save(update_fields=["path"])
    with CSV_PATH.open(encoding="utf-8") as handle:
        for order, row in enumerate(csv.DictReader(handle), start=1):
            region, _ = Region.objects.update_or_create(
                parent=district,
                name=row["name_zh"],
                defaults={
                    "name_en": row["pinyin"],
                    "kind": row["kind"],
                    "code": row["code_nbs2022"],
                    "code_set": CODE_SET,
                    "managed_by": row["managed_by"],
                    "sort_order": order,
                },
            )
            region.path = f"{district.path}{region.pk}/"
            region.save(update_fields=["path"])


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]

    operations = [migrations.RunPython(load_regions, migrations.RunPython.noop)]
