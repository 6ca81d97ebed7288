"""The portal's day is Asia/Shanghai's, whatever the machine's clock says.

The machine runs in UTC, so from 16:00 to midnight UTC the two disagree on the date. Code asks
``sanhui.clock`` (or ``django.utils.timezone``); calls that read the machine's own zone are
kept out of the code base by a scan of its source.
"""

from __future__ import annotations

import ast
import datetime
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError

from organizations.validators import validate_resident_id
from sanhui import clock

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("sanhui", "organizations", "services", "outreach", "rollout", "tests")
# (object, attribute) calls that answer in the machine's time zone, or bypass the portal's clock.
FORBIDDEN = {
    ("date", "today"),
    ("datetime", "today"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "utcfromtimestamp"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "localtime"),
    ("time", "gmtime"),
    ("time", "ctime"),
}
FORBIDDEN_IMPORTS = {("time", "time"), ("time", "localtime"), ("time", "gmtime"), ("time", "time_ns")}


def _attribute_chain(node: ast.AST) -> tuple[str, ...]:
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        names.append(node.id)
    return tuple(reversed(names))


def clock_calls(source: str) -> list[tuple[int, str]]:
    """Lines of ``source`` that read the machine's clock directly."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            chain = _attribute_chain(node.func)
            # datetime.now(tz=…) with an explicit zone is still the machine's clock.
            if len(chain) >= 2 and chain[-2:] in FORBIDDEN:
                found.append((node.lineno, ".".join(chain)))
        if isinstance(node, ast.ImportFrom) and node.module == "time":
            for alias in node.names:
                if ("time", alias.name) in FORBIDDEN_IMPORTS:
                    found.append((node.lineno, f"from time import {alias.name}"))
    return found


def test_no_code_reads_the_machine_clock_directly():
    offenders = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for line, call in clock_calls(path.read_text(encoding="utf-8")):
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {call}()")
    assert not offenders, "use sanhui.clock.today()/now() instead:\n" + "\n".join(offenders)


def test_the_scan_finds_what_it_forbids():
    source = textwrap.dedent(
        """
        import datetime, time
        from time import localtime
        a = datetime.date.today()
        b = datetime.datetime.now(datetime.UTC)
        c = time.time()
        d = time.monotonic()
        e = timezone.localdate()
        """
    )
    assert [line for line, _call in clock_calls(source)] == [3, 4, 5, 6]


def test_the_portal_runs_on_shanghai_time():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


@pytest.mark.parametrize(
    ("utc", "day"),
    [
        ((2027, 12, 31, 15, 59, 59), datetime.date(2027, 12, 31)),
        ((2027, 12, 31, 16, 0, 0), datetime.date(2028, 1, 1)),
        ((2028, 2, 28, 16, 0, 0), datetime.date(2028, 2, 29)),
        ((2028, 2, 29, 16, 0, 0), datetime.date(2028, 3, 1)),
        ((2027, 3, 31, 16, 0, 0), datetime.date(2027, 4, 1)),
        ((2027, 6, 30, 15, 59, 59), datetime.date(2027, 6, 30)),
    ],
)
def test_a_new_day_starts_at_16_utc(utc, day):
    with time_machine.travel(datetime.datetime(*utc, tzinfo=datetime.UTC), tick=False):
        assert clock.today() == day
        assert clock.now().astimezone(datetime.UTC) == datetime.datetime(*utc, tzinfo=datetime.UTC)


def test_a_birth_date_of_today_is_accepted_at_00_30_in_shanghai():
    # 330203 + 20280101 + sequence; born "today" in Shanghai, still "tomorrow" for UTC.
    body = "33020320280101123"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    number = body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    with time_machine.travel(datetime.datetime(2027, 12, 31, 16, 30, tzinfo=datetime.UTC), tick=False):
        validate_resident_id(number)
    before = datetime.datetime(2027, 12, 31, 15, 30, tzinfo=datetime.UTC)
    with time_machine.travel(before, tick=False), pytest.raises(ValidationError, match="出生日期"):
        validate_resident_id(number)


def test_the_today_option_moves_the_clock_for_a_whole_run(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "test_moved.py").write_text(
        textwrap.dedent(
            """
            import datetime

            def test_clock():
                moment = datetime.datetime.now(datetime.UTC)
                assert (moment.year, moment.month, moment.day, moment.hour) == (2028, 2, 29, 15)
            """
        ),
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.pytest_clock"]
    command += ["-c", str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path)]
    run = subprocess.run(
        [*command, "--today", "2028-02-29T23:30", "-v", str(tmp_path / "test_moved.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "portal clock: moved to 2028-02-29 23:30 Asia/Shanghai (2028-02-29 15:30 UTC)" in run.stdout
    assert "replay with --today 2028-02-29T23:30" in run.stdout
    wrong = subprocess.run(
        [*command, "--today", "29/02/2028", str(tmp_path / "test_moved.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wrong.returncode == 4
    assert "is not YYYY-MM-DD" in wrong.stderr
