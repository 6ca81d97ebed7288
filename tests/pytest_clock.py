"""``--today``: run the whole suite as if the portal's clock read a given moment.

    pytest --today 2028-02-29T23:30     # 23:30 in Asia/Shanghai, i.e. 15:30 UTC
    pytest --today 2027-12-31           # that day at 10:00 in Asia/Shanghai

The clock is moved with time-machine before Django is set up and keeps running from there
(``tick``), in every process of the run (pytest-xdist workers receive the option too), the
live server's threads and the in-process Celery worker included. The browser's own clock is
not moved: no page computes dates in JavaScript. Tests that depend on a particular day still
pin it themselves with ``time_machine.travel``; this option shows that the rest do not depend
on the day they run on. The moment is printed in the header of the run so that a failure can
be replayed with the same option.
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

PORTAL_ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
DEFAULT_TIME = datetime.time(10, 0)

_travel: time_machine.travel | None = None
_moment: datetime.datetime | None = None


def parse_moment(value: str) -> datetime.datetime:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM[:SS]`` in Asia/Shanghai (or with an explicit offset)."""
    try:
        if "T" in value or " " in value:
            moment = datetime.datetime.fromisoformat(value)
        else:
            moment = datetime.datetime.combine(datetime.date.fromisoformat(value), DEFAULT_TIME)
    except ValueError as error:
        raise pytest.UsageError(f"--today: {value!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PORTAL_ZONE)
    return moment


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--today",
        metavar="YYYY-MM-DD[THH:MM]",
        default=None,
        help="run the suite as if the clock read this moment (Asia/Shanghai unless an offset is given)",
    )


def pytest_configure(config: pytest.Config) -> None:
    global _travel, _moment
    value = config.getoption("--today")
    if not value or _travel is not None:
        return
    _moment = parse_moment(value)
    _travel = time_machine.travel(_moment, tick=True)
    _travel.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _travel, _moment
    if _travel is not None:
        _travel.stop()
        _travel = _moment = None


def pytest_report_header(config: pytest.Config) -> str:
    if _moment is None:
        return "portal clock: the real one (pin it with --today YYYY-MM-DDTHH:MM)"
    local = _moment.astimezone(PORTAL_ZONE)
    utc = _moment.astimezone(datetime.UTC)
    return (
        f"portal clock: moved to {local:%Y-%m-%d %H:%M} Asia/Shanghai ({utc:%Y-%m-%d %H:%M} UTC); "
        f"replay with --today {local:%Y-%m-%dT%H:%M}"
    )
