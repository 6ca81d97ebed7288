from django.db import migrations

from rollout.indicators import triggers


class Migration(migrations.Migration):
    """The regions' triggers also watch whether a town is counted and the towns' order."""

    dependencies = [
        ("rollout", "0008_town_standing_token"),
    ]

    operations = [migrations.RunPython(triggers.install, migrations.RunPython.noop)]
