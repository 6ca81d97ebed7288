"""An organisation's founding and dissolution days: what the figures of every past period read
an organisation's status from. District staff give them; the form says clearly what is missing;
an activity cannot take place before its organiser was founded or after it was dissolved."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from organizations import actions
from organizations.models import AuditEntry, Organization
from services import actions as service_actions
from services.models import Activity
from tests import factories as f
from tests.organizations.test_organizations import org_form

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
TODAY = datetime.date(2026, 11, 29)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 29, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def association(jiangshan):
    return f.OrganizationFactory(
        code="GA-JS-ECO", name="姜山镇生态科普协会", kind="grassroots_association", category="ecology",
        home_region=f.region("姜山镇"), parent=jiangshan.association, founded_on=datetime.date(2022, 5, 1),
    )  # fmt: skip


def active_codes(day: datetime.date) -> set[str]:
    return set(
        Organization.objects.active_on(day).filter(code__startswith="GA-").values_list("code", flat=True)
    )


def test_active_on_a_day_follows_founding_and_dissolution(db):
    f.OrganizationFactory(code="GA-1", founded_on=datetime.date(2022, 5, 1))
    f.OrganizationFactory(code="GA-2", founded_on=None)  # before the portal's records
    f.OrganizationFactory(
        code="GA-3",
        status="dissolved",
        founded_on=datetime.date(2022, 5, 1),
        dissolved_on=datetime.date(2023, 1, 1),
    )
    f.OrganizationFactory(code="GA-4", status="preparing", founded_on=datetime.date(2022, 1, 1))
    assert active_codes(datetime.date(2022, 4, 30)) == {"GA-2"}
    assert active_codes(datetime.date(2022, 5, 1)) == {"GA-1", "GA-2", "GA-3"}
    assert active_codes(datetime.date(2022, 12, 31)) == {"GA-1", "GA-2", "GA-3"}
    assert active_codes(datetime.date(2023, 1, 1)) == {"GA-1", "GA-2"}  # dissolved from that day


def test_dissolving_asks_for_the_day(district_user, association):
    with pytest.raises(ValidationError) as error:
        actions.organization_update(
            actor=district_user, organization=association, data={"status": "dissolved"}
        )
    assert error.value.message_dict["dissolved_on"] == ["撤销组织须填写撤销日期。"]
    for day, message in (
        (TODAY + datetime.timedelta(days=1), "撤销日期不能晚于今天。"),
        (datetime.date(2022, 5, 1), "撤销日期须晚于成立日期。"),
    ):
        with pytest.raises(ValidationError) as error:
            actions.organization_update(
                actor=district_user,
                organization=association,
                data={"status": "dissolved", "dissolved_on": day},
            )
        assert error.value.message_dict["dissolved_on"] == [message]
    association.refresh_from_db()
    assert (association.status, association.dissolved_on) == ("active", None)
    actions.organization_update(
        actor=district_user, organization=association, data={"status": "dissolved", "dissolved_on": TODAY}
    )
    association.refresh_from_db()
    assert (association.status, association.dissolved_on) == ("dissolved", TODAY)
    entry = AuditEntry.objects.filter(action="organization_update").latest("pk")
    assert entry.changes["dissolved_on"] == [None, "2026-11-29"]


def test_running_again_clears_the_dissolution_day(district_user, association):
    actions.organization_update(
        actor=district_user, organization=association, data={"status": "dissolved", "dissolved_on": TODAY}
    )
    actions.organization_update(actor=district_user, organization=association, data={"status": "active"})
    association.refresh_from_db()
    assert (association.status, association.dissolved_on) == ("active", None)


def test_a_preparing_association_starts_running_with_its_founding_day(district_user, jiangshan):
    preparing = f.OrganizationFactory(
        kind="grassroots_association", category="ecology", status="preparing", parent=jiangshan.association
    )
    with pytest.raises(ValidationError) as error:
        actions.organization_update(actor=district_user, organization=preparing, data={"status": "active"})
    assert error.value.message_dict["founded_on"] == ["筹备中的组织转为正常运行时，须填写成立日期。"]
    with pytest.raises(ValidationError) as error:
        actions.organization_update(
            actor=district_user,
            organization=preparing,
            data={"status": "active", "founded_on": TODAY + datetime.timedelta(days=1)},
        )
    assert error.value.message_dict["founded_on"] == ["正常运行的组织，成立日期不能晚于今天。"]
    actions.organization_update(
        actor=district_user, organization=preparing, data={"status": "active", "founded_on": TODAY}
    )
    assert Organization.objects.active_on(TODAY).filter(pk=preparing.pk).exists()
    assert (
        not Organization.objects.active_on(TODAY - datetime.timedelta(days=1))
        .filter(pk=preparing.pk)
        .exists()
    )


def test_the_form_shows_the_message_and_writes_nothing(client, district_user, association):
    client.force_login(district_user)
    url = reverse("organizations:organization_edit", args=[association.pk])
    data = org_form(
        code="GA-JS-ECO", name="姜山镇生态科普协会", category="ecology", status="dissolved",
        parent=association.parent_id, dissolved_on="",
    )  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    assert "撤销组织须填写撤销日期。" in response.content.decode()
    association.refresh_from_db()
    assert association.status == "active"
    response = client.post(url, {**data, "dissolved_on": "2026-11-29"})
    assert response.status_code == 302
    association.refresh_from_db()
    assert (association.status, association.dissolved_on) == ("dissolved", TODAY)
    page = client.get(reverse("organizations:organization_detail", args=[association.pk])).content.decode()
    assert "撤销日期" in page and "2026-11-29" in page


def test_an_org_admin_cannot_dissolve(client, jiangshan_admin, association):
    client.force_login(jiangshan_admin)
    data = org_form(
        code="GA-JS-ECO", name="姜山镇生态科普协会", category="ecology", status="dissolved",
        parent=association.parent_id, dissolved_on="2026-11-01", contact_name="李秘书",
    )  # fmt: skip
    response = client.post(reverse("organizations:organization_edit", args=[association.pk]), data)
    assert response.status_code == 302
    association.refresh_from_db()
    assert (association.status, association.dissolved_on, association.contact_name) == (
        "active",
        None,
        "李秘书",
    )


def test_another_towns_admin_gets_404(client, wuxiang_admin, association):
    client.force_login(wuxiang_admin)
    url = reverse("organizations:organization_edit", args=[association.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, org_form(status="dissolved", dissolved_on="2026-11-01")).status_code == 404


# --------------------------------------------------------------------------- activities


def activity_data(organizer, day: datetime.date) -> dict:
    starts_at = datetime.datetime.combine(day, datetime.time(9), tzinfo=SHANGHAI)
    return {
        "title": "生态科普讲座",
        "kind": "popular_lecture",
        "organizer": organizer,
        "region": organizer.home_region,
        "venue_kind": "village",
        "starts_at": starts_at,
        "ends_at": starts_at + datetime.timedelta(hours=2),
        "planned_participants": 40,
    }


def test_an_activity_cannot_predate_its_organisers_founding(district_user, association):
    with pytest.raises(ValidationError) as error:
        service_actions.activity_create(
            actor=district_user, data=activity_data(association, datetime.date(2022, 4, 30))
        )
    assert error.value.message_dict["starts_at"] == [
        "活动日期不能早于主办组织“姜山镇生态科普协会”的成立日期（2022-05-01）。"
    ]
    assert not Activity.objects.exists()
    activity = service_actions.activity_create(
        actor=district_user, data=activity_data(association, datetime.date(2022, 5, 1))
    )
    # Moving it before the founding is refused too.
    with pytest.raises(ValidationError):
        service_actions.activity_update(
            actor=district_user,
            activity=activity,
            data=activity_data(association, datetime.date(2021, 12, 1)),
        )


def test_an_activity_cannot_be_moved_past_its_organisers_dissolution(district_user, association):
    activity = service_actions.activity_create(
        actor=district_user, data=activity_data(association, datetime.date(2023, 6, 1))
    )
    Organization.objects.filter(pk=association.pk).update(
        status="dissolved", dissolved_on=datetime.date(2024, 1, 1)
    )
    activity.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        service_actions.activity_update(
            actor=district_user,
            activity=activity,
            data=activity_data(activity.organizer, datetime.date(2024, 1, 1)),
        )
    assert error.value.message_dict["starts_at"] == [
        "主办组织“姜山镇生态科普协会”已于 2024-01-01 撤销，此后不能再有它主办的活动。"
    ]
    service_actions.activity_update(
        actor=district_user,
        activity=activity,
        data=activity_data(activity.organizer, datetime.date(2023, 12, 31)),
    )
    activity.refresh_from_db()
    assert activity.starts_at.astimezone(SHANGHAI).date() == datetime.date(2023, 12, 31)


def test_the_activity_form_shows_the_founding_message(client, district_user, association):
    client.force_login(district_user)
    data = {
        "title": "生态科普讲座",
        "kind": "popular_lecture",
        "organizer": association.pk,
        "region": association.home_region_id,
        "venue_kind": "village",
        "venue": "姜山镇东村文化礼堂",
        "starts_at": "2022-04-30T09:00",
        "ends_at": "2022-04-30T11:00",
        "planned_participants": "40",
    }
    response = client.post(reverse("services:activity_add"), data)
    assert response.status_code == 200
    assert "成立日期（2022-05-01）" in response.content.decode()
    assert not Activity.objects.exists()
