"""Pages in English write dates and lists as English does: the public calendar's dates come from
the language's formats (Dec. 5, 2026 and December 6, not 12月6日), and the dashboards join the
conditions a town fails and the categories it lacks with ", ", not "、".

The English reader is chosen by the language cookie, as the language menu sets it; the Chinese
reader of the same page still reads 12月6日 (sanhui/locale_formats/zh_Hans).
"""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from services import actions
from tests import factories as f
from tests.district import build_district
from tests.services.factories import ActivityFactory

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_default_timezone()
# Tuesday 1 December 2026, 10:00 in Shanghai.
TUESDAY_MORNING = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
END_OF_2022 = datetime.datetime(2022, 12, 31, 12, 0, tzinfo=SHANGHAI)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def two_day_exhibition(jiangshan, jiangshan_admin):
    """A public exhibition from Saturday 5 December 2026, 14:00, to Sunday 6 December, 11:00."""
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        exhibition = ActivityFactory(
            title="姜山科普展览",
            kind="exhibition",
            organizer=jiangshan.association,
            status="planned",
            starts_at=datetime.datetime(2026, 12, 5, 14, 0, tzinfo=SHANGHAI),
            ends_at=datetime.datetime(2026, 12, 6, 11, 0, tzinfo=SHANGHAI),
        )
        actions.activity_publish(actor=jiangshan_admin, activity=exhibition, publish=True)
    return exhibition


def hours_of(page: str, activity) -> str:
    """The event's time span, as its row on the calendar shows it."""
    start = page.index('class="text-nowrap small">', page.index(f'id="event-{activity.pk}"'))
    return page[page.index(">", start) + 1 : page.index("</div>", start)]


def test_the_public_calendar_writes_english_dates(client, two_day_exhibition):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        page = english(client).get(reverse("outreach:public_events")).content.decode()
    assert "Dec. 5, 2026" in page and "Saturday" in page
    assert hours_of(page, two_day_exhibition) == "14:00—December 6 11:00"
    assert "月" not in page and "日" not in page


def test_the_public_calendar_still_writes_chinese_dates_in_chinese(client, two_day_exhibition):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        page = client.get(reverse("outreach:public_events")).content.decode()
    assert "2026年12月5日" in page
    assert hours_of(page, two_day_exhibition) == "14:00—12月6日 11:00"


@pytest.fixture
def district(db):
    return build_district()


def tile_of(page: str, town: str) -> str:
    start = page.index(f'data-town="{town}"')
    return page[page.rindex("<a ", 0, start) : page.index("</a>", start)]


def test_the_district_dashboard_lists_failing_conditions_with_commas(client, district):
    """云龙镇 fails two conditions in 2022Q4 (tests/district.py): both in its tile's text and
    in its tooltip, joined as English joins them."""

    client.force_login(district.district_staff)
    with time_machine.travel(END_OF_2022, tick=False):
        page = english(client).get(reverse("dashboards:district"), {"period": "2022Q4"}).content.decode()
    failing = "Not met: Three Heads in the leadership, All three associations in place"
    tile = tile_of(page, "云龙镇")
    assert tile.count(failing) == 2
    assert "、" not in page
    assert "月" not in page and "日" not in page


def test_a_town_dashboard_lists_missing_categories_with_commas(client, district):
    """东吴镇 has no association at all: it lacks every category of the three associations."""

    town = f.region("东吴镇")
    client.force_login(district.district_staff)
    with time_machine.travel(END_OF_2022, tick=False):
        page = (
            english(client)
            .get(reverse("dashboards:town"), {"period": "2022Q4", "region": town.pk})
            .content.decode()
        )
    assert (
        "Missing categories (three associations): "
        "Production services, Ecology services, Life &amp; health services"
    ) in page
    assert "、" not in page
    assert "月" not in page and "日" not in page
