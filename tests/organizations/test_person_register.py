"""Registering members: validation, duplicate detection across the district, atomicity."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from organizations import actions
from organizations.models import AuditEntry, LeaderRole, Membership, Person
from tests.factories import person_form_data as form_data
from tests.factories import valid_resident_id

pytestmark = pytest.mark.django_db


def test_it_registers_a_member_with_membership_and_audit(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    response = client.post(reverse("organizations:person_add"), form_data(jiangshan.association))
    assert response.status_code == 302
    person = Person.objects.with_phone("13912345678").get()
    assert Membership.objects.filter(person=person, organization=jiangshan.association).exists()
    entry = AuditEntry.objects.get(action="person_register", object_id=str(person.pk))
    assert entry.actor == jiangshan_admin
    assert "13912345678" not in str(entry.changes) + entry.summary


def test_it_registers_a_leader_and_reads_birth_date_from_the_id(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    id_number = valid_resident_id(123, birth="19750612")
    data = form_data(
        jiangshan.association,
        id_number=f" {id_number} ",
        leader_kind="school_principal",
        leader_institution="姜山镇中心小学",
        gender="unknown",
    )
    client.post(reverse("organizations:person_add"), data)
    person = Person.objects.with_phone("13912345678").get()
    assert person.id_number == id_number
    assert person.birth_date.isoformat() == "1975-06-12"
    assert person.gender == ("male" if int(id_number[16]) % 2 else "female")
    assert LeaderRole.objects.get(person=person).kind == "school_principal"


def test_it_accepts_a_lowercase_x(jiangshan_admin, jiangshan):
    person = actions.person_register(
        actor=jiangshan_admin,
        organization=jiangshan.association,
        name="张红",
        id_number="11010519491231002x",
    )
    assert person.id_number == "11010519491231002X"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "1391234567", "请输入有效的11位中国大陆手机号码"),
        ("phone", "23912345678", "请输入有效的11位中国大陆手机号码"),
        ("id_number", "330212198001011234", "身份证号码校验位不正确"),
        ("id_number", "330212198002301230", "出生日期无效"),
    ],
)
def test_it_shows_clear_errors_on_the_form(client, jiangshan_admin, jiangshan, field, value, message):
    client.force_login(jiangshan_admin)
    response = client.post(
        reverse("organizations:person_add"), form_data(jiangshan.association, **{field: value})
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Person.objects.filter(name="王小明").exists()
    assert not Membership.objects.filter(person__name="王小明").exists()


def test_it_names_a_visible_duplicate(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    data = form_data(jiangshan.association, phone=jiangshan.member.phone)
    body = client.post(reverse("organizations:person_add"), data).content.decode()
    assert "已登记给“姜山会员”" in body
    assert Person.objects.with_phone(jiangshan.member.phone).count() == 1


def test_a_visible_duplicate_names_only_the_organisations_the_admin_may_see(
    client, jiangshan_admin, jiangshan, wuxiang
):
    """A person in 姜山镇科协 and in 五乡镇科协: 姜山镇's admin learns only of 姜山镇科协."""
    Membership.objects.create(
        person=jiangshan.member, organization=wuxiang.association, joined_on=datetime.date(2022, 5, 1)
    )
    client.force_login(jiangshan_admin)
    data = form_data(jiangshan.association, phone=jiangshan.member.phone)
    body = client.post(reverse("organizations:person_add"), data).content.decode()
    assert f"已登记给“姜山会员”（{jiangshan.association.name}，编号 {jiangshan.member.pk}）" in body
    assert wuxiang.association.name not in body


def test_it_does_not_reveal_a_duplicate_in_another_town(client, jiangshan_admin, jiangshan, wuxiang):
    client.force_login(jiangshan_admin)
    data = form_data(jiangshan.association, phone=wuxiang.member.phone)
    response = client.post(reverse("organizations:person_add"), data)
    body = response.content.decode()
    assert "已被区内其他组织登记的人员使用" in body
    assert "五乡会员" not in body and "五乡镇科协" not in body
    assert not Person.objects.filter(name="王小明").exists()


def test_it_detects_duplicate_id_numbers(jiangshan_admin, jiangshan):
    id_number = valid_resident_id(7)
    jiangshan.member.id_number = id_number
    jiangshan.member.save()
    with pytest.raises(ValidationError) as excinfo:
        actions.person_register(
            actor=jiangshan_admin,
            organization=jiangshan.association,
            name="李四",
            id_number=id_number.lower(),
        )
    assert "id_number" in excinfo.value.error_dict


def test_it_refuses_registration_into_a_foreign_organisation(jiangshan_admin, wuxiang):
    with pytest.raises(PermissionDenied):
        actions.person_register(actor=jiangshan_admin, organization=wuxiang.association, name="赵五")
    assert not Person.objects.filter(name="赵五").exists()


def test_the_database_refuses_duplicates_too(jiangshan):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(name="重复", phone=jiangshan.member.phone)


def test_editing_keeps_the_own_phone_and_checks_others(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    url = reverse("organizations:person_edit", args=[jiangshan.member.pk])
    data = {
        "name": "姜山会员",
        "gender": "female",
        "phone": jiangshan.member.phone,
        "id_number": "",
        "employer": "新单位",
        "title": "",
        "profession": "other",
        "email": "",
        "notes": "",
    }
    assert client.post(url, data).status_code == 302
    jiangshan.member.refresh_from_db()
    assert jiangshan.member.employer == "新单位"
    data["phone"] = jiangshan.leader.phone
    body = client.post(url, data).content.decode()
    assert "已登记给“姜山院长”" in body
    entry = AuditEntry.objects.get(action="person_update")
    assert entry.changes == {"employer": ["测试单位", "新单位"]}


def test_a_known_person_from_another_town_can_join_by_name_and_phone(
    client, jiangshan_admin, jiangshan, wuxiang
):
    client.force_login(jiangshan_admin)
    url = reverse("organizations:person_add")
    data = form_data(jiangshan.association, name="五乡会员", phone=wuxiang.member.phone)
    body = client.post(url, data).content.decode()
    assert "姓名也相同" in body and "五乡镇科协" not in body
    response = client.post(url, {**data, "link_existing": "on"})
    assert response.status_code == 302
    assert Person.objects.with_phone(wuxiang.member.phone).count() == 1
    assert Membership.objects.filter(person=wuxiang.member, organization=jiangshan.association).exists()
    assert AuditEntry.objects.filter(action="person_link", object_id=str(wuxiang.member.pk)).exists()
    # Now the 姜山镇 admin sees the person, but not the 五乡镇 membership.
    detail = client.get(reverse("organizations:person_detail", args=[wuxiang.member.pk])).content.decode()
    assert "姜山镇科协" in detail and "五乡镇科协" not in detail


def test_linking_needs_the_exact_name(client, jiangshan_admin, jiangshan, wuxiang):
    client.force_login(jiangshan_admin)
    data = form_data(jiangshan.association, name="别人", phone=wuxiang.member.phone, link_existing="on")
    body = client.post(reverse("organizations:person_add"), data).content.decode()
    assert "已被区内其他组织登记的人员使用" in body
    assert not Membership.objects.filter(person=wuxiang.member, organization=jiangshan.association).exists()
