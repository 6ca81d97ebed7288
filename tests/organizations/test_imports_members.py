"""The member import (会员名单): a thousand rows with fifty bad ones, the same file again, the
rejected rows fixed and imported again, and how a row is matched to a registered person.

Files are built here with openpyxl (and csv) and read back by the import; the figures expected
are counted by hand from the rows written below.
"""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from organizations.imports import actions
from organizations.imports.models import ImportBatch, ImportRow
from organizations.models import AuditEntry, Membership, Person
from tests import factories as f

MEMBER_HEADER = ["姓名", "手机号码", "身份证号码", "性别", "工作单位", "入会日期"]


def xlsx_file(
    header: list[str], rows: list[list], name: str = "会员.xlsx", title: str = ""
) -> SimpleUploadedFile:
    """An XLSX upload: an optional merged title row, the header, the rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return SimpleUploadedFile(name, output.getvalue())


def csv_file(header: list[str], rows: list[list], name: str = "会员.csv", encoding: str = "utf-8-sig"):
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, output.getvalue().encode(encoding))


def workbook_rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [["" if cell is None else cell for cell in row] for row in sheet.iter_rows(values_only=True)]


def phone(n: int) -> str:
    return f"137{n:08d}"


def member_id(n: int) -> str:
    """A valid resident ID (male: the serial is odd)."""
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=n)
    return f.valid_resident_id(2 * (n % 400) + 1, birth=birth.strftime("%Y%m%d"))


def upload(actor, organization, file, kind=ImportBatch.Kind.PEOPLE) -> ImportBatch:
    return actions.import_upload(
        actor=actor, organization=organization, kind=kind, upload=file, background=False
    )


def errors_of(batch: ImportBatch) -> dict[int, dict]:
    return {
        row.number: row.errors
        for row in batch.rows.filter(outcome=ImportRow.Outcome.ERROR).order_by("number")
    }


# Fifty bad rows among a thousand: every twentieth row, in five kinds, ten of each.
BAD_KINDS = ("phone", "check_digit", "name", "date", "gender")


def thousand_rows() -> tuple[list[list], dict[int, str]]:
    """1,000 member rows (spreadsheet rows 2–1001); rows 20, 40 … 1000 are bad, in turn: a
    phone of ten digits, an ID whose check digit is wrong, no name, 入会日期 2022-02-30, and
    性别 女 for a man's ID number."""
    rows, bad = [], {}
    for n in range(1, 1001):
        id_number = member_id(n) if n % 4 == 0 else ""
        row = [f"会员{n:04d}", phone(n), id_number, "", "姜山镇卫生院", "2022-03-05"]
        if n % 20 == 0:
            kind = BAD_KINDS[(n // 20 - 1) % 5]
            bad[n + 1] = kind
            if kind == "phone":
                row[1] = phone(n)[:10]
            elif kind == "check_digit":
                good = member_id(n)
                row[2] = good[:17] + ("0" if good[17] != "0" else "1")
            elif kind == "name":
                row[0] = ""
            elif kind == "date":
                row[5] = "2022-02-30"
            else:
                row[2], row[3] = member_id(n), "女"
        rows.append(row)
    return rows, bad


@pytest.fixture
def thousand():
    return thousand_rows()


def test_a_thousand_rows_with_fifty_bad_ones(jiangshan, jiangshan_admin, thousand):
    rows, bad = thousand
    people_before, memberships_before = Person.objects.count(), Membership.objects.count()

    batch = upload(jiangshan_admin, jiangshan.association, xlsx_file(MEMBER_HEADER, rows))

    assert batch.status == ImportBatch.Status.CHECKED
    assert (
        batch.total_rows,
        batch.new_count,
        batch.update_count,
        batch.duplicate_count,
        batch.error_count,
    ) == (
        1000,
        950,
        0,
        0,
        50,
    )
    assert Person.objects.count() == people_before  # the dry run writes no person
    errors = errors_of(batch)
    assert sorted(errors) == sorted(bad)
    assert {number: next(iter(found)) for number, found in errors.items()} == {
        number: {
            "phone": "手机号码",
            "check_digit": "身份证号码",
            "name": "姓名",
            "date": "入会日期",
            "gender": "性别",
        }[kind]
        for number, kind in bad.items()
    }
    assert "校验位" in errors[41]["身份证号码"][0]
    assert errors[101]["性别"] == ["性别与身份证号码不符。"]

    batch = actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)

    assert batch.status == ImportBatch.Status.COMMITTED, batch.message
    assert Person.objects.count() - people_before == 950
    assert Membership.objects.count() - memberships_before == 950
    assert (
        Membership.objects.filter(
            organization=jiangshan.association, joined_on=datetime.date(2022, 3, 5)
        ).count()
        == 950
    )
    person = Person.objects.get(name="会员0004")
    assert (person.id_number, person.gender, person.birth_date) == (
        member_id(4),
        "male",
        datetime.date(1970, 1, 5),
    )
    entry = AuditEntry.objects.get(action="import_commit", object_id=str(batch.pk))
    assert entry.changes == {"new": 950, "update": 0, "duplicate": 0, "error": 50}
    assert AuditEntry.objects.filter(action="person_register").count() == 950

    # The same file again: nothing new, every good row a duplicate.
    again = upload(jiangshan_admin, jiangshan.association, xlsx_file(MEMBER_HEADER, rows))
    assert (again.new_count, again.update_count, again.duplicate_count, again.error_count) == (0, 0, 950, 50)
    again = actions.import_commit(actor=jiangshan_admin, batch=again, background=False)
    assert again.status == ImportBatch.Status.COMMITTED
    assert (again.new_count, again.duplicate_count, again.error_count) == (0, 950, 50)
    assert Person.objects.count() - people_before == 950


def test_the_rejected_rows_fixed_come_back_new(jiangshan, jiangshan_admin, thousand, client):
    rows, bad = thousand
    batch = upload(jiangshan_admin, jiangshan.association, xlsx_file(MEMBER_HEADER, rows))
    actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)
    client.force_login(jiangshan_admin)

    response = client.get(f"/organizations/imports/{batch.pk}/rejected/")

    assert response.status_code == 200
    rejected = workbook_rows(b"".join(response.streaming_content) if response.streaming else response.content)
    assert rejected[0] == [*MEMBER_HEADER, "错误原因"]
    assert len(rejected) == 51
    by_name = {row[0]: row for row in rejected[1:]}
    assert by_name["会员0020"][1] == phone(20)[:10]
    assert "手机号码" in by_name["会员0020"][6]
    # Fix each row as its reason says, keeping the 错误原因 column (an import ignores it).
    fixed = []
    for number, row in zip(sorted(bad), rejected[1:], strict=True):
        n = number - 1
        row = list(row)
        row[0], row[1], row[2], row[3], row[5] = f"会员{n:04d}", phone(n), member_id(n), "", "2022-03-05"
        fixed.append(row)
    again = upload(jiangshan_admin, jiangshan.association, xlsx_file(rejected[0], fixed, name="改好的.xlsx"))
    assert (again.new_count, again.update_count, again.duplicate_count, again.error_count) == (50, 0, 0, 0)
    assert again.details["unknown_headers"] == ["错误原因"]
    actions.import_commit(actor=jiangshan_admin, batch=again, background=False)
    assert (
        Membership.objects.filter(organization=jiangshan.association, person__name__startswith="会员").count()
        == 1000
    )


def test_a_known_person_joins_or_is_updated(jiangshan, wuxiang, jiangshan_admin):
    """A person already registered: same name → joins (UPDATE) or gets the changed fields; the
    same data again → DUPLICATE."""
    wuxiang.member.phone = "13600000001"
    wuxiang.member.save()
    jiangshan.member.phone = "13600000002"
    jiangshan.member.employer = "旧单位"
    jiangshan.member.save()
    file = xlsx_file(
        MEMBER_HEADER,
        [
            [wuxiang.member.name, "136 0000 0001", "", "", "", ""],  # another town's member: joins
            [jiangshan.member.name, "13600000002", "", "", "姜山镇卫生院", ""],  # changes employer
            [jiangshan.leader.name, "", "", "", "", ""],  # a member, by name alone, nothing new
        ],
    )
    batch = upload(jiangshan_admin, jiangshan.association, file)
    rows = {row.number: row for row in batch.rows.all()}
    assert [rows[n].outcome for n in (2, 3, 4)] == ["update", "update", "duplicate"]
    assert rows[2].note == "将加入本组织"
    assert rows[3].note == "将更新：工作单位"
    # The other town's member is not the admin's to change: only the joining is planned.
    assert rows[2].values["_plan"]["update"] == []

    actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)

    assert Membership.objects.filter(person=wuxiang.member, organization=jiangshan.association).exists()
    jiangshan.member.refresh_from_db()
    assert jiangshan.member.employer == "姜山镇卫生院"
    assert AuditEntry.objects.filter(action="person_update", object_id=str(jiangshan.member.pk)).count() == 1
    assert AuditEntry.objects.filter(action="membership_add", object_id__isnull=False).count() == 1


def test_a_number_of_someone_hidden_under_another_name_reveals_nothing(jiangshan, wuxiang, jiangshan_admin):
    wuxiang.member.phone = "13600000001"
    wuxiang.member.id_number = member_id(7)
    wuxiang.member.save()
    file = xlsx_file(
        MEMBER_HEADER,
        [["别人", "13600000001", "", "", "", ""], ["另一人", "", member_id(7), "", "", ""]],
    )
    batch = upload(jiangshan_admin, jiangshan.association, file)
    errors = errors_of(batch)
    assert sorted(errors) == [2, 3]
    text = str(errors)
    assert "手机号码" in errors[2] and "身份证号码" in errors[3]
    for secret in (wuxiang.member.name, wuxiang.association.name, "五乡"):
        assert secret not in text
    assert "区内其他组织" in errors[2]["手机号码"][0]


def test_the_same_person_twice_in_a_file(jiangshan, jiangshan_admin):
    file = xlsx_file(
        MEMBER_HEADER,
        [
            ["王新", "13600000011", "", "", "", ""],
            ["王新", "13600000011", "", "", "", ""],  # the same person again
            ["李新", "13600000011", "", "", "", ""],  # the same phone, another name
        ],
    )
    batch = upload(jiangshan_admin, jiangshan.association, file)
    rows = {row.number: row for row in batch.rows.all()}
    assert [rows[n].outcome for n in (2, 3, 4)] == ["new", "duplicate", "error"]
    assert rows[3].note == "与第 2 行重复"
    assert rows[4].errors == {"手机号码": ["与第 2 行的手机号码相同，但姓名不同。"]}


def test_a_gb18030_csv_with_synonyms_in_any_order(jiangshan, jiangshan_admin):
    file = csv_file(
        ["联系电话", "名字", "单位", "性别"],
        [["+86 136-0000-0021", "陈新", "姜山中学", "女"]],
        name="名单.csv",
        encoding="gb18030",
    )
    batch = upload(jiangshan_admin, jiangshan.association, file)
    assert (batch.new_count, batch.error_count) == (1, 0)
    actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)
    person = Person.objects.get(name="陈新")
    assert (person.phone, person.employer, person.gender) == ("13600000021", "姜山中学", "female")


def test_a_file_without_the_name_column_is_refused_and_nothing_kept(jiangshan, jiangshan_admin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        upload(
            jiangshan_admin, jiangshan.association, xlsx_file(["手机号码", "单位"], [["13600000031", "x"]])
        )
    assert "姓名" in str(refused.value)
    assert not ImportBatch.objects.exists()


def test_a_title_row_and_a_repeated_header_are_passed_over(jiangshan, jiangshan_admin):
    rows = [["赵新", "13600000041", "", "", "", ""], MEMBER_HEADER, ["钱新", "13600000042", "", "", "", ""]]
    batch = upload(
        jiangshan_admin, jiangshan.association, xlsx_file(MEMBER_HEADER, rows, title="姜山镇科协会员名册")
    )
    assert sorted(batch.rows.values_list("number", "outcome")) == [(3, "new"), (5, "new")]
    assert batch.details["skipped_header_rows"] == [4]


def test_a_person_given_once_with_a_number_and_once_by_name_alone(jiangshan, jiangshan_admin):
    """Within a file, a row by name alone is the person of that name given earlier (and a row
    with numbers the person given earlier by name alone), unless the file named two people of
    that name: the dry run counts what the commit does."""
    file = xlsx_file(
        MEMBER_HEADER,
        [
            ["王新", "13600000011", "", "", "", ""],  # 2: new
            ["王新", "", "", "", "", ""],  # 3: 王新 of row 2
            ["李明", "", "", "", "", ""],  # 4: new, by name alone
            ["李明", "13600000022", "", "", "", ""],  # 5: 李明 of row 4, now with a phone
            ["李明", "13600000033", "", "", "", ""],  # 6: another phone: another 李明, new
            ["李明", "", "", "", "", ""],  # 7: row 4 again, word for word
            ["张华", "13600000044", "", "", "", ""],  # 8: new
            ["张华", "13600000055", "", "", "", ""],  # 9: another 张华, new
            ["张华", "", "", "", "", ""],  # 10: which 张华? an error
        ],
    )
    batch = upload(jiangshan_admin, jiangshan.association, file)
    rows = {row.number: row for row in batch.rows.all()}
    assert {n: rows[n].outcome for n in rows} == {
        2: "new",
        3: "duplicate",
        4: "new",
        5: "duplicate",
        6: "new",
        7: "duplicate",
        8: "new",
        9: "new",
        10: "error",
    }
    assert [rows[n].note for n in (3, 5, 7)] == ["与第 2 行重复", "与第 4 行重复", "与第 4 行重复"]
    assert rows[10].errors == {
        "姓名": ["文件中已有多名“张华”（第 8、9 行），请填写手机号码或身份证号码以区分。"]
    }
    assert (batch.new_count, batch.update_count, batch.duplicate_count, batch.error_count) == (5, 0, 3, 1)

    batch = actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)

    assert batch.status == ImportBatch.Status.COMMITTED
    assert (batch.new_count, batch.update_count, batch.duplicate_count, batch.error_count) == (5, 0, 3, 1)
    members = Person.objects.filter(memberships__organization=jiangshan.association)
    assert sorted(members.filter(name__in=["王新", "李明", "张华"]).values_list("name", "phone")) == [
        ("张华", "13600000044"),
        ("张华", "13600000055"),
        ("李明", ""),
        ("李明", "13600000033"),
        ("王新", "13600000011"),
    ]


def test_before_the_file_is_read_a_person_by_name_alone_was_new_twice(jiangshan, jiangshan_admin):
    """The case as it was reported: a phone in one row, the name alone in a later one."""
    file = xlsx_file(MEMBER_HEADER, [["王新", "13600000011", "", "", "", ""], ["王新", "", "", "", "", ""]])
    batch = upload(jiangshan_admin, jiangshan.association, file)
    assert (batch.new_count, batch.duplicate_count) == (1, 1)
    batch = actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)
    assert (batch.new_count, batch.duplicate_count) == (1, 1)
    assert Person.objects.filter(name="王新").count() == 1


def test_the_rejected_rows_file_reads_back_as_it_was_written(jiangshan, jiangshan_admin, client):
    """Cells that begin like a formula are written with a quote in front (the formula guard); the
    import takes the quote away again, so that a rejected row fixed only where its reason points
    comes back as typed. A header named twice keeps both columns apart."""
    header = [*MEMBER_HEADER, "备注", "备注"]
    rows = [
        [
            "钱一",
            "+86 136-0000-0401",
            "33021219800101123",
            "",
            "-镇卫生院-",
            "2022-03-05",
            "+1 待核实",
            "@二",
        ],
        ["钱二", "13600000402", "", "", "", "2022-03-05", "", ""],
    ]
    batch = upload(jiangshan_admin, jiangshan.association, xlsx_file(header, rows))
    assert (batch.new_count, batch.error_count) == (1, 1)
    client.force_login(jiangshan_admin)

    rejected = workbook_rows(client.get(f"/organizations/imports/{batch.pk}/rejected/").content)

    assert rejected[0] == [*MEMBER_HEADER, "备注", "备注（2）", "错误原因"]
    assert rejected[1][:8] == [
        "钱一",
        "'+86 136-0000-0401",
        "33021219800101123",
        "",
        "'-镇卫生院-",
        "2022-03-05",
        "'+1 待核实",
        "'@二",
    ]
    fixed = [*rejected[1][:2], member_id(401), *rejected[1][3:]]
    again = upload(
        jiangshan_admin, jiangshan.association, xlsx_file(rejected[0], [fixed], name="改好的.xlsx")
    )

    assert (again.new_count, again.error_count) == (1, 0)
    actions.import_commit(actor=jiangshan_admin, batch=again, background=False)
    person = Person.objects.get(name="钱一")
    assert (person.phone, person.employer) == ("13600000401", "-镇卫生院-")
