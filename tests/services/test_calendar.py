"""The month calendar: seven equal columns on a desktop, a list of days on a phone, and at most
three activities a day with a link to the day's page for the rest, whatever the size of the
ledger; the day's page lists them all, a page at a time, scoped as the calendar is."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.services.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def on(day: int, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2022, 5, day, hour, 0))


@pytest.fixture
def may(jiangshan, wuxiang):
    for hour in range(8, 14):  # six on 10 May, 08:00 … 13:00
        title = f"五月十日第{hour - 7}场"
        ActivityFactory(title=title, organizer=jiangshan.association, starts_at=on(10, hour))
    ActivityFactory(title="五月讲座", organizer=jiangshan.association, starts_at=on(20, 9))
    ActivityFactory(title="五乡五月", organizer=wuxiang.association, starts_at=on(10, 7))
    # 23:30 on 31 May in Shanghai is 15:30 UTC: still 31 May; 00:30 on 1 June is in June.
    late = on(31, 23).replace(minute=30)
    ActivityFactory(title="月末夜场", organizer=jiangshan.association, starts_at=late)
    ActivityFactory(
        title="六月首场",
        organizer=jiangshan.association,
        starts_at=timezone.make_aware(datetime.datetime(2022, 6, 1, 0, 30)),
    )


def calendar_page(client, user, **params) -> str:
    client.force_login(user)
    return client.get(reverse("services:activity_calendar"), {"month": "2022-05", **params}).content.decode()


def desktop_cell(body: str, day: int) -> str:
    start = body.index('class="table table-bordered mb-0 activity-calendar"')
    table = body[start : body.index('id="calendar-days"')]
    cells = re.findall(r"<td[^>]*>\s*<div class=\"small fw-semibold\">(\d+)</div>(.*?)</td>", table, re.S)
    in_may = [content for number, content in cells if number == str(day)]
    return in_may[-1] if day < 7 else in_may[0]


def test_a_busy_day_shows_three_and_links_to_the_rest(client, jiangshan_admin, may):
    body = calendar_page(client, jiangshan_admin)
    cell = desktop_cell(body, 10)
    assert re.findall(r"\d\d:\d\d 五月十日第(\d)场</a>", cell) == ["1", "2", "3"]
    assert "还有 3 项" in cell
    assert 'href="/services/activities/calendar/2022-05-10/"' in cell
    assert "五乡五月" not in body  # another town's activity on the same day


def test_the_day_is_the_portals_day(client, jiangshan_admin, may):
    body = calendar_page(client, jiangshan_admin)
    assert "月末夜场" in desktop_cell(body, 31)
    assert "六月首场" in desktop_cell(body, 1)  # 1 June, in the last row, outside the month


def test_the_phone_list_holds_only_the_days_with_activities(client, jiangshan_admin, may):
    body = calendar_page(client, jiangshan_admin)
    phone = body[body.index('id="calendar-days"') :]
    phone = phone[: phone.index("</main>")] if "</main>" in phone else phone
    days = re.findall(r'card-header py-1 small fw-semibold">([^<]+)<', phone)
    assert [day.split()[0] for day in days] == ["5月10日", "5月20日", "5月31日"]
    assert "六月首场" not in phone
    assert "还有 3 项" in phone


def test_the_more_link_keeps_the_filters(client, jiangshan_admin, jiangshan, may):
    organizer = jiangshan.association.pk
    body = calendar_page(client, jiangshan_admin, organization=organizer)
    link = f'href="/services/activities/calendar/2022-05-10/?organization={organizer}"'
    assert link in desktop_cell(body, 10)


def test_an_empty_month_says_so_on_a_phone(client, jiangshan_admin, may):
    client.force_login(jiangshan_admin)
    body = client.get(reverse("services:activity_calendar"), {"month": "2022-07"}).content.decode()
    assert "本月没有活动。" in body


# --------------------------------------------------------------------------- a busy day


def busy_day(organizer, count: int, first: int = 1) -> None:
    """``count`` activities of ``organizer`` on 12 May 2022, one a minute from 08:00, numbered
    from ``first`` (titles of one length, so that pages of two sizes can be weighed)."""
    start = on(12, 8)
    for number in range(first, first + count):
        ActivityFactory(
            title=f"忙日第{number:03d}场",
            organizer=organizer,
            starts_at=start + datetime.timedelta(minutes=number),
        )


def day_page(client, user, day: str = "2022-05-12", **params):
    client.force_login(user)
    return client.get(reverse("services:activity_day", args=[day]), params)


def test_a_day_with_forty_activities_shows_three_and_says_how_many_more(client, jiangshan_admin, jiangshan):
    busy_day(jiangshan.association, 40)
    cell = desktop_cell(calendar_page(client, jiangshan_admin), 12)
    assert re.findall(r"忙日第(\d+)场</a>", cell) == ["001", "002", "003"]
    assert "还有 37 项" in cell
    assert reverse("services:activity_day", args=["2022-05-12"]) in cell


def test_the_day_page_lists_every_activity_of_the_day_in_start_order(client, jiangshan_admin, jiangshan, may):
    busy_day(jiangshan.association, 40)
    response = day_page(client, jiangshan_admin)
    assert response.status_code == 200
    body = response.content.decode()
    assert re.findall(r"忙日第(\d+)场</a>", body) == [f"{n:03d}" for n in range(1, 41)]
    assert "五月十日" not in body and "五月讲座" not in body  # other days
    # 首页 › 服务活动 › 活动月历 (the month of the day) › the day
    assert 'href="/services/activities/calendar/?month=2022-05"' in body
    assert "2022年5月12日" in body


def test_the_day_page_is_the_portals_day(client, jiangshan_admin, may):
    body = day_page(client, jiangshan_admin, "2022-05-31").content.decode()
    assert "月末夜场" in body and "六月首场" not in body


def test_the_day_page_keeps_the_calendars_filters(client, jiangshan_admin, jiangshan, may):
    busy_day(jiangshan.association, 2)
    ActivityFactory(title="忙日农技", organizer=jiangshan.association, starts_at=on(12, 15))
    body = day_page(client, jiangshan_admin, q="农技").content.decode()
    assert "忙日农技" in body and "忙日第001场" not in body


def test_another_towns_admin_sees_none_of_ours_on_the_day_page(client, wuxiang_admin, jiangshan, may):
    busy_day(jiangshan.association, 5)
    response = day_page(client, wuxiang_admin, "2022-05-10")
    assert response.status_code == 200
    body = response.content.decode()
    assert "五乡五月" in body  # their own activity of that day
    assert "五月十日" not in body
    body = day_page(client, wuxiang_admin).content.decode()
    assert "忙日" not in body and "这一天没有活动。" in body
    # Naming our organisation in the filter finds nothing either.
    body = day_page(client, wuxiang_admin, organization=jiangshan.association.pk).content.decode()
    assert "忙日" not in body


@pytest.mark.parametrize("day", ["2022-02-30", "2022-13-01", "1999-12-31"])
def test_a_day_that_is_not_a_date_is_not_found(client, jiangshan_admin, day):
    assert day_page(client, jiangshan_admin, day).status_code == 404


def test_the_month_weighs_the_same_and_costs_the_same_queries_however_busy_a_day(
    client, jiangshan_admin, jiangshan, may
):
    busy_day(jiangshan.association, 40)
    calendar_page(client, jiangshan_admin)  # the session and the scope, cached from here on

    def weigh() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("services:activity_calendar"), {"month": "2022-05"})
        return len(response.content), len(captured)

    small = weigh()
    busy_day(jiangshan.association, 50, first=41)  # 90 on the day: "还有 87 项", as long as "还有 37 项"
    large = weigh()
    body = client.get(reverse("services:activity_calendar"), {"month": "2022-05"}).content.decode()
    assert "还有 87 项" in desktop_cell(body, 12)
    assert small == large
