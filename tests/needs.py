"""What a test needs from the machine, and threads that race.

CI (``CI=true``) has PostgreSQL, Redis, pg_dump and Chromium: a test that needs one of them fails
there when it is missing, and is skipped elsewhere with the reason (``need``). ``race`` runs the
same work in several threads at once, each on its own database connection, for the tests that
show the database's constraints and locks keep concurrent writes apart."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

IN_CI = os.environ.get("CI", "").lower() == "true"


def need(condition: bool, reason: str) -> None:
    """Fail in CI, skip elsewhere, when something the test needs is missing."""
    if not condition:
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)


def need_postgresql(reason: str) -> None:
    need(connection.vendor == "postgresql", reason)


def race(count: int, work: Callable[[int], object]) -> tuple[list, list]:
    """Run ``work(index)`` in ``count`` threads at once; return their results and errors."""
    results: list = [None] * count
    errors: list = []

    def run(index: int) -> None:
        try:
            results[index] = work(index)
        except Exception as error:  # collected for the test to look at
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors
