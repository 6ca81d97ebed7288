"""Load the themed-day calendar from the portal's own copy of the reference list
(outreach/data/themed-days.csv). Staff may edit the days in the admin afterwards."""

from django.db import migrations

from outreach.reference import load_themed_days


def forwards(apps, schema_editor):
    load_themed_days(apps.get_model("outreach", "ThemedDay"))


class Migration(migrations.Migration):
    dependencies = [("outreach", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
