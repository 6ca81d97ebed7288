"""The public calendar of upcoming popularisation events and its iCalendar feed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from organizations.models import Region
from services import actions
from tests.services.factories import ActivityFactory, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(jiangshan_admin, wuxiang_admin, jiangshan, wuxiang):
    """Upcoming events in both towns, approved or not, cancelled or not, of both streams."""

    def make(title, town, admin, *, kind="popular_lecture", days=3, publish=True, status="planned"):
        activity = ActivityFactory(
            title=title,
            kind=kind,
            organizer=town.association,
            status="planned",
            starts_at=at(days, 14),
            ends_at=at(days, 16),
            description="欢迎居民参加",
        )
        if publish and kind != "tech_training":
            actions.activity_publish(actor=admin, activity=activity, publish=True)
        if status == "cancelled":
            actions.activity_transition(actor=admin, activity=activity, to_status="cancelled", note="改期")
        return activity

    return {
        "js": make("姜山科普讲座", jiangshan, jiangshan_admin),
        "wx": make("五乡科普展览", wuxiang, wuxiang_admin, kind="exhibition", days=10),
        "draft": make("姜山未公开讲座", jiangshan, jiangshan_admin, publish=False),
        "tech": make("姜山农技培训", jiangshan, jiangshan_admin, kind="tech_training"),
        "cancelled": make("姜山取消讲座", jiangshan, jiangshan_admin, status="cancelled"),
        "past": make("姜山往期讲座", jiangshan, jiangshan_admin, days=-10),
        "far": make("姜山远期讲座", jiangshan, jiangshan_admin, days=400),
    }


def listed(body: str) -> set[str]:
    titles = (
        "姜山科普讲座",
        "五乡科普展览",
        "姜山未公开讲座",
        "姜山农技培训",
        "姜山取消讲座",
        "姜山往期讲座",
        "姜山远期讲座",
    )
    return {title for title in titles if title in body}


def test_the_page_is_public_and_lists_only_approved_upcoming_popularisation(client, events):
    response = client.get(reverse("outreach:public_events"))
    assert response.status_code == 200
    assert listed(response.content.decode()) == {"姜山科普讲座", "五乡科普展览"}


def test_the_page_filters_by_town_including_villages(client, events, jiangshan):
    town = jiangshan.association.home_region
    village = Region.objects.create(name="姜山镇某村", kind="village", parent=town)
    ActivityFactory(
        title="村里的科普",
        organizer=jiangshan.association,
        region=village,
        status="planned",
        starts_at=at(4, 9),
        ends_at=at(4, 11),
        is_published=True,
        published_at=timezone.now(),
    )
    body = client.get(reverse("outreach:public_events"), {"town": town.pk}).content.decode()
    assert listed(body) == {"姜山科普讲座"} and "村里的科普" in body
    assert f"events.ics?town={town.pk}" in body


def test_the_ical_feed_parses_back_with_the_same_events(client, events, jiangshan):
    response = client.get(reverse("outreach:public_events_ics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    vevents = calendar.walk("VEVENT")
    assert sorted(str(e.get("summary")) for e in vevents) == ["五乡科普展览", "姜山科普讲座"]
    lecture = next(e for e in vevents if str(e.get("summary")) == "姜山科普讲座")
    start = lecture.decoded("dtstart")
    assert start == events["js"].starts_at and start.utcoffset() == datetime.timedelta(hours=8)
    assert lecture.decoded("dtend") == events["js"].ends_at
    assert "姜山镇" in str(lecture.get("location"))
    assert "姜山镇科协" in str(lecture.get("description"))
    assert str(lecture.get("uid")) == f"activity-{events['js'].pk}@testserver"
    assert calendar.walk("VTIMEZONE"), "the feed carries its time zone"
    town = client.get(reverse("outreach:public_events_ics"), {"town": jiangshan.association.home_region_id})
    assert [str(e.get("summary")) for e in Calendar.from_ical(town.content).walk("VEVENT")] == [
        "姜山科普讲座"
    ]


def test_withdrawing_publication_removes_the_event(client, events, jiangshan_admin):
    actions.activity_publish(actor=jiangshan_admin, activity=events["js"], publish=False)
    body = client.get(reverse("outreach:public_events")).content.decode()
    assert listed(body) == {"五乡科普展览"}


def test_only_popularisation_may_be_published(jiangshan_admin, jiangshan):
    from django.core.exceptions import ValidationError

    activity = ActivityFactory(
        kind="tech_training", organizer=jiangshan.association, status="planned", starts_at=at(3)
    )
    with pytest.raises(ValidationError, match="只有科普服务活动"):
        actions.activity_publish(actor=jiangshan_admin, activity=activity, publish=True)


def test_an_unknown_town_shows_the_whole_district(client, events):
    body = client.get(reverse("outreach:public_events"), {"town": "999999"}).content.decode()
    assert listed(body) == {"姜山科普讲座", "五乡科普展览"}
    assert client.get(reverse("outreach:public_events_ics"), {"town": "x"}).status_code == 200
