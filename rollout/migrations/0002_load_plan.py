"""Load the plan's four phases and the three stages of its implementation phase, with the
dates of the programme year 2022 (rollout/reference.py). District staff edit them afterwards."""

from django.db import migrations

from rollout.reference import load_plan


def forwards(apps, schema_editor):
    load_plan(apps.get_model("rollout", "Phase"), apps.get_model("rollout", "Stage"))


class Migration(migrations.Migration):
    dependencies = [("rollout", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
