"""One check-in per phone per activity, enforced on the phone's keyed hash."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0002_attendance_phone_encrypted"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="attendance",
            constraint=models.UniqueConstraint(
                fields=("activity", "phone_hash"),
                name="attendance_one_per_phone",
                violation_error_message="该手机号码已签到过本次活动。",
            ),
        ),
    ]
