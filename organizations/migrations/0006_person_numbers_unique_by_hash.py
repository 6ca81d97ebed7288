"""A phone or ID number is registered once: the unique constraints sit on the keyed hashes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0005_person_numbers_encrypted"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(
                condition=models.Q(("phone_hash", ""), _negated=True),
                fields=("phone_hash",),
                name="person_unique_phone",
                violation_error_message="该手机号码已被登记。",
            ),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(
                condition=models.Q(("id_number_hash", ""), _negated=True),
                fields=("id_number_hash",),
                name="person_unique_id_number",
                violation_error_message="该身份证号码已被登记。",
            ),
        ),
    ]
