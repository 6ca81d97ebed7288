"""Phone and ID numbers of people encrypted at rest, with keyed hashes for exact matches
(sanhui/crypto.py). The unique constraints move to the hashes in 0006."""

from django.db import migrations

import sanhui.crypto

FIELDS = {"phone": "phone_hash", "id_number": "id_number_hash"}


def encrypt(apps, schema_editor):
    sanhui.crypto.encrypt_columns(schema_editor, apps.get_model("organizations", "Person"), FIELDS)


def decrypt(apps, schema_editor):
    sanhui.crypto.decrypt_columns(schema_editor, apps.get_model("organizations", "Person"), FIELDS)


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0004_login_security"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="person", name="person_unique_phone"),
        migrations.RemoveConstraint(model_name="person", name="person_unique_id_number"),
        migrations.AddField(
            model_name="person",
            name="phone_hash",
            field=sanhui.crypto.LookupHashField(source="phone"),
        ),
        migrations.AddField(
            model_name="person",
            name="id_number_hash",
            field=sanhui.crypto.LookupHashField(source="id_number"),
        ),
        migrations.AlterField(
            model_name="person",
            name="phone",
            field=sanhui.crypto.EncryptedCharField(blank=True, max_length=11, verbose_name="手机号码"),
        ),
        migrations.AlterField(
            model_name="person",
            name="id_number",
            field=sanhui.crypto.EncryptedCharField(
                blank=True, help_text="选填，仅在确有需要时采集", max_length=18, verbose_name="身份证号码"
            ),
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
    ]
