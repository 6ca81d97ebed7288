"""The leader import (三长/泛三长与职务): the person, their role and their seat; the same file
again; the seat rules in the dry run."""

from __future__ import annotations

import datetime

from organizations.imports import actions
from organizations.imports.models import ImportBatch
from organizations.models import LeaderRole, Seat
from tests import factories as f
from tests.organizations.test_imports_members import upload, xlsx_file

LEADER_HEADER = ["姓名", "手机号码", "身份证号码", "性别", "身份", "任职单位", "职务", "任期开始", "任期结束"]


def leaders_file(*rows):
    return xlsx_file(LEADER_HEADER, list(rows), name="三长.xlsx")


def test_roles_and_seats_are_created_and_the_same_file_is_duplicates(jiangshan, jiangshan_admin):
    rows = (
        ["周院长", "13600000201", "", "男", "院长", "姜山镇卫生院", "副主席", "2022.3.15", "2027年3月14日"],
        ["吴校长", "13600000202", "", "女", "学校校长", "姜山中学", "常委", "2022-03-15", ""],
        # A leader already registered in 姜山镇: the role is new, the seat too.
        [
            jiangshan.member.name,
            jiangshan.member.phone,
            "",
            "",
            "站长",
            "姜山农技站",
            "委员",
            "2022-03-15",
            "",
        ],
    )
    batch = upload(jiangshan_admin, jiangshan.association, leaders_file(*rows), kind=ImportBatch.Kind.LEADERS)
    assert (batch.new_count, batch.update_count, batch.duplicate_count, batch.error_count) == (3, 0, 0, 0), (
        list(batch.rows.values("number", "errors"))
    )

    actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)

    zhou = Seat.objects.get(organization=jiangshan.association, person__name="周院长")
    assert (zhou.position, zhou.term_start, zhou.term_end) == (
        Seat.Position.VICE_CHAIR_PARTTIME,
        datetime.date(2022, 3, 15),
        datetime.date(2027, 3, 14),
    )
    role = LeaderRole.objects.get(person__name="周院长")
    assert (role.kind, role.institution) == (LeaderRole.Kind.HOSPITAL_DIRECTOR, "姜山镇卫生院")
    assert LeaderRole.objects.get(person=jiangshan.member).kind == LeaderRole.Kind.AGRITECH_STATION_HEAD
    assert Seat.objects.filter(organization=jiangshan.association, person=jiangshan.member).count() == 2

    again = upload(jiangshan_admin, jiangshan.association, leaders_file(*rows), kind=ImportBatch.Kind.LEADERS)
    assert (again.new_count, again.update_count, again.duplicate_count, again.error_count) == (0, 0, 3, 0)


def test_a_second_chair_is_refused_by_the_seat_rule(jiangshan, jiangshan_admin):
    chair = f.PersonFactory(name="现任主席")
    f.SeatFactory(
        organization=jiangshan.association,
        person=chair,
        position=Seat.Position.CHAIR,
        term_start=datetime.date(2021, 1, 1),
        term_end=None,
    )
    batch = upload(
        jiangshan_admin,
        jiangshan.association,
        leaders_file(["新主席", "13600000211", "", "", "医院院长", "姜山镇卫生院", "主席", "2022-03-15", ""]),
        kind=ImportBatch.Kind.LEADERS,
    )
    row = batch.rows.get()
    assert row.outcome == "error"
    assert row.errors == {"职务": ["主席在此任期内已由现任主席担任，请先调整其任期。"]}


def test_two_chairs_in_one_file(jiangshan, jiangshan_admin):
    batch = upload(
        jiangshan_admin,
        jiangshan.association,
        leaders_file(
            ["甲主席", "13600000221", "", "", "医院院长", "姜山镇卫生院", "主席", "2022-03-15", ""],
            ["乙主席", "13600000222", "", "", "学校校长", "姜山中学", "主席", "2023-01-01", ""],
        ),
        kind=ImportBatch.Kind.LEADERS,
    )
    rows = {row.number: row for row in batch.rows.all()}
    assert rows[2].outcome == "new"
    assert rows[3].errors == {"职务": ["与第 2 行的主席任期重叠。"]}


def test_unknown_kind_and_position_name_the_choices(jiangshan, jiangshan_admin):
    batch = upload(
        jiangshan_admin,
        jiangshan.association,
        leaders_file(["丙", "13600000231", "", "", "村长", "某村", "理事", "2022-03-15", "2021-01-01"]),
        kind=ImportBatch.Kind.LEADERS,
    )
    errors = batch.rows.get().errors
    assert set(errors) == {"身份", "职务"}
    assert "医院院长" in errors["身份"][0] and "兼职副主席" in errors["职务"][0]
