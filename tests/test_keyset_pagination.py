"""List pages are read by keyset (organizations.pagination): 首页 / 上一页 / 下一页 / 末页 follow the
list's order whatever it is sorted by, a cursor is signed and bound to its list and sort, the
total is exact up to a bound, and a cursor never reaches a row outside the user's scope.

Page sizes are made small (``PAGE_SIZE`` 2) so that a handful of rows, written here by hand,
fills several pages.
"""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from organizations import pagination
from organizations.models import Person
from tests import factories as f
from tests.services import factories as sf

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr("organizations.viewutils.PAGE_SIZE", 2)


def names(response, attribute: str = "name") -> list[str]:
    assert response.status_code == 200
    return [getattr(row, attribute) for row in response.context["page"]]


def follow(client, url: str, response, link: str):
    query = getattr(response.context["page"], f"{link}_query")
    assert query, f"no {link} link"
    return client.get(f"{url}?{query}")


# --------------------------------------------------------------------------- people by pinyin


@pytest.fixture
def five(jiangshan):
    """Five members of 姜山镇科协 besides the conftest world's; pinyin order 安 白 王 叶 张."""
    for name, employer in (("张伟", ""), ("叶青", "乙校"), ("安琪", ""), ("王芳", "甲校"), ("白雪", "")):
        f.MembershipFactory(
            person=f.PersonFactory(name=name, employer=employer), organization=jiangshan.association
        )


def test_first_next_previous_last_by_a_pinyin_column(client, district_user, five, small_pages):
    client.force_login(district_user)
    url = reverse("organizations:person_list")
    ours = ["安琪", "白雪", "王芳", "叶青", "张伟"]
    first = client.get(url, {"sort": "name"})
    assert first.context["page"].is_first and not first.context["page"].previous_query
    rows = list(first.context["page"])
    response = first
    while response.context["page"].next_query:
        response = follow(client, url, response, "next")
        rows += list(response.context["page"])
    assert [person.name for person in rows if person.name in ours] == ours
    assert sorted(person.pk for person in rows) == sorted(Person.objects.values_list("pk", flat=True))
    # The last page is the last two rows; from it back by 上一页 gives the same rows in the same
    # order (the first page, reached when less than a page is left, is a full page again).
    last = follow(client, url, first, "last")
    assert last.context["page"].is_last and not last.context["page"].next_query
    assert list(last.context["page"]) == rows[-2:]
    back = list(last.context["page"])
    response = last
    while response.context["page"].previous_query:
        response = follow(client, url, response, "previous")
        back = list(response.context["page"]) + back
    assert list(dict.fromkeys(person.pk for person in back)) == [person.pk for person in rows]
    # 首页 leads back to the first page.
    assert names(follow(client, url, last, "first")) == names(first)


def test_the_last_page_is_shown_in_the_lists_order(client, district_user, jiangshan, small_pages):
    client.force_login(district_user)
    for name in ("安一", "安二", "安三"):
        f.MembershipFactory(person=f.PersonFactory(name=name), organization=jiangshan.association)
    url = reverse("organizations:person_list")
    first = client.get(url, {"q": "安", "sort": "-name"})
    # 安一 (yi) > 安三 (san) > 安二 (er) in pinyin, descending.
    assert names(first) == ["安一", "安三"]
    # The last page is the first page of the reversed order, a full page, in the list's order;
    # fewer than a page before it: 上一页 is the first page.
    last = follow(client, url, first, "last")
    assert names(last) == ["安三", "安二"]
    assert names(follow(client, url, last, "previous")) == ["安一", "安三"]


def test_links_keep_filters_and_sort(client, district_user, jiangshan, small_pages):
    client.force_login(district_user)
    for name in ("安一", "安二", "安三", "王五"):
        f.MembershipFactory(person=f.PersonFactory(name=name), organization=jiangshan.association)
    url = reverse("organizations:person_list")
    page = client.get(url, {"q": "安", "sort": "name"}).context["page"]
    for query in (page.next_query, page.last_query):
        parsed = parse_qs(query)
        assert parsed["q"] == ["安"] and parsed["sort"] == ["name"] and len(parsed["cursor"]) == 1
    second = client.get(f"{url}?{page.next_query}")
    assert names(second) == ["安一"]
    assert "王五" not in names(second)


# --------------------------------------------------------------------------- a nullable column


def test_a_nullable_column_keeps_empty_values_last_both_ways(client, district_user, jiangshan, small_pages):
    """Seats sorted by term end: open terms (no end) come last ascending and descending, and the
    pages between them lose and repeat nothing."""
    client.force_login(district_user)
    org = jiangshan.association
    ends = [datetime.date(2030, 1, 1), None, datetime.date(2029, 1, 1), None, datetime.date(2031, 1, 1)]
    for index, end in enumerate(ends):
        f.SeatFactory(
            organization=org,
            person=f.PersonFactory(name=f"任期{index}"),
            term_start=datetime.date(2020, 1, 1),
            term_end=end,
        )
    url = reverse("organizations:seat_list")
    for sort, expected_ends in (
        ("term_end", [datetime.date(2029, 1, 1), datetime.date(2030, 1, 1), datetime.date(2031, 1, 1)]),
        ("-term_end", [datetime.date(2031, 1, 1), datetime.date(2030, 1, 1), datetime.date(2029, 1, 1)]),
    ):
        response = client.get(url, {"organization": org.pk, "sort": sort})
        rows = list(response.context["page"])
        while response.context["page"].next_query:
            response = follow(client, url, response, "next")
            rows += list(response.context["page"])
        ours = [seat for seat in rows if seat.person.name.startswith("任期")]
        assert [seat.term_end for seat in ours] == [*expected_ends, None, None], sort
        assert len({seat.pk for seat in rows}) == len(rows)
        # Backwards from the last page: the same rows.
        response = follow(client, url, client.get(url, {"organization": org.pk, "sort": sort}), "last")
        back = list(response.context["page"])
        while response.context["page"].previous_query:
            response = follow(client, url, response, "previous")
            back = list(response.context["page"]) + back
        assert list(dict.fromkeys(seat.pk for seat in back)) == [seat.pk for seat in rows], sort


# --------------------------------------------------------------------------- bad cursors


@pytest.mark.parametrize(
    "cursor",
    ["", "x", "not:a:cursor", "a" * 3000, "eyJkIjoiYSJ9:1abc:def", "\x00", "１２３"],
)
def test_a_tampered_cursor_gives_the_first_page(client, district_user, five, small_pages, cursor):
    client.force_login(district_user)
    url = reverse("organizations:person_list")
    first = names(client.get(url, {"sort": "name"}))
    assert names(client.get(url, {"sort": "name", "cursor": cursor})) == first


def test_a_cursor_from_another_sort_or_list_gives_the_first_page(client, district_user, five, small_pages):
    client.force_login(district_user)
    people = reverse("organizations:person_list")
    page = client.get(people, {"sort": "name"}).context["page"]
    cursor = parse_qs(page.next_query)["cursor"][0]
    assert names(client.get(people, {"sort": "name", "cursor": cursor})) != names(
        client.get(people, {"sort": "name"})
    )
    # The same cursor under another order, or on another list, is not good there.
    assert names(client.get(people, {"sort": "-name", "cursor": cursor})) == names(
        client.get(people, {"sort": "-name"})
    )
    leaders = reverse("organizations:leader_list")
    assert names(client.get(leaders, {"sort": "name", "cursor": cursor})) == names(
        client.get(leaders, {"sort": "name"})
    )


def test_a_cursor_past_deleted_rows_gives_the_first_page(client, district_user, jiangshan, small_pages):
    client.force_login(district_user)
    people = [f.PersonFactory(name=f"安{index}") for index in range(3)]
    for person in people:
        f.MembershipFactory(person=person, organization=jiangshan.association)
    url = reverse("organizations:person_list")
    first = client.get(url, {"q": "安", "sort": "name"})
    next_query = first.context["page"].next_query
    Person.objects.filter(pk=people[2].pk).delete()
    assert names(client.get(f"{url}?{next_query}")) == names(first)


# --------------------------------------------------------------------------- the total


def test_the_total_is_exact_up_to_the_bound_then_bounded(client, district_user, jiangshan, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 4)
    client.force_login(district_user)
    url = reverse("organizations:person_list")
    for index in range(4):
        f.MembershipFactory(person=f.PersonFactory(name=f"计数{index}"), organization=jiangshan.association)
    body = client.get(url, {"q": "计数"}).content.decode()
    assert "共 4 条" in body
    f.MembershipFactory(person=f.PersonFactory(name="计数4"), organization=jiangshan.association)
    body = client.get(url, {"q": "计数"}).content.decode()
    assert "共 4+ 条" in body and "共 5 条" not in body


def test_the_bound_is_shown_with_thousands_separators(client, district_user, jiangshan):
    page = pagination.KeysetPage(object_list=[], total=10_001, has_previous=False, has_next=True)
    assert not page.total_is_exact and page.count_limit_text == "10,000"
    assert pagination.KeysetPage(
        object_list=[], total=10_000, has_previous=False, has_next=True
    ).total_is_exact


# --------------------------------------------------------------------------- activities


def _activity_url() -> str:
    return reverse("services:activity_list")


def test_the_activity_list_pages_by_date_and_counts_each_rows_checkins(
    client, district_user, jiangshan, small_pages
):
    client.force_login(district_user)
    base = datetime.datetime(2026, 3, 1, 9, tzinfo=SHANGHAI)
    activities = [
        sf.ActivityFactory(
            organizer=jiangshan.association,
            title=f"分页{index}",
            starts_at=base + datetime.timedelta(days=index),
        )
        for index in range(5)
    ]
    for activity, checkins in zip(activities, (0, 3, 1, 0, 2), strict=True):
        for _ in range(checkins):
            sf.AttendanceFactory(activity=activity)
    url = _activity_url()
    first = client.get(url, {"q": "分页"})
    assert names(first, "title") == ["分页4", "分页3"]
    assert [a.checkin_count for a in first.context["page"]] == [2, 0]
    second = follow(client, url, first, "next")
    assert names(second, "title") == ["分页2", "分页1"]
    assert [a.checkin_count for a in second.context["page"]] == [1, 3]
    # The last page is the first page of the reversed order: a full page, in the list's order.
    last = follow(client, url, first, "last")
    assert names(last, "title") == ["分页1", "分页0"]
    # Sorted by the count itself, most first (the whole order reversed: ties oldest first).
    by_count = client.get(url, {"q": "分页", "sort": "-checkins"})
    collected = names(by_count, "title")
    while by_count.context["page"].next_query:
        by_count = follow(client, url, by_count, "next")
        collected += names(by_count, "title")
    assert collected == ["分页1", "分页4", "分页2", "分页0", "分页3"]


def test_a_cursor_reaches_no_row_of_another_town(client, jiangshan_admin, jiangshan, wuxiang, small_pages):
    """A cursor only says where to start in the user's own list: the rows after it are still
    the scoped ones, so a cursor made from another town's row shows none of that town's."""
    base = datetime.datetime(2026, 3, 1, 9, tzinfo=SHANGHAI)
    ours = [
        sf.ActivityFactory(
            organizer=jiangshan.association,
            title=f"姜山{index}",
            starts_at=base + datetime.timedelta(days=2 * index),
        )
        for index in range(3)
    ]
    theirs = [
        sf.ActivityFactory(
            organizer=wuxiang.association,
            title=f"五乡{index}",
            starts_at=base + datetime.timedelta(days=2 * index + 1),
        )
        for index in range(3)
    ]
    client.force_login(jiangshan_admin)
    url = _activity_url()
    seen = []
    response = client.get(url)
    seen += names(response, "title")
    while response.context["page"].next_query:
        response = follow(client, url, response, "next")
        seen += names(response, "title")
    assert not any(title.startswith("五乡") for title in seen)
    assert {a.title for a in ours} <= set(seen)
    # A cursor positioned at the other town's newest activity, signed as the page signs its own.
    keys = pagination.keys_of(_ordered_activities(jiangshan_admin))
    cursor = pagination._write_cursor(
        _request(url, jiangshan_admin), keys, pagination.AFTER, [theirs[-1].starts_at, theirs[-1].pk]
    )
    after = client.get(url, {"cursor": cursor})
    assert after.status_code == 200
    assert not any(title.startswith("五乡") for title in names(after, "title"))


def _request(url: str, user):
    from django.test import RequestFactory

    request = RequestFactory().get(url)
    request.user = user
    return request


def _ordered_activities(user):
    from services import views

    return views.activity_rows(_request(_activity_url(), user))[1]


# --------------------------------------------------------------------------- date filters


@pytest.mark.parametrize(
    ("moment_utc", "on_day"),
    [
        # 15:59:59 UTC is 23:59:59 in Shanghai: still the 8th; 16:00 UTC is 00:00 on the 9th.
        (datetime.datetime(2026, 3, 8, 15, 59, 59, tzinfo=datetime.UTC), "2026-03-08"),
        (datetime.datetime(2026, 3, 8, 16, 0, 0, tzinfo=datetime.UTC), "2026-03-09"),
    ],
)
def test_the_date_filters_count_days_of_shanghai(client, district_user, jiangshan, moment_utc, on_day):
    client.force_login(district_user)
    sf.ActivityFactory(organizer=jiangshan.association, title="边界", starts_at=moment_utc)
    url = _activity_url()
    assert names(client.get(url, {"q": "边界", "date_from": on_day, "date_to": on_day}), "title") == ["边界"]
    day = datetime.date.fromisoformat(on_day)
    before, after = (
        (day - datetime.timedelta(days=1)).isoformat(),
        (day + datetime.timedelta(days=1)).isoformat(),
    )
    assert names(client.get(url, {"q": "边界", "date_to": before}), "title") == []
    assert names(client.get(url, {"q": "边界", "date_from": after}), "title") == []
    assert names(client.get(url, {"q": "边界", "date_from": on_day}), "title") == ["边界"]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_the_date_filters_take_the_first_and_last_days_a_date_can_hold(client, district_user, value):
    client.force_login(district_user)
    for name in ("date_from", "date_to"):
        assert client.get(_activity_url(), {name: value}).status_code == 200
        assert client.get(reverse("organizations:audit_log"), {name: value}).status_code == 200
        assert client.get(reverse("account_login_log"), {name: value}).status_code == 200
