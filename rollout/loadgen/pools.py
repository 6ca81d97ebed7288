"""Phone numbers for the scaled data, encrypted in Python and copied into temporary tables.

Fernet cannot run inside PostgreSQL, so every number the generated rows carry is encrypted
here, once: one number per generated person (``lg_phone``, the unique constraint on people's
phones needs as many as there are people) and a bounded pool of residents who check in
(``lg_pool``), which the check-ins reuse — an activity takes a run of consecutive pool entries,
shorter than the pool, so no phone checks in twice to one activity. Each number is stored the
way the model stores it: the Fernet token under the first field key and the keyed hash
(``sanhui.crypto``) that constraints and matches use.

The numbers and names are a function of their index alone. The tokens are not (Fernet draws a
fresh IV and timestamp each time), which is why comparisons of two runs use the hashes.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterator

from django.db import connection

from organizations.demo import GIVEN_FEMALE, GIVEN_MALE, SURNAMES
from sanhui.crypto import encrypt, lookup_hash

# Mainland mobile numbers (1[3-9] and nine digits). The demo district's people use 1990574….;
# these prefixes keep the generated people and attendees apart from them and from each other.
PERSON_PHONE_PREFIX = "1991"
ATTENDEE_PHONE_PREFIX = "1992"
PHONE_DIGITS = 7
COPY_BATCH = 20_000
POOL_SEED = 20221231


def person_phone(index: int) -> str:
    return f"{PERSON_PHONE_PREFIX}{index:0{PHONE_DIGITS}d}"


def attendee_phone(index: int) -> str:
    return f"{ATTENDEE_PHONE_PREFIX}{index:0{PHONE_DIGITS}d}"


def attendee_names(count: int) -> list[str]:
    rng = random.Random(POOL_SEED)  # noqa: S311 (demo data, not secrets)
    names = []
    for _index in range(count):
        given = GIVEN_FEMALE if rng.random() < 0.5 else GIVEN_MALE
        length = 1 if rng.random() < 0.3 else 2
        names.append(rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(length)))
    return names


def _copy(table: str, columns: str, rows: Iterator[tuple]) -> None:
    """COPY ``rows`` into ``table`` in batches (values hold neither tabs nor backslashes)."""
    with connection.cursor() as cursor:
        while True:
            buffer = io.StringIO()
            written = 0
            for row in rows:
                buffer.write("\t".join(str(value) for value in row) + "\n")
                written += 1
                if written == COPY_BATCH:
                    break
            if not written:
                return
            buffer.seek(0)
            cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def _encrypted(count: int, number: Callable[[int], str]) -> Iterator[tuple[int, str, str]]:
    for index in range(count):
        phone = number(index)
        yield index, encrypt(phone), lookup_hash(phone)


def load_person_phones(count: int) -> int:
    """``lg_phone``: the encrypted phone of generated person ``g`` (0-based over all towns)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE lg_phone (g int, phone text, phone_hash varchar(64)) ON COMMIT DROP"
        )
    _copy("lg_phone", "g, phone, phone_hash", _encrypted(count, person_phone))
    return count


def load_attendee_pool(count: int) -> int:
    """``lg_pool``: the residents who check in, by index, with their names."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE lg_pool (idx int, name varchar(32), phone text, phone_hash varchar(64)) "
            "ON COMMIT DROP"
        )
    names = attendee_names(count)
    rows = (
        (index, names[index], token, digest) for index, token, digest in _encrypted(count, attendee_phone)
    )
    _copy("lg_pool", "idx, name, phone, phone_hash", rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE lg_pool")
    return count
