"""The whole ledger's sums per month × stream × type × organiser category
(``LedgerCategoryMonth``), filled from the month cells already kept: each cell's counts added to
the row of its organiser's category."""

from django.db import migrations, models
from django.db.models import Sum


def fill(apps, schema_editor):
    cell_model = apps.get_model("services", "LedgerMonth")
    category_model = apps.get_model("services", "LedgerCategoryMonth")
    rows = (
        cell_model.objects.order_by()
        .values_list("month", "stream", "kind", "organizer__category")
        .annotate(
            n=Sum("activities"),
            c=Sum("checkins"),
            r=Sum("reported_people"),
            ra=Sum("reported_activities"),
            h=Sum("hours_hundredths"),
        )
    )
    sql, params = rows.query.sql_with_params()
    table = schema_editor.connection.ops.quote_name(category_model._meta.db_table)
    columns = "month, stream, kind, category, activities, checkins, reported_people, reported_activities, hours_hundredths"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0007_team_years"),
    ]

    operations = [
        migrations.CreateModel(
            name="LedgerCategoryMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField(verbose_name="月份")),
                (
                    "stream",
                    models.CharField(
                        choices=[("tech_service", "科技服务"), ("popularization", "科普服务")],
                        max_length=16,
                        verbose_name="服务类别",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("tech_training", "技术讲座培训"),
                            ("field_guidance", "实地技术指导"),
                            ("free_clinic", "医疗义诊"),
                            ("rural_talent_training", "农村实用人才和新型职业农民培训"),
                            ("tech_matching", "技术对接/项目合作"),
                            ("popular_lecture", "科普宣讲"),
                            ("expert_report", "专家报告会"),
                            ("exhibition", "专题展览"),
                            ("consultation", "科技咨询"),
                            ("festival", "科技节、科普节"),
                            ("themed_day", "主题日活动"),
                            ("online", "线上科普作品"),
                        ],
                        max_length=32,
                        verbose_name="活动类型",
                    ),
                ),
                ("category", models.CharField(blank=True, max_length=32, verbose_name="主办组织类别")),
                ("activities", models.IntegerField(verbose_name="活动数")),
                ("checkins", models.BigIntegerField(verbose_name="签到人次")),
                ("reported_people", models.BigIntegerField(verbose_name="上报人次")),
                ("reported_activities", models.IntegerField(verbose_name="按上报人数计的活动数")),
                ("hours_hundredths", models.BigIntegerField(verbose_name="志愿服务时长（百分之一小时）")),
            ],
            options={
                "verbose_name": "全台账月度汇总",
                "verbose_name_plural": "全台账月度汇总",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("month", "stream", "kind", "category"),
                        name="ledgercategorymonth_one_per_cell",
                    )
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
