"""Lists sort by their columns (pinyin for names), breadcrumbs show where a page sits, and a save
leaves a message linking to the saved record.

Names are chosen so that pinyin order differs from code-point order (叶 U+53F6 < 安 U+5B89 <
张 U+5F20 < 王 U+738B, but 安 an < 王 wang < 叶 ye < 张 zhang) and no character has two common
readings; the order is written here by hand. The pinyin tests run on SQLite and, in CI, on
PostgreSQL (its ICU collation).
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from organizations.imports.models import ImportBatch
from organizations.models import ExportFile, Organization, Person, Seat, VolunteerTeam
from organizations.scoping import scope_for
from organizations.sorting import Sorting
from outreach.models import Campaign, ThemedDay
from rollout.dashboards.blocks import leader_dashboard
from rollout.indicators import Period
from rollout.models import Phase, QuarterClosing, Stage
from rollout.reference import load_plan
from sanhui import clock
from sanhui.collation import pinyin
from tests import factories as f
from tests.outreach import factories as of
from tests.rollout import factories as pf
from tests.services import factories as sf

pytestmark = pytest.mark.django_db

PINYIN_ORDER = ["安琪", "王芳", "叶青", "张伟"]


@pytest.fixture
def named(jiangshan):
    """Four members of 姜山镇科协, created out of order, with what the other columns sort by."""
    people = {}
    for name, employer, gender in (
        ("张伟", "云龙卫生院", "male"),
        ("叶青", "安澜小学", "female"),
        ("安琪", "姜山农技站", "female"),
        ("王芳", "白鹤小学", "female"),
    ):
        people[name] = f.PersonFactory(name=name, employer=employer, gender=gender)
        f.MembershipFactory(person=people[name], organization=jiangshan.association)
    return people


def page_names(response, attribute="name"):
    return [getattr(row, attribute) for row in response.context["page"]]


# --------------------------------------------------------------------------- pinyin


def test_people_sort_by_pinyin_in_the_database(named):
    ours = Person.objects.filter(name__in=PINYIN_ORDER)
    assert list(ours.values_list("name", flat=True)) == PINYIN_ORDER  # Meta.ordering
    assert [p.name for p in ours.order_by(pinyin("name").desc())] == PINYIN_ORDER[::-1]
    # Code-point order would differ, so the test can tell the two apart.
    assert sorted(PINYIN_ORDER) == ["叶青", "安琪", "张伟", "王芳"]


def test_organisations_and_teams_sort_by_pinyin(jiangshan):
    for name in ("张家潭协会", "叶家协会", "安家协会", "王家协会"):
        f.OrganizationFactory(name=name, kind=Organization.Kind.GRASSROOTS_ASSOCIATION, category="ecology")
    grassroots = Organization.objects.filter(kind=Organization.Kind.GRASSROOTS_ASSOCIATION)
    assert [o.name for o in grassroots] == ["安家协会", "王家协会", "叶家协会", "张家潭协会"]
    for name in ("张队", "叶队", "安队"):
        f.VolunteerTeamFactory(organization=jiangshan.association, name=name, leader=jiangshan.leader)
    teams = VolunteerTeam.objects.filter(name__in=["张队", "叶队", "安队"])
    assert [t.name for t in teams] == ["安队", "叶队", "张队"]


def test_digits_then_chinese_then_latin_letters_ignoring_case(jiangshan):
    # ICU's zh collation puts Han characters before Latin letters; SQLite's must agree.
    names = ["bob", "安琪", "Alice", "张伟", "1号"]
    for name in names:
        f.PersonFactory(name=name)
    assert [p.name for p in Person.objects.filter(name__in=names)] == ["1号", "安琪", "张伟", "Alice", "bob"]


def test_the_people_list_is_in_pinyin_order_both_ways(client, district_user, named):
    client.force_login(district_user)
    url = reverse("organizations:person_list")
    ours = [name for name in page_names(client.get(url)) if name in PINYIN_ORDER]
    assert ours == PINYIN_ORDER
    ours = [name for name in page_names(client.get(url, {"sort": "-name"})) if name in PINYIN_ORDER]
    assert ours == PINYIN_ORDER[::-1]


# --------------------------------------------------------------------------- the mechanism

COLUMNS = Sorting({"name": ("name",), "joined": ("-joined_on", "name")}, default="-joined")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ("joined", True)),
        ("name", ("name", False)),
        ("-name", ("name", True)),
        ("joined", ("joined", False)),
        ("pk", ("joined", True)),
        ("--name", ("joined", True)),
        ("name; DROP TABLE organizations_person", ("joined", True)),
        ("password", ("joined", True)),
        ("-", ("joined", True)),
        ("\x00", ("joined", True)),
    ],
)
def test_only_declared_columns_are_chosen(rf, value, expected):
    sort = COLUMNS.chosen(rf.get("/", {"sort": value}))
    assert (sort.key, sort.descending) == expected


def test_the_ordering_ends_in_the_primary_key_and_a_minus_reverses_one_part(rf):
    ordering = COLUMNS.ordering(COLUMNS.chosen(rf.get("/", {"sort": "joined"})))
    shown = [(part.expression.name, part.descending) for part in ordering]
    assert shown == [("joined_on", True), ("name", False), ("pk", False)]
    ordering = COLUMNS.ordering(COLUMNS.chosen(rf.get("/", {"sort": "-joined"})))
    assert [(part.expression.name, part.descending) for part in ordering] == [
        ("joined_on", False),
        ("name", True),
        ("pk", True),
    ]


def test_a_default_that_is_not_a_column_is_refused():
    with pytest.raises(ValueError):
        Sorting({"name": ("name",)}, default="date")


# --------------------------------------------------------------------------- every list page


@pytest.fixture
def world(plan_loaded, jiangshan, wuxiang, district_user, named):
    activity = sf.ActivityFactory(organizer=jiangshan.association, title="安全用药讲座")
    sf.AttendanceFactory(activity=activity, name="张伟")
    campaign = of.CampaignFactory(name="科普惠民行动")
    campaign.activities.add(activity)
    pf.InspectionFactory(organization=jiangshan.association)
    pf.RectificationFactory(organization=jiangshan.association)
    pf.TaskFactory(organization=jiangshan.association)
    return {"activity": activity, "campaign": campaign, "person": named["张伟"]}


@pytest.fixture
def plan_loaded(db):
    load_plan(Phase, Stage)


def _lists(world):
    """Every paginated list: (URL, its sort keys)."""
    activity, campaign, person = world["activity"], world["campaign"], world["person"]
    return [
        (reverse("organizations:person_list"), ["name", "gender", "employer", "profession"]),
        (reverse("organizations:leader_list"), ["name", "gender", "employer", "profession"]),
        (
            reverse("organizations:seat_list"),
            ["organization", "position", "name", "leader", "term_start", "term_end"],
        ),
        (reverse("organizations:team_list"), ["name", "organization", "leader", "volunteers", "status"]),
        (
            reverse("organizations:organization_list"),
            ["kind", "name", "category", "region", "status", "members", "seats", "teams"],
        ),
        (reverse("organizations:audit_log"), ["time", "actor", "action", "type"]),
        (reverse("organizations:person_history", args=[person.pk]), ["time", "actor", "action", "type"]),
        (reverse("account_login_log"), ["time", "username", "address", "result"]),
        (
            reverse("services:activity_list"),
            ["date", "title", "kind", "organizer", "region", "checkins", "status"],
        ),
        (reverse("services:attendee_list", args=[activity.pk]), ["time", "name"]),
        (reverse("services:team_list"), ["team", "organization", "volunteers", "activities", "hours"]),
        (reverse("outreach:campaign_list"), ["date", "name", "owner", "activities"]),
        (
            reverse("outreach:campaign_detail", args=[campaign.pk]),
            ["date", "title", "organizer", "region", "checkins", "status"],
        ),
        (reverse("outreach:post_list"), ["date", "channel", "title", "reach"]),
        (reverse("rollout:task_list"), ["status", "title", "organization", "phase", "due"]),
        (
            reverse("rollout:inspection_list"),
            ["date", "organization", "reference", "score", "rectifications"],
        ),
        (
            reverse("rollout:rectification_list"),
            ["status", "title", "organization", "inspected", "deadline", "evidence"],
        ),
        (reverse("rollout:showcase_manage"), ["status", "kind", "title", "nominated"]),
        (reverse("rollout:incentive_list"), ["date", "person", "kind", "title", "amount"]),
        (reverse("reports:list"), ["requested", "kind", "requester", "status"]),
        (
            reverse("organizations:import_list"),
            ["uploaded", "kind", "organization", "file", "status", "new", "updated", "duplicates", "errors"],
        ),
        (reverse("organizations:export_list"), ["requested", "status", "rows"]),
    ]


def test_every_list_accepts_each_of_its_columns_both_ways(client, world, district_user):
    client.force_login(district_user)
    for url, keys in _lists(world):
        default = client.get(url)
        assert default.status_code == 200, url
        assert 'aria-sort="' in default.content.decode(), url
        for key in keys:
            for value in (key, f"-{key}"):
                response = client.get(url, {"sort": value})
                assert response.status_code == 200, (url, value)
                assert response.context["sort"].value == value, (url, value)
                # The header of the chosen column says so.
                body = response.content.decode()
                direction = "descending" if value.startswith("-") else "ascending"
                assert f'aria-sort="{direction}"' in body, (url, value)


def test_an_unknown_or_malicious_sort_gives_the_default_order(client, world, district_user):
    client.force_login(district_user)
    for url, _keys in _lists(world):
        expected = [row.pk for row in client.get(url).context["page"]]
        for value in ("pk", "name;DROP TABLE organizations_person", "-password", "__class__", "--name"):
            response = client.get(url, {"sort": value})
            assert response.status_code == 200, (url, value)
            assert [row.pk for row in response.context["page"]] == expected, (url, value)


def test_first_rows_by_name_and_by_date(client, district_user, jiangshan, named):
    client.force_login(district_user)
    people = reverse("organizations:person_list")
    # The conftest world adds 姜山会员/院长 (jiang) and nobody before 安 or after 张.
    assert page_names(client.get(people, {"sort": "name"}))[0] == "安琪"
    assert page_names(client.get(people, {"sort": "-name"}))[0] == "张伟"
    assert page_names(client.get(people, {"sort": "employer"}))[0] == "叶青"  # 安澜小学

    for title, days in (("最早的活动", -30), ("最近的活动", -1), ("中间的活动", -10)):
        sf.ActivityFactory(organizer=jiangshan.association, title=title, starts_at=sf.at(days))
    activities = reverse("services:activity_list")
    assert page_names(client.get(activities), "title")[0] == "最近的活动"
    assert page_names(client.get(activities, {"sort": "date"}), "title")[0] == "最早的活动"
    assert page_names(client.get(activities, {"sort": "-date"}), "title")[0] == "最近的活动"

    seats = reverse("organizations:seat_list")
    f.SeatFactory(
        organization=jiangshan.association,
        person=named["安琪"],
        position="standing_member",
        term_start=datetime.date(2001, 1, 1),
    )
    first = client.get(seats, {"sort": "term_start"}).context["page"][0]
    assert first.person.name == "安琪"
    assert client.get(seats, {"sort": "name"}).context["page"][0].person.name == "安琪"

    teams = reverse("organizations:team_list")
    for name in ("张家服务队", "安家服务队"):
        f.VolunteerTeamFactory(organization=jiangshan.association, name=name, leader=jiangshan.leader)
    assert page_names(client.get(teams, {"sort": "name"}))[0] == "安家服务队"
    assert page_names(client.get(teams, {"sort": "-name"}))[0] == "张家服务队"

    organizations = reverse("organizations:organization_list")
    f.OrganizationFactory(name="安家协会", kind=Organization.Kind.GRASSROOTS_ASSOCIATION, category="ecology")
    assert page_names(client.get(organizations, {"sort": "name"}))[0] == "安家协会"


def test_campaigns_by_date(client, district_user):
    client.force_login(district_user)
    of.CampaignFactory(name="早", starts_on=datetime.date(2021, 1, 1))
    of.CampaignFactory(name="晚", starts_on=datetime.date(2023, 1, 1))
    url = reverse("outreach:campaign_list")
    assert page_names(client.get(url))[0] == "晚"
    assert page_names(client.get(url, {"sort": "date"}))[0] == "早"


def test_rollout_lists_by_date(client, district_user, plan_loaded, jiangshan):
    client.force_login(district_user)
    pf.InspectionFactory(
        organization=jiangshan.association, inspected_on=datetime.date(2021, 3, 1), findings="早"
    )
    pf.InspectionFactory(
        organization=jiangshan.association, inspected_on=datetime.date(2024, 3, 1), findings="晚"
    )
    url = reverse("rollout:inspection_list")
    assert page_names(client.get(url), "findings")[0] == "晚"
    assert page_names(client.get(url, {"sort": "date"}), "findings")[0] == "早"
    pf.TaskFactory(organization=jiangshan.association, title="后到期", due_date=datetime.date(2031, 1, 1))
    pf.TaskFactory(organization=jiangshan.association, title="先到期", due_date=datetime.date(2030, 1, 1))
    url = reverse("rollout:task_list")
    assert page_names(client.get(url, {"sort": "due"}), "title")[0] == "先到期"
    assert page_names(client.get(url, {"sort": "-due"}), "title")[0] == "后到期"


# --------------------------------------------------------------------------- links keep the query


def _hrefs(body: str, pattern: str) -> list[str]:
    return [unescape(href) for href in re.findall(pattern, body)]


def test_pagination_links_keep_sort_and_filters(client, district_user, named, monkeypatch):
    monkeypatch.setattr("organizations.viewutils.PAGE_SIZE", 2)
    client.force_login(district_user)
    url = reverse("organizations:person_list")
    response = client.get(url, {"sort": "-name", "gender": "female"})
    assert page_names(response) == ["叶青", "王芳"]
    (next_link,) = _hrefs(response.content.decode(), r'<a class="page-link" rel="next" href="([^"]+)">下一页')
    query = parse_qs(urlsplit(next_link).query)
    assert {key: value for key, value in query.items() if key != "cursor"} == {
        "sort": ["-name"],
        "gender": ["female"],
    }
    assert len(query["cursor"]) == 1
    # The conftest world's 姜山院长 (jiang shan yuan) and 姜山会员 (jiang shan hui) are women too.
    second = client.get(url + next_link)
    assert page_names(second) == ["姜山院长", "姜山会员"]
    (third_link,) = _hrefs(second.content.decode(), r'<a class="page-link" rel="next" href="([^"]+)">下一页')
    assert page_names(client.get(url + third_link)) == ["安琪"]


def test_a_header_link_toggles_its_column_keeps_filters_and_resets_the_page(
    client, district_user, named, monkeypatch
):
    monkeypatch.setattr("organizations.viewutils.PAGE_SIZE", 2)
    client.force_login(district_user)
    url = reverse("organizations:person_list")
    first = client.get(url, {"sort": "name", "gender": "female"}).context["page"]
    assert "cursor=" in first.next_query
    body = client.get(url + "?" + first.next_query).content.decode()
    queries = [
        parse_qs(urlsplit(href).query) for href in _hrefs(body, r'<a class="sort-link[^"]*" href="([^"]+)"')
    ]
    links = {query["sort"][0].lstrip("-"): query for query in queries}
    assert links["name"] == {"sort": ["-name"], "gender": ["female"]}
    assert links["employer"] == {"sort": ["employer"], "gender": ["female"]}
    assert "phone" not in links  # masked numbers are not sortable
    assert '<th aria-sort="ascending"><a class="sort-link' in body
    # The filter form carries the sort, so filtering again keeps it.
    assert '<input type="hidden" name="sort" value="name">' in body


# --------------------------------------------------------------------------- scope


def test_sorting_never_widens_a_town_admins_scope(client, jiangshan_admin, wuxiang, named):
    client.force_login(jiangshan_admin)
    url = reverse("organizations:person_list")
    expected = {"姜山会员", "姜山院长", *PINYIN_ORDER}
    for value in ("", "name", "-name", "gender", "-employer", "profession", "bogus"):
        assert set(page_names(client.get(url, {"sort": value}))) == expected, value
    teams = reverse("organizations:team_list")
    for value in ("name", "-organization", "leader", "-volunteers"):
        assert page_names(client.get(teams, {"sort": value})) == ["姜山镇科技志愿服务队"], value
    seats = reverse("organizations:seat_list")
    for value in ("organization", "-name", "term_end"):
        holders = {seat.person.name for seat in client.get(seats, {"sort": value}).context["page"]}
        assert holders == {"姜山会员", "姜山院长"}, value


# --------------------------------------------------------------------------- breadcrumbs


def trail(response) -> list[str]:
    body = response.content.decode()
    match = re.search(r'<ol class="breadcrumb[^"]*">(.*?)</ol>', body, re.S)
    assert match, "no breadcrumb"
    items = re.findall(r'<li class="breadcrumb-item[^"]*"[^>]*>(.*?)</li>', match.group(1), re.S)
    return [unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in items]


def test_breadcrumbs_of_records_and_their_forms(client, district_user, jiangshan, plan_loaded):
    client.force_login(district_user)
    member = jiangshan.member
    assert trail(client.get(member.get_absolute_url())) == ["首页", "会员", "姜山会员"]
    assert trail(client.get(reverse("organizations:person_edit", args=[member.pk]))) == [
        "首页",
        "会员",
        "姜山会员",
        "编辑人员：姜山会员",
    ]
    assert trail(client.get(reverse("organizations:person_add"))) == ["首页", "会员", "登记会员"]
    assert trail(client.get(jiangshan.team.get_absolute_url())) == [
        "首页",
        "志愿服务队",
        "姜山镇科技志愿服务队",
    ]
    assert trail(client.get(reverse("organizations:person_history", args=[member.pk]))) == [
        "首页",
        "会员",
        "姜山会员",
        "变更记录",
    ]
    activity = sf.ActivityFactory(organizer=jiangshan.association, title="安全用药讲座")
    assert trail(client.get(reverse("services:attendee_list", args=[activity.pk])))[1:] == [
        "服务活动",
        str(activity),
        "签到名单",
    ]
    item = pf.RectificationFactory(organization=jiangshan.association, title="更新名册")
    assert trail(client.get(item.get_absolute_url())) == [
        "首页",
        "督查与整改",
        str(item.inspection),
        "更新名册",
    ]


def test_breadcrumb_links_lead_up_the_trail(client, district_user, jiangshan):
    client.force_login(district_user)
    body = client.get(reverse("organizations:person_edit", args=[jiangshan.member.pk])).content.decode()
    crumbs = re.search(r'<ol class="breadcrumb[^"]*">(.*?)</ol>', body, re.S).group(1)
    assert re.findall(r'href="([^"]+)"', crumbs) == [
        reverse("home"),
        reverse("organizations:person_list"),
        jiangshan.member.get_absolute_url(),
    ]
    assert 'aria-current="page"' in crumbs


# --------------------------------------------------------------------------- saved message


def test_registering_a_person_lands_on_them_with_a_link_in_the_message(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    data = f.person_form_data(jiangshan.association, name="安琪<b>粗</b>")
    response = client.post(reverse("organizations:person_add"), data, follow=True)
    person = Person.objects.get(name="安琪<b>粗</b>")
    assert response.redirect_chain[-1][0] == person.get_absolute_url()
    body = response.content.decode()
    expected = (
        "已登记会员 安琪&lt;b&gt;粗&lt;/b&gt;。 "
        f'<a class="alert-link" href="{person.get_absolute_url()}">查看</a>'
    )
    assert expected in body
    assert "<b>粗</b>" not in body.split('<div class="messages">')[1].split("</div>")[0]


def test_saving_a_team_links_to_it(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    team = jiangshan.team
    url = reverse("organizations:team_edit", args=[team.pk])
    data = {
        "name": "安家<i>服务队</i>",
        "leader": jiangshan.leader.pk,
        "founded_on": "",
        "service_area": "",
        "status": "active",
    }
    response = client.post(url, data, follow=True)
    body = response.content.decode()
    assert "已保存服务队 安家&lt;i&gt;服务队&lt;/i&gt;。" in body
    assert f'<a class="alert-link" href="{team.get_absolute_url()}">查看</a>' in body


# --------------------------------------------------------------------------- more lists


def _names(rows) -> list[str]:
    return [name for name in rows if name in PINYIN_ORDER]


def test_the_themed_day_calendar_sorts_by_date_and_by_name(client, district_user):
    ThemedDay.objects.update(is_active=False)
    for name, rule in (("张伟日", "fixed:01-05"), ("叶青日", "fixed:02-01"), ("安琪日", "fixed:03-01")):
        ThemedDay.objects.create(name=name, rule=rule)
    ThemedDay.objects.create(name="王芳日", rule="fixed:04-01", suggested_category="ecology")
    client.force_login(district_user)
    url = reverse("outreach:themed_day_list")

    def shown(response):
        return [row.themed_day.name for row in response.context["occurrences"]]

    assert shown(client.get(url, {"year": 2025})) == ["张伟日", "叶青日", "安琪日", "王芳日"]
    assert shown(client.get(url, {"year": 2025, "sort": "-date"})) == ["王芳日", "安琪日", "叶青日", "张伟日"]
    assert shown(client.get(url, {"year": 2025, "sort": "name"})) == ["安琪日", "王芳日", "叶青日", "张伟日"]
    response = client.get(url, {"year": 2025, "sort": "-name"})
    assert shown(response) == ["张伟日", "叶青日", "王芳日", "安琪日"]
    # The year links keep the order; a day without a suggested category comes last both ways.
    assert 'href="?year=2026&amp;sort=-name"' in response.content.decode()
    assert shown(client.get(url, {"year": 2025, "sort": "category"}))[0] == "王芳日"
    assert shown(client.get(url, {"year": 2025, "sort": "-category"}))[0] == "王芳日"


def test_a_themed_days_activities_sort_by_title(client, district_user, jiangshan):
    themed_day = ThemedDay.objects.create(name="测试主题日", rule="fixed:06-06")
    starts = sf.at(-7)
    for title in ("张家讲座", "安家讲座", "叶家讲座"):
        activity = sf.ActivityFactory(organizer=jiangshan.association, title=title, starts_at=starts)
        activity.themed_days.add(themed_day)
    client.force_login(district_user)
    url = reverse("outreach:themed_day_detail", args=[themed_day.pk, starts.year])

    def shown(value):
        return [a.title for a in client.get(url, {"sort": value}).context["activities"]]

    assert shown("title") == ["安家讲座", "叶家讲座", "张家讲座"]
    assert shown("-title") == ["张家讲座", "叶家讲座", "安家讲座"]
    assert 'aria-sort="descending"' in client.get(url, {"sort": "-title"}).content.decode()


def test_the_import_list_sorts_by_file_and_count(client, jiangshan_admin, jiangshan):
    for file_name, errors in (("张伟名单.xlsx", 2), ("安琪名单.xlsx", 0), ("叶青名单.xlsx", 5)):
        ImportBatch.objects.create(
            kind=ImportBatch.Kind.PEOPLE,
            organization=jiangshan.association,
            created_by=jiangshan_admin,
            file_name=file_name,
            checksum="0" * 64,
            error_count=errors,
        )
    client.force_login(jiangshan_admin)
    url = reverse("organizations:import_list")
    assert page_names(client.get(url), "file_name") == ["叶青名单.xlsx", "安琪名单.xlsx", "张伟名单.xlsx"]
    assert page_names(client.get(url, {"sort": "file"}), "file_name") == [
        "安琪名单.xlsx",
        "叶青名单.xlsx",
        "张伟名单.xlsx",
    ]
    assert page_names(client.get(url, {"sort": "-errors"}), "file_name") == [
        "叶青名单.xlsx",
        "张伟名单.xlsx",
        "安琪名单.xlsx",
    ]


def test_my_exports_sort_by_rows(client, jiangshan_admin):
    for total in (30, 10, 20):
        ExportFile.objects.create(
            list_key="people", format="csv", created_by=jiangshan_admin, progress_total=total
        )
    client.force_login(jiangshan_admin)
    url = reverse("organizations:export_list")
    assert page_names(client.get(url), "progress_total") == [20, 10, 30]
    assert page_names(client.get(url, {"sort": "rows"}), "progress_total") == [10, 20, 30]
    assert page_names(client.get(url, {"sort": "-rows"}), "progress_total") == [30, 20, 10]


def test_the_lockouts_sort_by_failures_and_account(client, district_user):
    start = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(start, tick=False) as clock:
        for username, failures in (("bo", 7), ("an", 5), ("cy", 6)):
            AccessAttempt.objects.create(
                username=username,
                ip_address=None,
                user_agent="test",
                http_accept="*/*",
                path_info="/accounts/login/",
                get_data="",
                post_data="",
                failures_since_start=failures,
            )
            clock.shift(datetime.timedelta(minutes=1))
        client.force_login(district_user)
        url = reverse("account_lockouts")

        def shown(value):
            return [lock.value for lock in client.get(url, {"sort": value}).context["lockouts"]]

        assert shown("") == ["cy", "an", "bo"]  # the latest lock first
        assert shown("failures") == ["an", "cy", "bo"]
        assert shown("-failures") == ["bo", "cy", "an"]
        assert shown("username") == ["an", "bo", "cy"]
        assert 'aria-sort="ascending"' in client.get(url, {"sort": "username"}).content.decode()


def test_the_term_list_sorts_by_name_in_pinyin(client, district_user, jiangshan, named):
    on = clock.today()
    for days, name in ((30, "王芳"), (10, "张伟"), (20, "安琪"), (40, "叶青")):
        f.SeatFactory(
            organization=jiangshan.association,
            person=named[name],
            position=Seat.Position.STANDING_MEMBER,
            term_end=on + datetime.timedelta(days=days),
        )
    client.force_login(district_user)
    url = reverse("rollout:term_list")

    def shown(value):
        rows = client.get(url, {"days": 60, "sort": value}).context["rows"]
        return _names([row.seat.person.name for row in rows])

    assert shown("") == ["张伟", "安琪", "王芳", "叶青"]  # the nearest end first
    assert shown("name") == PINYIN_ORDER
    assert shown("-name") == PINYIN_ORDER[::-1]
    assert shown("-term_end") == ["叶青", "王芳", "安琪", "张伟"]
    body = client.get(url, {"days": 60, "sort": "-name"}).content.decode()
    assert '<input type="hidden" name="sort" value="-name">' in body


def test_the_quarter_list_sorts_by_quarter_and_closing(client, district_user):
    for quarter, month, closed in (("2022Q4", 10, 5), ("2023Q1", 1, 2)):
        start = datetime.date(int(quarter[:4]), month, 1)
        QuarterClosing.objects.create(
            quarter=quarter,
            starts_on=start,
            ends_on=start + datetime.timedelta(days=80),
            closed_at=datetime.datetime(2023, 6, closed, tzinfo=datetime.UTC),
        )
    client.force_login(district_user)
    url = reverse("reports:quarter_list")

    def codes(value):
        return [state.code for state in client.get(url, {"sort": value}).context["states"]]

    newest_first = codes("")
    assert newest_first[0] > newest_first[-1]
    assert codes("quarter") == newest_first[::-1]
    # Quarters never closed come last, whichever way.
    assert codes("closed")[:2] == ["2023Q1", "2022Q4"]
    assert codes("-closed")[:2] == ["2022Q4", "2023Q1"]


def test_my_activities_sort_by_title(client, leader_user, jiangshan):
    for title in ("张家讲座", "安家讲座", "叶家讲座"):
        sf.ActivityFactory(organizer=jiangshan.association, title=title, leaders=[jiangshan.leader])
    client.force_login(leader_user)
    url = reverse("services:my_activities")
    assert [a.title for a in client.get(url, {"sort": "title"}).context["led"]] == [
        "安家讲座",
        "叶家讲座",
        "张家讲座",
    ]
    response = client.get(url, {"sort": "-title"})
    assert [a.title for a in response.context["led"]] == ["张家讲座", "叶家讲座", "安家讲座"]
    assert 'aria-sort="descending"' in response.content.decode()


def test_the_team_record_sorts_by_volunteer_and_hours(client, district_user, jiangshan, named):
    team = jiangshan.team
    for name, hours in (("张伟", 3), ("叶青", 1), ("安琪", 2), ("王芳", 4)):
        activity = sf.ActivityFactory(organizer=jiangshan.association)
        sf.VolunteerServiceFactory(activity=activity, person=named[name], team=team, hours=hours)
    client.force_login(district_user)
    url = reverse("services:team_record", args=[team.pk])
    year = sf.at(-7).year

    def shown(value):
        rows = client.get(url, {"year": year, "sort": value}).context["rows"]
        return [row["person__name"] for row in rows]

    assert shown("") == ["王芳", "张伟", "安琪", "叶青"]  # most hours first
    assert shown("hours") == ["叶青", "安琪", "张伟", "王芳"]
    assert shown("volunteer") == PINYIN_ORDER
    assert shown("-volunteer") == PINYIN_ORDER[::-1]


# --------------------------------------------------------------------------- pinyin elsewhere


def test_campaigns_of_the_same_start_are_in_pinyin_order(client, jiangshan_admin, jiangshan):
    activity = sf.ActivityFactory(organizer=jiangshan.association, starts_at=sf.at(-1))
    day = timezone.localdate(sf.at(-1))
    for name in ("张家行动", "安家行动", "叶家行动", "王家行动"):
        campaign = of.CampaignFactory(
            name=name, starts_on=day - datetime.timedelta(days=5), ends_on=day + datetime.timedelta(days=5)
        )
        campaign.activities.add(activity)
    expected = ["安家行动", "王家行动", "叶家行动", "张家行动"]
    assert [c.name for c in Campaign.objects.filter(name__in=expected)] == expected  # Meta.ordering
    client.force_login(jiangshan_admin)
    body = client.get(activity.get_absolute_url()).content.decode()
    assert [body.index(name) for name in expected] == sorted(body.index(name) for name in expected)
    form = client.get(reverse("outreach:activity_outreach", args=[activity.pk])).context["form"]
    assert [c.name for c in form.fields["campaigns"].queryset] == expected


def test_a_leaders_dashboard_lists_seats_and_teams_in_pinyin_order(leader_user, jiangshan):
    person = jiangshan.leader
    for name in ("张家协会", "安家协会", "叶家协会"):
        organization = f.OrganizationFactory(name=name)
        f.SeatFactory(organization=organization, person=person, position=Seat.Position.STANDING_MEMBER)
        f.VolunteerTeamFactory(organization=organization, name=name.replace("协会", "服务队"), leader=person)
    board = leader_dashboard(scope=scope_for(leader_user), period=Period.containing(clock.today()))
    seats = [seat["organization"] for seat in board["seats"] if seat["organization"].endswith("家协会")]
    assert seats == ["安家协会", "叶家协会", "张家协会"]
    teams = [team["name"] for team in board["teams"] if team["name"].endswith("家服务队")]
    assert teams == ["安家服务队", "叶家服务队", "张家服务队"]


# --------------------------------------------------------------------------- export breadcrumbs


def test_the_export_pages_have_breadcrumbs(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    response = client.get(reverse("organizations:list_export", args=["people"]), {"sort": "-name"})
    assert trail(response) == ["首页", "人员名单", "导出：人员名单"]
    crumbs = re.search(r'<ol class="breadcrumb[^"]*">(.*?)</ol>', response.content.decode(), re.S).group(1)
    assert (
        unescape(re.findall(r'href="([^"]+)"', crumbs)[1])
        == reverse("organizations:person_list") + "?sort=-name"
    )
    export = ExportFile.objects.create(list_key="people", format="csv", created_by=jiangshan_admin)
    assert trail(client.get(export.get_absolute_url())) == ["首页", "我的导出", "人员名单"]


# --------------------------------------------------------------------------- more saved messages


def _form_data(response) -> dict:
    """What the form on the page would send unchanged."""
    data = {}
    for field in response.context["form"]:
        value = field.value()
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data[field.html_name] = [str(item) for item in value]
        else:
            data[field.html_name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return data


def _saved(client, url: str, changes: dict) -> str:
    data = {**_form_data(client.get(url)), **changes}
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    messages = response.content.decode().split('<div class="messages">')[1].split("</div>")[0]
    return unescape(messages)


def test_saving_a_post_links_to_its_line_on_the_activity(client, jiangshan_admin, jiangshan):
    activity = sf.ActivityFactory(organizer=jiangshan.association)
    post = of.ChannelPostFactory(activity=activity)
    client.force_login(jiangshan_admin)
    message = _saved(client, reverse("outreach:post_edit", args=[post.pk]), {"title": "安琪谈科普"})
    link = f"{activity.get_absolute_url()}#post-{post.pk}"
    assert f'已保存宣传发布“安琪谈科普”。 <a class="alert-link" href="{link}">查看</a>' in message
    assert f'id="post-{post.pk}"' in client.get(activity.get_absolute_url()).content.decode()


def test_saving_plan_records_links_to_where_they_are_shown(client, district_user, plan_loaded, jiangshan):
    client.force_login(district_user)
    phase = Phase.objects.get(number=3)
    message = _saved(client, reverse("rollout:phase_edit", args=[phase.pk]), {})
    overview = reverse("rollout:overview")
    assert f'<a class="alert-link" href="{overview}#phase-3">查看</a>' in message
    milestone = pf.MilestoneFactory(title="完成名册")
    message = _saved(client, reverse("rollout:milestone_edit", args=[milestone.pk]), {"title": "安琪名册"})
    assert (
        f'已保存里程碑“安琪名册”。 <a class="alert-link" href="{overview}#milestone-{milestone.pk}">'
        in message
    )
    assert f'id="milestone-{milestone.pk}"' in client.get(overview).content.decode()

    member = pf.SteeringMemberFactory(name="王芳")
    message = _saved(client, reverse("rollout:steering_member_edit", args=[member.pk]), {})
    group = reverse("rollout:steering_group")
    assert (
        f'已保存专项指导组成员 王芳。 <a class="alert-link" href="{group}#steering-member-{member.pk}">'
        in message
    )
    assert f'id="steering-member-{member.pk}"' in client.get(group).content.decode()


def test_saving_an_incentive_links_to_its_persons_incentives(client, district_user, jiangshan, wuxiang):
    # Incentives go to leaders (三长) only: the conftest towns' 院长.
    leader = jiangshan.leader
    incentive = pf.IncentiveFactory(person=leader, title="优秀科技工作者", granted_on=clock.today())
    pf.IncentiveFactory(person=wuxiang.leader, title="先进个人")
    client.force_login(district_user)
    message = _saved(client, reverse("rollout:incentive_edit", args=[incentive.pk]), {})
    link = f"{reverse('rollout:incentive_list')}?person={leader.pk}#incentive-{incentive.pk}"
    assert f'已保存激励“优秀科技工作者”。 <a class="alert-link" href="{link}">查看</a>' in message
    response = client.get(link.split("#")[0])
    assert [row.title for row in response.context["page"]] == ["优秀科技工作者"]
    assert f'id="incentive-{incentive.pk}"' in response.content.decode()
    assert "只显示 姜山院长 的激励。" in response.content.decode()


def test_a_malformed_person_on_the_incentive_list_shows_them_all(client, district_user, jiangshan, wuxiang):
    for town in (jiangshan, wuxiang):
        pf.IncentiveFactory(person=town.leader, title="先进个人")
    client.force_login(district_user)
    url = reverse("rollout:incentive_list")
    for value in ("abc", "-1", "１", "99999999999999999999", ""):
        response = client.get(url, {"person": value})
        assert response.status_code == 200, value
        assert len(response.context["page"]) == 2, value
    assert len(client.get(url, {"person": wuxiang.leader.pk}).context["page"]) == 1
