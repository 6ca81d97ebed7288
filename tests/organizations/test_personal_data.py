"""Phone and ID numbers at rest (PIPL, GB/T 35273): stored encrypted, matched by a keyed hash,
normalised before every duplicate check, masked on the pages that do not need them, and the
keys rotated by a command.

The ciphertext and the hashes are checked with the cryptography and hmac libraries directly,
not through the portal's own functions."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qs

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.db import connection
from django.urls import reverse

from organizations import actions
from organizations.models import AuditEntry, Membership, Person
from sanhui.crypto import check_keys
from services.models import Attendance
from tests import factories as f
from tests.factories import person_form_data as form_data
from tests.factories import valid_resident_id
from tests.services.factories import ActivityFactory, AttendanceFactory

pytestmark = pytest.mark.django_db

OLD_KEY = "Qzz7q7qYR6tnXiqxk3l_zspCyrVpK9kCVWFYXQAw8EQ="
NEW_KEY = "phyBbzB89YmageGUAG6l0XiF69KJgqX2v8SMrYzGE1g="
OLD_LOOKUP = "old-lookup-key-0123456789abcdefghijklmn"
NEW_LOOKUP = "new-lookup-key-9876543210zyxwvutsrqponm"
ID_NUMBER = "11010519491231002X"  # the GB 11643 example


def wide(ascii_text: str) -> str:
    """The full-width form of ASCII text, as a Chinese input method types it (space: U+3000)."""
    return "".join("\u3000" if char == " " else chr(ord(char) + 0xFEE0) for char in ascii_text)


def stored(table: str, pk: int, *columns: str) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()


def hmac_hex(key: str, value: str) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------- at rest


def test_numbers_are_stored_encrypted_and_read_as_plain_text(settings):
    settings.SANHUI_FIELD_KEYS = [OLD_KEY]
    settings.SANHUI_LOOKUP_KEY = OLD_LOOKUP
    person = f.PersonFactory(phone="13812345678", id_number=ID_NUMBER)
    phone, phone_hash, id_number, id_hash = stored(
        "organizations_person", person.pk, "phone", "phone_hash", "id_number", "id_number_hash"
    )
    assert "13812345678" not in phone and "1231002X" not in id_number
    assert Fernet(OLD_KEY).decrypt(phone.encode()) == b"13812345678"
    assert Fernet(OLD_KEY).decrypt(id_number.encode()) == ID_NUMBER.encode()
    assert phone_hash == hmac_hex(OLD_LOOKUP, "13812345678")
    assert id_hash == hmac_hex(OLD_LOOKUP, ID_NUMBER)
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.phone, fresh.id_number, fresh.masked_phone) == ("13812345678", ID_NUMBER, "138****5678")
    # No number given: stored empty, so that "no number" needs no key to be seen.
    nobody = f.PersonFactory(phone="", id_number="")
    assert stored("organizations_person", nobody.pk, "phone", "phone_hash") == ("", "")


def test_a_check_in_phone_is_stored_encrypted(settings):
    settings.SANHUI_FIELD_KEYS = [OLD_KEY]
    settings.SANHUI_LOOKUP_KEY = OLD_LOOKUP
    attendance = AttendanceFactory(phone="13700000001")
    phone, phone_hash = stored("services_attendance", attendance.pk, "phone", "phone_hash")
    assert "13700000001" not in phone
    assert Fernet(OLD_KEY).decrypt(phone.encode()) == b"13700000001"
    assert phone_hash == hmac_hex(OLD_LOOKUP, "13700000001")
    assert Attendance.objects.get(pk=attendance.pk).phone == "13700000001"


def test_the_ciphertext_cannot_be_searched_by_mistake():
    f.PersonFactory(phone="13812345678")
    with pytest.raises(FieldError, match=r"phone_hash|lookup_hash"):
        list(Person.objects.filter(phone="13812345678"))
    with pytest.raises(FieldError):
        list(Person.objects.filter(id_number__startswith="3302"))
    assert Person.objects.with_phone("13812345678").count() == 1
    assert Person.objects.with_phone("").count() == 0


# --------------------------------------------------------------------------- duplicates


def test_a_full_width_copy_of_a_registered_phone_is_a_duplicate(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    phone = jiangshan.member.phone
    typed = wide(f"{phone[:3]} {phone[3:7]} {phone[7:]}")
    body = client.post(reverse("organizations:person_add"), form_data(jiangshan.association, phone=typed))
    assert "已登记给“姜山会员”" in body.content.decode()
    assert Person.objects.with_phone(phone).count() == 1
    assert not Person.objects.filter(name="王小明").exists()


def test_a_disguised_copy_from_another_town_names_nothing_of_it(client, jiangshan_admin, jiangshan, wuxiang):
    client.force_login(jiangshan_admin)
    phone = wuxiang.member.phone
    typed = f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}"
    body = client.post(reverse("organizations:person_add"), form_data(jiangshan.association, phone=typed))
    text = body.content.decode()
    assert "已被区内其他组织登记的人员使用" in text
    assert "五乡会员" not in text and "五乡镇科协" not in text
    assert not Person.objects.filter(name="王小明").exists()


def test_an_id_number_typed_full_width_with_a_small_x_is_a_duplicate(jiangshan_admin, jiangshan):
    jiangshan.member.id_number = ID_NUMBER
    jiangshan.member.save()
    with pytest.raises(ValidationError) as excinfo:
        actions.person_register(
            actor=jiangshan_admin,
            organization=jiangshan.association,
            name="李四",
            id_number=wide("11010519491231002x"),
        )
    assert excinfo.value.error_dict["id_number"][0].code == "duplicate_visible"
    assert Person.objects.with_id_number(ID_NUMBER).count() == 1


def test_a_phone_in_arabic_indic_digits_is_refused_on_the_form(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    arabic = "".join(chr(0x0660 + int(digit)) for digit in "13912345678")
    response = client.post(
        reverse("organizations:person_add"), form_data(jiangshan.association, phone=arabic)
    )
    assert response.status_code == 200
    assert "号码中含有无法识别的数字字符" in response.content.decode()
    assert not Person.objects.filter(name="王小明").exists()
    assert not Membership.objects.filter(person__name="王小明").exists()


def test_a_whole_number_finds_its_person_in_the_people_search(client, supervisor_user, jiangshan):
    jiangshan.member.id_number = ID_NUMBER
    jiangshan.member.save()
    client.force_login(supervisor_user)
    url = reverse("organizations:person_list")
    phone = jiangshan.member.phone
    found = {p.name for p in client.get(url, {"q": wide(phone)}).context["page"]}
    assert found == {"姜山会员"}
    found = {p.name for p in client.get(url, {"q": "110105 19491231 002x"}).context["page"]}
    assert found == {"姜山会员"}
    # Part of a number finds nobody: the digits a masked number hides cannot be probed.
    assert not list(client.get(url, {"q": phone[3:7]}).context["page"])


def test_the_admin_finds_a_person_by_a_whole_number(client, district_user, jiangshan):
    district_user.is_staff = district_user.is_superuser = True
    district_user.save()
    client.force_login(district_user)
    url = reverse("admin:organizations_person_changelist")
    phone = jiangshan.member.phone
    found = client.get(url, {"q": f"+86 {phone}"}).context["cl"].result_list
    assert [person.name for person in found] == ["姜山会员"]
    assert not client.get(url, {"q": phone[3:7]}).context["cl"].result_list


# --------------------------------------------------------------------------- masking


def test_the_edit_page_shows_the_id_number_masked_and_keeps_it(client, jiangshan_admin, jiangshan):
    person = jiangshan.member
    person.id_number = ID_NUMBER
    person.save()
    client.force_login(jiangshan_admin)
    url = reverse("organizations:person_edit", args=[person.pk])
    body = client.get(url).content.decode()
    assert "110105********002X" in body and ID_NUMBER not in body
    data = {
        "name": person.name, "gender": "female", "phone": person.phone, "id_number": "110105********002X",
        "employer": "新单位", "title": "", "profession": "other", "email": "", "notes": "",
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    person.refresh_from_db()
    assert (person.id_number, person.employer) == (ID_NUMBER, "新单位")
    corrected = valid_resident_id(123, birth="19750612")
    assert client.post(url, {**data, "id_number": corrected.lower()}).status_code == 302
    person.refresh_from_db()
    assert person.id_number == corrected


def test_only_managers_of_the_person_open_the_edit_page(
    client, wuxiang_admin, supervisor_user, leader_user, jiangshan
):
    url = reverse("organizations:person_edit", args=[jiangshan.member.pk])
    client.force_login(wuxiang_admin)
    assert client.get(url).status_code == 404
    client.force_login(supervisor_user)
    assert client.get(url).status_code == 403
    client.force_login(leader_user)
    assert client.get(reverse("organizations:person_edit", args=[jiangshan.leader.pk])).status_code == 403


def test_a_number_searched_for_is_masked_in_the_export_record(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    phone = jiangshan.member.phone
    response = client.post(
        reverse("organizations:list_export", args=["people"]),
        {"full": "on", "reason": "向区科协报送名单", "query": f"q={phone}&profession=other", "format": "csv"},
    )
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="people_export_full")
    recorded = parse_qs(entry.changes["filters"])
    assert recorded == {"q": [f"{phone[:3]}****{phone[-4:]}"], "profession": ["other"]}
    assert phone not in str(entry.changes)


# --------------------------------------------------------------------------- keys


def test_missing_or_malformed_keys_are_system_check_errors(settings):
    settings.SANHUI_FIELD_KEYS = []
    settings.SANHUI_LOOKUP_KEY = ""
    assert [error.id for error in check_keys()] == ["sanhui.E101", "sanhui.E103"]
    settings.SANHUI_FIELD_KEYS = [NEW_KEY, "not-a-key"]
    settings.SANHUI_LOOKUP_KEY = "too-short"
    assert [error.id for error in check_keys()] == ["sanhui.E102", "sanhui.E103"]
    settings.SANHUI_LOOKUP_KEY = NEW_KEY
    assert [error.id for error in check_keys()] == ["sanhui.E102", "sanhui.E104"]
    settings.SANHUI_FIELD_KEYS = [NEW_KEY]
    settings.SANHUI_LOOKUP_KEY = NEW_LOOKUP
    assert check_keys() == []
    settings.SANHUI_FIELD_KEYS = []
    with pytest.raises(SystemCheckError, match="SANHUI_FIELD_KEYS"):
        call_command("check")


@pytest.fixture
def old_keys(settings):
    settings.SANHUI_FIELD_KEYS = [OLD_KEY]
    settings.SANHUI_LOOKUP_KEY = OLD_LOOKUP


@pytest.fixture
def under_old_keys(old_keys, jiangshan):
    """Under the old keys: the two people of 姜山镇 (member and leader), three more (one with an
    ID number, one with no numbers at all) and two check-ins."""
    with_id = f.PersonFactory(name="有证件", phone="13811110001", id_number=ID_NUMBER)
    phone_only = f.PersonFactory(name="仅电话", phone="13811110002")
    f.PersonFactory(name="无号码", phone="")
    activity = ActivityFactory(organizer=jiangshan.association)
    AttendanceFactory(activity=activity, phone="13700000001")
    AttendanceFactory(activity=activity, phone="13700000002")
    return with_id, phone_only


def test_rotation_reencrypts_under_the_new_key_and_rehashes(
    settings, under_old_keys, jiangshan_admin, jiangshan
):
    with_id, phone_only = under_old_keys
    settings.SANHUI_FIELD_KEYS = [NEW_KEY, OLD_KEY]
    settings.SANHUI_LOOKUP_KEY = NEW_LOOKUP
    out = call_command_output("rotate_field_keys", old_lookup_key=OLD_LOOKUP)
    # The jiangshan fixture's two people and the three above; the two check-ins.
    assert "人员：5 条" in out and "签到记录：2 条" in out and "共 7 条记录" in out
    settings.SANHUI_FIELD_KEYS = [NEW_KEY]
    phone, phone_hash, id_number = stored(
        "organizations_person", with_id.pk, "phone", "phone_hash", "id_number"
    )
    assert Fernet(NEW_KEY).decrypt(phone.encode()) == b"13811110001"
    assert Fernet(NEW_KEY).decrypt(id_number.encode()) == ID_NUMBER.encode()
    with pytest.raises(InvalidToken):
        Fernet(OLD_KEY).decrypt(phone.encode())
    assert phone_hash == hmac_hex(NEW_LOOKUP, "13811110001")
    assert Person.objects.get(pk=phone_only.pk).phone == "13811110002"
    assert sorted(Attendance.objects.values_list("phone", flat=True)) == ["13700000001", "13700000002"]
    # Lookups still find duplicates under the new lookup key.
    assert Person.objects.with_id_number(ID_NUMBER).get() == with_id
    with pytest.raises(ValidationError) as excinfo:
        actions.person_register(
            actor=jiangshan_admin, organization=jiangshan.association, name="重复", phone="138 1111 0002"
        )
    assert "phone" in excinfo.value.error_dict


def test_rotation_with_a_wrong_old_lookup_key_changes_nothing(settings, under_old_keys):
    with_id, _phone_only = under_old_keys
    before = stored("organizations_person", with_id.pk, "phone", "phone_hash")
    settings.SANHUI_FIELD_KEYS = [NEW_KEY, OLD_KEY]
    settings.SANHUI_LOOKUP_KEY = NEW_LOOKUP
    with pytest.raises(CommandError, match="old key given is wrong"):
        call_command("rotate_field_keys", old_lookup_key="not-the-old-lookup-key-at-all-0000")
    assert stored("organizations_person", with_id.pk, "phone", "phone_hash") == before


def test_rotation_can_be_run_again(settings, under_old_keys):
    settings.SANHUI_FIELD_KEYS = [NEW_KEY, OLD_KEY]
    settings.SANHUI_LOOKUP_KEY = NEW_LOOKUP
    call_command_output("rotate_field_keys", old_lookup_key=OLD_LOOKUP)
    assert "共 7 条记录" in call_command_output("rotate_field_keys", old_lookup_key=OLD_LOOKUP)


def call_command_output(*args, **kwargs) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()
