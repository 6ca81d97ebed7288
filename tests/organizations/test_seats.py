"""When a seat is current, and the 三长 share of an association's seats."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from organizations import actions, selectors
from organizations.models import LeaderRole, Membership, Seat
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 6, 30)


@pytest.mark.parametrize(
    ("start", "end", "current"),
    [
        (datetime.date(2024, 6, 30), None, True),  # starts today
        (datetime.date(2024, 7, 1), None, False),  # starts tomorrow
        (datetime.date(2020, 1, 1), datetime.date(2024, 6, 30), True),  # ends today: still in office
        (datetime.date(2020, 1, 1), datetime.date(2024, 6, 29), False),  # ended yesterday
        (datetime.date(2020, 1, 1), None, True),  # open-ended term
    ],
)
def test_current_is_derived_from_the_dates(start, end, current):
    seat = f.SeatFactory(term_start=start, term_end=end)
    assert seat.is_current(DAY) is current
    assert Seat.objects.current(DAY).filter(pk=seat.pk).exists() is current


def test_current_uses_the_shanghai_date(monkeypatch):
    # 2024-06-30 17:30 UTC is already 2024-07-01 01:30 in Asia/Shanghai.
    from django.utils import timezone

    instant = datetime.datetime(2024, 6, 30, 17, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    starts = f.SeatFactory(term_start=datetime.date(2024, 7, 1))
    ended = f.SeatFactory(term_start=datetime.date(2020, 1, 1), term_end=datetime.date(2024, 6, 30))
    assert starts.current and not ended.current
    current = set(Seat.objects.current().values_list("pk", flat=True))
    assert starts.pk in current and ended.pk not in current


def test_ending_within_counts_days_from_today():
    on = DAY
    soon = f.SeatFactory(term_start=datetime.date(2022, 1, 1), term_end=on + datetime.timedelta(days=90))
    later = f.SeatFactory(term_start=datetime.date(2022, 1, 1), term_end=on + datetime.timedelta(days=91))
    ended = f.SeatFactory(term_start=datetime.date(2022, 1, 1), term_end=on - datetime.timedelta(days=1))
    found = set(Seat.objects.ending_within(90, on).values_list("pk", flat=True))
    assert soon.pk in found and later.pk not in found and ended.pk not in found


def test_the_database_refuses_a_term_that_ends_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        f.SeatFactory(term_start=datetime.date(2024, 1, 2), term_end=datetime.date(2024, 1, 1))


def test_leader_share_counts_only_current_seats_of_open_leaders(jiangshan):
    org = jiangshan.association
    # jiangshan has two current seats: a member (no role) and the hospital director.
    assert selectors.organization_seat_summary(org, DAY) == {"total": 2, "led": 1, "share": 0.5}
    former = f.PersonFactory()
    f.LeaderRoleFactory(
        person=former, kind=LeaderRole.Kind.SCHOOL_PRINCIPAL, started_on=datetime.date(2010, 1, 1),
        ended_on=datetime.date(2020, 1, 1),
    )  # fmt: skip
    f.SeatFactory(organization=org, person=former, term_start=datetime.date(2022, 1, 1))
    f.SeatFactory(
        organization=org, person=jiangshan.leader, position=Seat.Position.CHAIR,
        term_start=datetime.date(2018, 1, 1), term_end=datetime.date(2021, 12, 31),
    )  # fmt: skip
    assert selectors.organization_seat_summary(org, DAY) == {"total": 3, "led": 1, "share": 1 / 3}


def test_seat_create_adds_the_membership(jiangshan_admin, jiangshan, today):
    person = f.PersonFactory()
    f.MembershipFactory(person=person, organization=jiangshan.association)
    newcomer = f.PersonFactory()
    f.TeamMembershipFactory(team=jiangshan.team, person=newcomer)
    seat = actions.seat_create(
        actor=jiangshan_admin,
        organization=jiangshan.association,
        person=newcomer,
        position=Seat.Position.STANDING_MEMBER,
        term_start=today - datetime.timedelta(days=365),
        term_end=today + datetime.timedelta(days=4 * 365),
    )
    assert seat.current
    assert Membership.objects.filter(person=newcomer, organization=jiangshan.association).exists()


def test_seat_create_refuses_reversed_terms_with_a_message(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    response = client.post(
        reverse("organizations:seat_add"),
        {
            "organization": jiangshan.association.pk,
            "person": jiangshan.member.pk,
            "position": "standing_member",
            "term_start": "2025-01-01",
            "term_end": "2024-01-01",
        },
    )
    assert response.status_code == 200
    assert "任期结束日期不能早于开始日期" in response.content.decode()
    assert jiangshan.association.seats.count() == 2


def test_seat_edit_changes_the_term(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    url = reverse("organizations:seat_edit", args=[jiangshan.seat.pk])
    response = client.post(
        url, {"position": "standing_member", "term_start": "2022-01-01", "term_end": "2023-12-31"}
    )
    assert response.status_code == 302
    jiangshan.seat.refresh_from_db()
    assert jiangshan.seat.position == "standing_member" and not jiangshan.seat.current


def test_seat_list_filters_by_state_and_holder(client, district_user, jiangshan):
    f.SeatFactory(
        organization=jiangshan.association, person=f.PersonFactory(name="往届委员"),
        term_start=datetime.date(2015, 1, 1), term_end=datetime.date(2019, 12, 31),
    )  # fmt: skip
    client.force_login(district_user)
    url = reverse("organizations:seat_list")
    ended = client.get(url, {"state": "ended"}).content.decode()
    assert "往届委员" in ended and "姜山会员" not in ended
    leaders = client.get(url, {"holder": "leader"}).content.decode()
    assert "姜山院长" in leaders and "姜山会员" not in leaders


def test_seat_update_validates(jiangshan_admin, jiangshan):
    with pytest.raises(ValidationError):
        actions.seat_update(
            actor=jiangshan_admin, seat=jiangshan.seat, data={"term_end": datetime.date(2000, 1, 1)}
        )


def test_one_chair_at_a_time(jiangshan_admin, jiangshan):
    chair = {"actor": jiangshan_admin, "organization": jiangshan.association, "position": Seat.Position.CHAIR}
    actions.seat_create(
        person=jiangshan.member,
        term_start=datetime.date(2022, 1, 1),
        term_end=datetime.date(2026, 12, 31),
        **chair,
    )
    with pytest.raises(ValidationError) as excinfo:
        actions.seat_create(person=jiangshan.leader, term_start=datetime.date(2026, 6, 1), **chair)
    assert "已由姜山会员担任" in str(excinfo.value)
    # The next term, after the first one ends, is fine.
    actions.seat_create(person=jiangshan.leader, term_start=datetime.date(2027, 1, 1), **chair)
    # Vice chairs may be several.
    for person in (jiangshan.member, jiangshan.leader):
        actions.seat_create(
            actor=jiangshan_admin, organization=jiangshan.association, person=person,
            position=Seat.Position.VICE_CHAIR_SECONDED, term_start=datetime.date(2024, 1, 1),
        )  # fmt: skip


def test_seats_list_in_order_of_precedence(district_user, jiangshan):
    f.SeatFactory(organization=jiangshan.association, position=Seat.Position.CHAIR)
    f.SeatFactory(organization=jiangshan.association, position=Seat.Position.SECRETARY_GENERAL)
    positions = [seat.position for seat in selectors.seat_list(user=district_user)]
    assert positions == ["chair", "vice_chair_parttime", "secretary_general", "member"]


def test_a_leader_role_counts_only_while_it_is_held(jiangshan):
    from organizations.models import Person

    role = LeaderRole.objects.get(person=jiangshan.leader)
    role.started_on, role.ended_on = datetime.date(2020, 1, 1), datetime.date(2024, 6, 30)
    role.save()
    assert jiangshan.leader in Person.objects.leaders(DAY)
    assert jiangshan.leader not in Person.objects.leaders(DAY + datetime.timedelta(days=1))
    assert Seat.objects.held_by_leaders(DAY + datetime.timedelta(days=1)).count() == 0
