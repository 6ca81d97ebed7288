"""The portal's clock: the one place that asks what day and time it is.

The machine's clock runs in UTC, but the portal's day is the district's: Asia/Shanghai, so a new
day starts at 16:00 UTC. Code that needs "now" or "today" calls ``now()`` or ``today()`` here
(or ``django.utils.timezone`` directly, which these wrap); ``datetime.date.today()``,
``datetime.datetime.now()`` and ``time.time()`` would answer in the machine's zone and are kept
out of the code base by a test (``tests/test_clock.py``). Functions that judge something on a
day take that day as a parameter, defaulting to ``today()``, so that a report of a past period
can be computed as of that period's end.
"""

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    """The current moment, timezone-aware."""
    return timezone.now()


def today() -> datetime.date:
    """Today's date in the portal's time zone (Asia/Shanghai)."""
    return timezone.localdate()
