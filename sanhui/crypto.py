"""Personal data at rest (PIPL Art. 51; GB/T 35273-2020 6.3): phone and resident ID numbers.

A number is stored encrypted with Fernet (AES-128-CBC with an HMAC-SHA256 tag) under the keys of
``SANHUI_FIELD_KEYS``: the first encrypts, every one listed decrypts, so that keys can be
rotated (``manage.py rotate_field_keys``). Ciphertext cannot be compared, so each encrypted
column has a sibling holding a keyed hash of the normalised value (HMAC-SHA256 under
``SANHUI_LOOKUP_KEY``): the unique constraints sit on the hash, and every exact match — a
duplicate registration, a phone already checked in, a search by number — compares hashes.
Neither column can be read or guessed from the database alone; the keys live in the
environment. In development (``DEBUG``) settings derive both from ``SECRET_KEY``; without
``DEBUG`` a missing or malformed key is a system-check error.

In Python the model attribute is the plain number (``EncryptedCharField``), so pages, exports
and masking work as before; the hash attribute (``LookupHashField``) always reads as the hash
of the current plain value, saved or not, so that the two cannot disagree. Write the numbers
through the model (``save()``, or ``bulk_update`` naming the hash field too), never with
``QuerySet.update()``, which would leave the hash behind.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
from collections.abc import Callable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models, transaction

logger = logging.getLogger(__name__)

MIN_LOOKUP_KEY_LENGTH = 32


class UndecryptableValue(ImproperlyConfigured):
    """A stored value none of the configured keys decrypts."""


@functools.lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("SANHUI_FIELD_KEYS is empty: personal data cannot be encrypted.")
    return MultiFernet([Fernet(key) for key in keys])


def field_keys() -> tuple[str, ...]:
    return tuple(settings.SANHUI_FIELD_KEYS)


def encrypt(value: str, *, keys: tuple[str, ...] | None = None) -> str:
    """The Fernet token of ``value`` under the first key."""
    return _multi_fernet(keys or field_keys()).encrypt(value.encode()).decode("ascii")


def decrypt(token: str, *, keys: tuple[str, ...] | None = None) -> str:
    try:
        return _multi_fernet(keys or field_keys()).decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise UndecryptableValue(
            "A stored personal number cannot be decrypted with SANHUI_FIELD_KEYS: a key that "
            "encrypted it is missing from the list."
        ) from None


def lookup_hash(value: str, *, key: str | None = None) -> str:
    """The keyed hash that exact matches compare; empty for an empty value (a number not
    given), so that "no number" stays visible to the constraints' conditions."""
    if not value:
        return ""
    key = settings.SANHUI_LOOKUP_KEY if key is None else key
    if not key:
        raise ImproperlyConfigured("SANHUI_LOOKUP_KEY is empty: personal numbers cannot be matched.")
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------- fields


class EncryptedCharField(models.CharField):
    """Plain text in Python, a Fernet token in the database (a text column: the token is longer
    than the value; ``max_length`` limits the plain value). An empty value is stored empty.

    The ciphertext cannot be searched: any lookup but ``isnull`` raises, and exact matches go
    through the hash column that names this field as its ``source``."""

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.model.__name__}.{self.name} is stored encrypted and cannot be filtered with "
            f"'{lookup_name}'; compare its hash column with sanhui.crypto.lookup_hash() instead."
        )

    def get_transform(self, lookup_name):
        return None


class _HashOfSource:
    """The attribute of a ``LookupHashField``: the hash of the source field's current value.
    What is assigned (a value read from the database) is kept only so that Django counts the
    field as loaded; reading always recomputes it under the current lookup key."""

    def __init__(self, field: LookupHashField):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return lookup_hash(getattr(instance, self.field.source))

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class LookupHashField(models.CharField):
    """The keyed hash (``lookup_hash``) of the encrypted field named ``source``: what unique
    constraints and exact matches use. It is derived, never edited."""

    descriptor_class = _HashOfSource

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("blank", True), ("default", ""), ("editable", False)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedCharField, LookupHashField | None]]:
    """Every encrypted field of the installed models, with the hash field of each."""
    found = []
    for model in apps.get_models():
        hashes = {
            field.source: field for field in model._meta.concrete_fields if isinstance(field, LookupHashField)
        }
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedCharField):
                found.append((model, field, hashes.get(field.name)))
    return found


# --------------------------------------------------------------------------- keys


def check_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """System check: the keys personal data needs are configured and well formed."""
    errors = []
    keys = list(getattr(settings, "SANHUI_FIELD_KEYS", []) or [])
    if not keys:
        errors.append(
            checks.Error(
                "SANHUI_FIELD_KEYS is not set: phone and ID numbers cannot be encrypted.",
                hint="Set SANHUI_FIELD_KEYS to one or more Fernet keys, comma-separated (the first "
                'encrypts); make one with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"',
                id="sanhui.E101",
            )
        )
    for index, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            errors.append(
                checks.Error(
                    f"Key {index} of SANHUI_FIELD_KEYS is not a Fernet key (32 url-safe base64 bytes).",
                    id="sanhui.E102",
                )
            )
    lookup_key = getattr(settings, "SANHUI_LOOKUP_KEY", "") or ""
    if len(lookup_key) < MIN_LOOKUP_KEY_LENGTH:
        errors.append(
            checks.Error(
                f"SANHUI_LOOKUP_KEY is missing or shorter than {MIN_LOOKUP_KEY_LENGTH} characters: "
                "duplicate checks on phone and ID numbers need it.",
                hint='Make one with: python -c "import secrets; print(secrets.token_urlsafe(32))"',
                id="sanhui.E103",
            )
        )
    elif lookup_key in keys:
        errors.append(
            checks.Error("SANHUI_LOOKUP_KEY must differ from the encryption keys.", id="sanhui.E104")
        )
    return errors


def rotate_all(*, old_lookup_key: str = "", batch_size: int = 500, progress: Callable | None = None) -> dict:
    """Re-encrypt every personal number under the first key of SANHUI_FIELD_KEYS and recompute
    every hash under SANHUI_LOOKUP_KEY, in one transaction; returns {model label: rows}.

    With ``old_lookup_key`` each stored hash must first match the old key (or already the new
    one): a mismatch means the old key given is wrong, and nothing is changed."""
    counts: dict[str, int] = {}
    by_model: dict[type[models.Model], list[tuple[EncryptedCharField, LookupHashField | None]]] = {}
    for model, field, hash_field in encrypted_fields():
        by_model.setdefault(model, []).append((field, hash_field))
    with transaction.atomic():
        for model, pairs in by_model.items():
            counts[model._meta.label] = _rotate_model(model, pairs, old_lookup_key, batch_size)
            if progress is not None:
                progress(model, counts[model._meta.label])
    logger.info("Personal data re-encrypted under the first field key: %s", counts)
    return counts


def _rotate_model(model, pairs, old_lookup_key: str, batch_size: int) -> int:
    names = [field.attname for field, _hash in pairs]
    hash_names = [hash_field.attname for _field, hash_field in pairs if hash_field is not None]
    queryset = model._base_manager.order_by("pk").select_for_update()
    rows = 0
    batch = []
    for values in queryset.values("pk", *names, *hash_names).iterator(chunk_size=batch_size):
        if old_lookup_key:
            for field, hash_field in pairs:
                if hash_field is None:
                    continue
                stored, plain = values[hash_field.attname], values[field.attname]
                if stored not in (lookup_hash(plain, key=old_lookup_key), lookup_hash(plain)):
                    raise ImproperlyConfigured(
                        f"The stored hash of {model._meta.label} {values['pk']} matches neither the old "
                        "nor the new lookup key: the old key given is wrong. Nothing was changed."
                    )
        instance = model(pk=values["pk"], **{name: values[name] for name in names})
        batch.append(instance)
        rows += 1
        if len(batch) >= batch_size:
            model._base_manager.bulk_update(batch, [*names, *hash_names], batch_size=batch_size)
            batch = []
    if batch:
        model._base_manager.bulk_update(batch, [*names, *hash_names], batch_size=batch_size)
    return rows


# --------------------------------------------------------------------------- migrations


def encrypt_columns(schema_editor, model, fields: dict[str, str]) -> None:
    """For a migration: encrypt the plain values of ``fields`` ({column: hash column}) of
    ``model``'s table in place and fill in their hashes. SQL of its own, because the historical
    model already reads the columns as ciphertext."""
    _rewrite_columns(schema_editor, model, fields, encrypting=True)


def decrypt_columns(schema_editor, model, fields: dict[str, str]) -> None:
    """For a migration's reverse: the plain values back, the hashes emptied."""
    _rewrite_columns(schema_editor, model, fields, encrypting=False)


def _rewrite_columns(schema_editor, model, fields: dict[str, str], *, encrypting: bool) -> None:
    quote = schema_editor.connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    columns = list(fields)
    assignments = ", ".join(f"{quote(name)} = %s" for name in [*columns, *fields.values()])
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {', '.join(quote(c) for c in columns)} FROM {table}")  # noqa: S608
        rows = cursor.fetchall()
        updates = []
        for pk_value, *values in rows:
            if encrypting:
                new = [encrypt(value) if value else "" for value in values]
                hashes = [lookup_hash(value or "") for value in values]
            else:
                new = [decrypt(value) if value else "" for value in values]
                hashes = ["" for _value in values]
            updates.append([*new, *hashes, pk_value])
        if updates:
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", updates)  # noqa: S608
