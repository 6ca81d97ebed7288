"""The teams' years (``TeamYear``), filled from the services already recorded. The rule is
written again here on the historical models, as a migration may not call today's code: a
service counts with its hours recorded at an activity that took place (held or verified), in
the year of the activity's start in the portal's time zone."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import BigIntegerField, Count, Sum, Value
from django.db.models.functions import Cast, ExtractYear, Round


def fill(apps, schema_editor):
    service_model = apps.get_model("services", "VolunteerService")
    team_year_model = apps.get_model("services", "TeamYear")
    rows = (
        service_model.objects.filter(
            hours__isnull=False, activity__status__in=("held", "verified"), team__isnull=False
        )
        .order_by()
        .annotate(service_year=ExtractYear("activity__starts_at"))
        .values_list("team_id", "service_year")
        .annotate(
            h=Cast(Round(Sum("hours") * Value(100)), output_field=BigIntegerField()),
            a=Count("activity", distinct=True),
            v=Count("person", distinct=True),
        )
    )
    sql, params = rows.query.sql_with_params()
    table = schema_editor.connection.ops.quote_name(team_year_model._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (team_id, year, hours_hundredths, activities, volunteers) {sql}", params
        )


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0011_person_pinyin_and_open_membership_indexes"),
        ("services", "0006_ledger_by_region"),
    ]

    operations = [
        migrations.CreateModel(
            name="TeamYear",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                (
                    "hours_hundredths",
                    models.BigIntegerField(default=0, verbose_name="服务时长（百分之一小时）"),
                ),
                ("activities", models.IntegerField(default=0, verbose_name="服务活动数")),
                ("volunteers", models.IntegerField(default=0, verbose_name="服务志愿者数")),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="years",
                        to="organizations.volunteerteam",
                        verbose_name="服务队",
                    ),
                ),
            ],
            options={
                "verbose_name": "服务队年度时长",
                "verbose_name_plural": "服务队年度时长",
                "indexes": [models.Index(fields=["year", "-hours_hundredths"], name="teamyear_year_hours")],
                "constraints": [
                    models.UniqueConstraint(fields=("team", "year"), name="teamyear_one_per_year")
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
