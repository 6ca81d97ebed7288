"""Load the district and its 25 towns and subdistricts from the portal's own copy of the
reference list (organizations/data/yinzhou-towns.csv). Staff may edit them afterwards."""

from django.db import migrations

from organizations.reference import load_regions


def forwards(apps, schema_editor):
    load_regions(apps.get_model("organizations", "Region"))


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
