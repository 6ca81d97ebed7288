"""Check-in phones encrypted at rest, with a keyed hash for the one-per-phone rule
(sanhui/crypto.py). The constraint moves to the hash in 0003."""

from django.db import migrations

import sanhui.crypto

FIELDS = {"phone": "phone_hash"}


def encrypt(apps, schema_editor):
    sanhui.crypto.encrypt_columns(schema_editor, apps.get_model("services", "Attendance"), FIELDS)


def decrypt(apps, schema_editor):
    sanhui.crypto.decrypt_columns(schema_editor, apps.get_model("services", "Attendance"), FIELDS)


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="attendance", name="attendance_one_per_phone"),
        migrations.AddField(
            model_name="attendance",
            name="phone_hash",
            field=sanhui.crypto.LookupHashField(source="phone"),
        ),
        migrations.AlterField(
            model_name="attendance",
            name="phone",
            field=sanhui.crypto.EncryptedCharField(max_length=11, verbose_name="手机号码"),
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
    ]
