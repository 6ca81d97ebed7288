"""The month calendar: seven equal columns on a desktop, a list of days on a phone, and at most
four activities a day with a link to the rest, whatever the size of the ledger."""

import datetime
import re

import pytest
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


def test_a_busy_day_shows_four_and_links_to_the_rest(client, jiangshan_admin, may):
    body = calendar_page(client, jiangshan_admin)
    cell = desktop_cell(body, 10)
    assert re.findall(r"\d\d:\d\d 五月十日第(\d)场</a>", cell) == ["1", "2", "3", "4"]
    assert "还有 2 场" in cell
    assert "date_from=2022-05-10&amp;date_to=2022-05-10" in cell
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
    assert "还有 2 场" in phone


def test_the_more_link_keeps_the_filters(client, jiangshan_admin, jiangshan, may):
    organizer = jiangshan.association.pk
    body = calendar_page(client, jiangshan_admin, organization=organizer)
    link = f"organization={organizer}&amp;date_from=2022-05-10&amp;date_to=2022-05-10"
    assert link in desktop_cell(body, 10)


def test_an_empty_month_says_so_on_a_phone(client, jiangshan_admin, may):
    client.force_login(jiangshan_admin)
    body = client.get(reverse("services:activity_calendar"), {"month": "2022-07"}).content.decode()
    assert "本月没有活动。" in body
