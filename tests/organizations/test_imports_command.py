"""``manage.py import_people``: the summary, the dry run, the exit status, the actor."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from organizations.imports.models import ImportBatch
from organizations.models import AuditEntry, Membership, Person
from tests.organizations.test_imports_leaders import LEADER_HEADER
from tests.organizations.test_imports_members import MEMBER_HEADER, xlsx_file


def write(tmp_path, header, rows, name="名单.xlsx"):
    path = tmp_path / name
    path.write_bytes(xlsx_file(header, rows).read())
    return str(path)


def good_and_bad(tmp_path):
    return write(
        tmp_path,
        MEMBER_HEADER,
        [["郑一", "13600000301", "", "", "", ""], ["郑二", "136000003", "", "", "", ""]],
    )


def test_the_dry_run_prints_the_summary_and_writes_nothing(jiangshan, tmp_path, capsys):
    people, entries = Person.objects.count(), AuditEntry.objects.count()

    call_command("import_people", good_and_bad(tmp_path), organization="TA-JS", dry_run=True)

    out = capsys.readouterr().out
    assert "new 1, update 0, duplicate 0, error 1" in out
    assert "  row 2\tnew\t" in out
    assert "  row 3\terror\t手机号码\t" in out
    assert Person.objects.count() == people
    assert AuditEntry.objects.count() == entries
    assert not ImportBatch.objects.exists()


def test_the_command_commits_as_the_system(jiangshan, tmp_path, capsys):
    call_command("import_people", good_and_bad(tmp_path), organization="TA-JS")

    assert "committed: 1 new, 0 updated" in capsys.readouterr().out
    person = Person.objects.get(name="郑一")
    assert Membership.objects.filter(person=person, organization=jiangshan.association).exists()
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.created_by, batch.committed_by) == ("committed", None, None)
    entry = AuditEntry.objects.get(action="import_commit")
    assert entry.actor is None and "import_people" in entry.summary
    assert AuditEntry.objects.get(action="person_register").actor is None


def test_exit_status_is_non_zero_when_every_row_fails(jiangshan, tmp_path):
    path = write(
        tmp_path, MEMBER_HEADER, [["", "13600000311", "", "", "", ""], ["郑三", "1", "", "", "", ""]]
    )
    with pytest.raises(CommandError, match="nothing could be imported"):
        call_command("import_people", path, organization="TA-JS")
    with pytest.raises(CommandError, match="nothing could be imported"):
        call_command("import_people", path, organization="TA-JS", dry_run=True)


def test_a_refused_file_exits_non_zero(jiangshan, tmp_path):
    path = tmp_path / "名单.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(CommandError, match="file refused"):
        call_command("import_people", str(path), organization="TA-JS")
    assert not ImportBatch.objects.exists()


def test_a_user_who_does_not_manage_the_organisation_is_refused(jiangshan, wuxiang, wuxiang_admin, tmp_path):
    with pytest.raises(CommandError, match="may not write TA-JS"):
        call_command("import_people", good_and_bad(tmp_path), organization="TA-JS", user="wuxiang")
    assert not Person.objects.filter(name="郑一").exists()
    assert not ImportBatch.objects.exists()


def test_leaders_with_a_user(jiangshan, jiangshan_admin, tmp_path, capsys):
    path = write(
        tmp_path,
        LEADER_HEADER,
        [["冯院长", "13600000321", "", "", "医院院长", "姜山镇卫生院", "委员", "2022-03-15", ""]],
    )
    call_command("import_people", path, organization="TA-JS", leaders=True, user="jiangshan")
    assert "committed: 1 new" in capsys.readouterr().out
    assert AuditEntry.objects.get(action="seat_create").actor == jiangshan_admin
    # Safe to run again: the second run writes nothing.
    call_command("import_people", path, organization="TA-JS", leaders=True, user="jiangshan")
    assert "duplicate 1" in capsys.readouterr().out
    assert Person.objects.filter(name="冯院长").count() == 1
