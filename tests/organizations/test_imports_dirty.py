"""A roster as they really arrive: one file that needs every cleaning rule at once, imported end
to end, with what each row must become written down by hand.

The file: a merged title row above the headers; headers with spaces, a star, a full-width colon
and synonyms (联系电话, 公民身份号码, 所在单位, 加入日期); names padded with ideographic spaces;
phones in full-width digits, with spaces, dashes, +86 and 0086; an ID number ending in a
lower-case x and no gender or birth date beside it (both read from the number); full-width
letters in a work unit; 加入日期 as an Excel serial number (a number cell), 2022.3.5, 2022/3/5,
2022年3月5日 and 2022-3; a blank row and a repeated header row in the middle; the same person
twice; and blank rows at the end.
"""

from __future__ import annotations

import datetime

import pytest

from organizations.imports import actions
from organizations.imports.models import ImportBatch
from organizations.models import Membership, Person
from tests.organizations.test_imports_members import xlsx_file

pytestmark = pytest.mark.django_db

HEADER = ["姓 名*", "联系电话", "公民身份号码：", "性别", "出生年月", "所在单位", "加入日期"]
# 33021219850312008X: born 1985-03-12, serial 008 (even: a woman), check character X.
ROWS = [
    [
        "\u3000张三\u3000",
        "１３８ １２３４ ５６７８",
        "33021219850312008x",
        "",
        "",
        "姜山镇卫生院",
        "2022.3.5",
    ],
    ["李四", "+86 139-0000-1111", "", "男", "1979-06-01", "ＸＹ农业合作社", 44625],
    ["王五", "0086 137 0000 2222", "", "", "", "", "2022年3月5日"],
    [None, None, None, None, None, None, None],
    ["赵六", "137-0000-3333", "", "女", "", "", "2022/3/5"],
    HEADER,
    ["钱七", "13700004444", "", "", "", "", "2022-3"],
    ["李四", "139 0000 1111", "", "男", "", "", "2022.3.5"],
    [None] * 7,
    ["", "", "", "", "", "", ""],
]


def test_a_dirty_roster_is_cleaned_row_by_row(jiangshan, jiangshan_admin):
    upload = xlsx_file(HEADER, ROWS, name="姜山镇会员名单（原始）.xlsx", title="姜山镇科协 2022 年会员名单")

    batch = actions.import_upload(
        actor=jiangshan_admin,
        organization=jiangshan.association,
        kind=ImportBatch.Kind.PEOPLE,
        upload=upload,
        background=False,
    )

    # Row 1 is the title, row 2 the header; data from row 3. Row 6 is blank, row 8 repeats the
    # header, row 10 is 李四 again; rows 11 and 12 are blank.
    assert batch.status == ImportBatch.Status.CHECKED
    assert sorted(batch.rows.values_list("number", "outcome")) == [
        (3, "new"),
        (4, "new"),
        (5, "new"),
        (7, "new"),
        (9, "new"),
        (10, "duplicate"),
    ]
    assert batch.details["skipped_header_rows"] == [8]
    assert (batch.new_count, batch.duplicate_count, batch.error_count) == (5, 1, 0)
    assert "4" in batch.rows.get(number=10).note

    batch = actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)

    assert batch.status == ImportBatch.Status.COMMITTED
    people = {
        person.name: person
        for person in Person.objects.filter(memberships__organization=jiangshan.association)
    }
    assert set(people) >= {"张三", "李四", "王五", "赵六", "钱七"}
    zhang = people["张三"]
    assert (zhang.phone, zhang.id_number) == ("13812345678", "33021219850312008X")
    assert (zhang.gender, zhang.birth_date) == (Person.Gender.FEMALE, datetime.date(1985, 3, 12))
    li = people["李四"]
    assert (li.phone, li.gender, li.birth_date) == (
        "13900001111",
        Person.Gender.MALE,
        datetime.date(1979, 6, 1),
    )
    assert li.employer == "XY农业合作社"
    assert people["王五"].phone == "13700002222"
    assert people["赵六"].phone == "13700003333"
    assert people["钱七"].phone == "13700004444"
    joined = dict(
        Membership.objects.filter(
            organization=jiangshan.association, person__name__in=["张三", "李四", "王五", "赵六", "钱七"]
        ).values_list("person__name", "joined_on")
    )
    march_5 = datetime.date(2022, 3, 5)
    assert joined == {
        "张三": march_5,
        "李四": march_5,  # Excel serial 44625
        "王五": march_5,
        "赵六": march_5,
        "钱七": datetime.date(2022, 3, 1),  # a month alone: its first day
    }
    assert [person.phone for person in Person.objects.all()].count("13900001111") == 1
