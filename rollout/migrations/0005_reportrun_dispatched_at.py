from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rollout", "0004_quarter_closing"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportrun",
            name="dispatched_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="提交队列时间"),
        ),
    ]
