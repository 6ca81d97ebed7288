"""Chinese names in pinyin order (安 乐 王 叶 俞 张), the same on PostgreSQL and SQLite.

Code-point order puts 乐 (U+4E50) before 俞 before 叶 before 安, which nobody reading a list of
names expects. ``pinyin("name")`` is an ordering expression: on PostgreSQL it collates with the
ICU collation ``zh-Hans-x-icu``; SQLite has no ICU, so every new SQLite connection gets a
collation of the same name whose key comes from ``pypinyin``. Querysets write
``.order_by(pinyin("name"), "pk")``; a descending column is ``pinyin("name").desc()``.

Characters with two readings (乐 le/yue, 曾 zeng/ceng, 单 dan/shan) may take a different reading
in ICU than in pypinyin; everything else sorts the same on both.
"""

from __future__ import annotations

import functools
import unicodedata

from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models import F
from django.db.models.functions import Collate
from django.dispatch import receiver
from pypinyin import Style
from pypinyin import pinyin as _readings

from sanhui.normalize import folded

COLLATION = "zh-Hans-x-icu"


def pinyin(field: str) -> Collate:
    """An ordering expression that sorts ``field`` (a name, or ``person__name``) by pinyin."""
    return Collate(F(field), COLLATION)


def _is_han(character: str) -> bool:
    return unicodedata.name(character, "").startswith("CJK UNIFIED IDEOGRAPH")


# ICU's zh collation: spaces, punctuation and symbols, then digits, then Han characters (by
# pinyin), then letters of other scripts; full-width forms sort with their ASCII twins.
_OTHER, _DIGIT, _HAN, _LETTER = range(4)


@functools.lru_cache(maxsize=65536)
def sort_key(text: str) -> tuple:
    """The order ICU's zh collation gives, near enough for names: the whole text by group, Han
    characters by syllable, tone and character, letters and digits ignoring case and width;
    then lower case before upper. (Punctuation sorts by code point here, by ICU's own table
    there.)"""
    primary = []
    for character, reading in zip(text, _per_character(text), strict=True):
        if reading is not None:
            syllable = reading.rstrip("012345")
            primary.append((_HAN, syllable, int(reading[len(syllable) :] or 5), character))
            continue
        plain = folded(character).casefold()
        group = _DIGIT if plain.isdigit() else _LETTER if plain.isalpha() else _OTHER
        primary.append((group, plain, 0, ""))
    return (tuple(primary), folded(text).swapcase(), text)


def _per_character(text: str) -> list[str | None]:
    readings: list[str | None] = [None] * len(text)
    han = [index for index, character in enumerate(text) if _is_han(character)]
    if han:
        found = _readings([text[index] for index in han], style=Style.TONE3, heteronym=False)
        for index, reading in zip(han, found, strict=True):
            readings[index] = reading[0] if reading else None
    return readings


def compare(left: str | None, right: str | None) -> int:
    if left == right:
        return 0
    if left is None or right is None:
        return -1 if left is None else 1
    left_key, right_key = sort_key(left), sort_key(right)
    return (left_key > right_key) - (left_key < right_key)


def register(connection) -> None:
    """Give an SQLite connection the collation ``pinyin()`` names; other vendors have their own."""
    if connection.vendor == "sqlite" and connection.connection is not None:
        connection.connection.create_collation(COLLATION, compare)


@receiver(connection_created, dispatch_uid="sanhui.collation")
def _on_connection_created(sender, connection, **kwargs) -> None:
    register(connection)


# A connection opened before this module was imported (a shell, a management command) gets it too.
for _connection in connections.all(initialized_only=True):
    register(_connection)
