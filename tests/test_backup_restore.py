"""Backup and restore (``manage.py backup`` / ``manage.py restore``).

The world: 姜山镇 and 五乡镇 of tests/conftest.py (4 people; 2 users: district staff and the
姜山 admin), a lecture of 姜山镇科协 on 10 November 2022 with 3 check-ins, one volunteer's
2.5 hours and one photo uploaded as evidence, a planned activity of 五乡镇科协, and 2022Q4
closed by district staff on 5 January 2023, which issued 鄞科协督〔2023〕1号 as XLSX, PDF and
DOCX files. Uploaded files: the photo and the three issued files, 4 in all.

The world is backed up and restored into an empty database (PostgreSQL: a database of its own
beside the test database, with no migrations run: pg_restore brings the schema; SQLite: a new
file) and an empty upload folder, through ``manage.py`` in a separate process, as an operator
would run it. On PostgreSQL (CI) the backup also runs in its own process; on SQLite the test
database lives in this process's memory, so the backup runs here.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import zoneinfo
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from organizations.backup.create import archive_name
from organizations.backup.tables import canonical, row_line, table_state
from organizations.models import Region
from organizations.reference import load_regions
from rollout.models import Phase, Stage
from rollout.reference import load_plan
from rollout.reports.closing import actions as closing
from services import actions as ledger
from services.models import Activity
from tests.dbstate import snapshot
from tests.files import PNG
from tests.needs import IN_CI, need
from tests.services.factories import ActivityFactory, AttendanceFactory, VolunteerServiceFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ARCHIVE_NAME = r"sanhui-backup-\d{8}-\d{6}\.tar\.gz"

# Every row of every table as this process reads it, and the backup's own table states.
STATE_SCRIPT = """
import json, django
django.setup()
from organizations.backup.tables import database_state
from tests.dbstate import snapshot
print(json.dumps({"rows": snapshot(include_audit=True), "tables": database_state()}))
"""
# A change to the restored copy, to see whether a later restore overwrote it.
CHANGE_SCRIPT = """
import django
django.setup()
from organizations.models import Person
assert Person.objects.filter(name="五乡会员").update(name="恢复后改名") == 1
"""


def shanghai(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


# --------------------------------------------------------------------------- databases


def postgres() -> bool:
    return connection.vendor == "postgresql"


def _require_postgres_tools() -> None:
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    need(not missing, f"{' and '.join(missing)} not on PATH: the PostgreSQL backup cannot be tested")


def database_url(name: str) -> str:
    """A DATABASE_URL for the database ``name`` on the test database's server."""
    if not postgres():
        return f"sqlite:///{name}"
    s = connection.settings_dict
    password = f":{quote(str(s['PASSWORD']), safe='')}" if s["PASSWORD"] else ""
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{quote(s['USER'] or '', safe='')}{password}@{s['HOST'] or ''}{port}/{name}"


def _pg_connect(dbname: str):
    """A connection of its own to ``dbname`` on the test database's server."""
    import psycopg2

    s = connection.settings_dict
    given = {"user": s["USER"], "password": s["PASSWORD"], "host": s["HOST"], "port": s["PORT"]}
    db = psycopg2.connect(dbname=dbname, **{key: value for key, value in given.items() if value})
    db.autocommit = True
    return db


@pytest.fixture
def empty_database(tmp_path) -> str:
    """The DATABASE_URL of an empty database to restore into."""
    if not postgres():
        yield database_url(str(tmp_path / "restored.sqlite3"))
        return
    name = f"{connection.settings_dict['NAME']}_restore"
    maintenance = _pg_connect("postgres")
    with maintenance.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield database_url(name)
    with maintenance.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    maintenance.close()


def tables_in(url: str) -> list[str]:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            return []
        with sqlite3.connect(path) as db:
            return [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    db = _pg_connect(url.rsplit("/", 1)[1])
    try:
        with db.cursor() as cursor:
            cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
            return [row[0] for row in cursor.fetchall()]
    finally:
        db.close()


# --------------------------------------------------------------------------- processes


# The commands need no broker or shared cache; a test's process keeps off the Redis of CI runs.
NOT_PASSED_ON = {"CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL"}


def run(args: list[str], *, url: str, media_root: Path) -> subprocess.CompletedProcess:
    env = {
        **{key: value for key, value in os.environ.items() if key not in NOT_PASSED_ON},
        "DEBUG": "1",
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(media_root),
        "DJANGO_SETTINGS_MODULE": "sanhui.settings",
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def restore(archive: Path, *, url: str, media_root: Path, force: bool = False) -> subprocess.CompletedProcess:
    return run(
        ["manage.py", "restore", str(archive), *(["--force"] if force else [])],
        url=url,
        media_root=media_root,
    )


def state_of(url: str, media_root: Path) -> dict:
    result = run(["-c", STATE_SCRIPT], url=url, media_root=media_root)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def state_here() -> dict:
    from organizations.backup.tables import database_state

    return json.loads(json.dumps({"rows": snapshot(include_audit=True), "tables": database_state()}))


def back_up(folder: Path) -> Path:
    folder.mkdir()
    if postgres():
        url = database_url(connection.settings_dict["NAME"])
        result = run(
            ["manage.py", "backup", "--output", str(folder)], url=url, media_root=settings.MEDIA_ROOT
        )
        assert result.returncode == 0, result.stderr
    else:
        call_command("backup", output=folder, stdout=io.StringIO(), stderr=io.StringIO())
    (archive,) = folder.iterdir()
    assert re.fullmatch(ARCHIVE_NAME, archive.name)
    assert archive.stat().st_mode & 0o077 == 0, "the archive holds personal data: owner only"
    return archive


def media_digests(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(Path(root).rglob("*"))
        if path.is_file()
    }


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {member.name: tar.extractfile(member).read() for member in tar if member.isfile()}


def rewrite(archive: Path, target: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    """A copy of ``archive`` with its members changed by ``change`` (a dict name → bytes)."""
    content = members(archive)
    change(content)
    with tarfile.open(target, "w:gz") as tar:
        for name, data in content.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


# --------------------------------------------------------------------------- the world


@pytest.fixture
def reference(transactional_db):
    """Transactional tests end with a flush that also empties the reference regions and plan."""
    if IN_CI and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert postgres(), "CI tests the PostgreSQL backup"
    if postgres():
        _require_postgres_tools()
    load_regions(Region)
    load_plan(Phase, Stage)


@pytest.fixture
def small_world(reference, jiangshan, jiangshan_admin):
    """姜山镇 and its lecture with one photo."""
    with time_machine.travel(shanghai(2023, 1, 5, 10), tick=False):
        lecture = ActivityFactory(
            title="姜山十一月讲座",
            organizer=jiangshan.association,
            starts_at=shanghai(2022, 11, 10, 9),
            leaders=[jiangshan.leader],
        )
        for number in range(3):
            AttendanceFactory(activity=lecture, name=f"听众{number}", phone=f"1370000000{number}")
        evidence = ledger.evidence_add(
            actor=jiangshan_admin,
            activity=lecture,
            upload=SimpleUploadedFile("讲座现场.png", PNG),
            kind="photo",
        )
    return {"lecture": lecture, "evidence": evidence}


@pytest.fixture
def world(small_world, jiangshan, wuxiang, district_user):
    """The small world, with 五乡镇, hours, a planned activity and the issued report of 2022Q4."""
    with time_machine.travel(shanghai(2023, 1, 5, 10), tick=False):
        VolunteerServiceFactory(
            activity=small_world["lecture"],
            person=jiangshan.member,
            team=jiangshan.team,
            hours=Decimal("2.5"),
        )
        ActivityFactory(
            title="五乡科普日",
            organizer=wuxiang.association,
            starts_at=shanghai(2023, 2, 1, 9),
            status=Activity.Status.PLANNED,
        )
        closing.quarter_close(actor=district_user, quarter="2022Q4")
    return small_world


# Rows of the world, counted by hand (see the module's docstring).
COUNTED = {
    "organizations_person": 4,
    "auth_user": 2,
    "services_activity": 2,
    "services_attendance": 3,
    "services_volunteerservice": 1,
    "services_evidence": 1,
    "rollout_issuedreport": 1,
    "rollout_issuedreportfile": 3,
}


# --------------------------------------------------------------------------- round trip


def test_a_backup_restored_into_an_empty_database_has_the_same_rows_and_files(
    world, empty_database, tmp_path
):
    archive = back_up(tmp_path / "backups")
    original = state_here()
    original_media = media_digests(settings.MEDIA_ROOT)
    assert len(original_media) == 4  # the photo and the three issued files

    content = members(archive)
    manifest = json.loads(content["manifest.json"])
    assert {table: manifest["tables"][table]["rows"] for table in COUNTED} == COUNTED
    assert (manifest["media"]["files"], manifest["media"]["missing"]) == (4, [])
    assert manifest["database"]["vendor"] == connection.vendor
    assert sorted(content) == sorted(
        ["manifest.json", manifest["database"]["file"], *(f"media/{name}" for name in original_media)]
    )

    media_root = tmp_path / "restored-media"
    result = restore(archive, url=empty_database, media_root=media_root)
    assert result.returncode == 0, result.stderr
    assert "行数和校验值与备份清单一致" in result.stdout

    restored = state_of(empty_database, media_root)
    assert restored["rows"] == original["rows"]
    assert restored["tables"] == original["tables"]
    assert {table: restored["tables"][table]["rows"] for table in COUNTED} == COUNTED
    assert media_digests(media_root) == original_media
    assert (media_root / world["evidence"].file.name).read_bytes() == PNG

    # A database that is not empty is refused without --force, and nothing in it changes.
    changed = run(["-c", CHANGE_SCRIPT], url=empty_database, media_root=media_root)
    assert changed.returncode == 0, changed.stderr
    before = state_of(empty_database, media_root)
    refused = restore(archive, url=empty_database, media_root=media_root)
    assert refused.returncode != 0
    assert "不是空的" in refused.stderr and "--force" in refused.stderr
    assert state_of(empty_database, media_root) == before
    assert "恢复后改名" in json.dumps(before["rows"]["organizations_person"], ensure_ascii=False)

    # With --force the backup replaces it: rows and files are the original's again; a file the
    # backup does not have is left where it is.
    (media_root / world["evidence"].file.name).write_bytes(b"changed")
    (media_root / "extra.txt").write_bytes(b"not in the backup")
    forced = restore(archive, url=empty_database, media_root=media_root, force=True)
    assert forced.returncode == 0, forced.stderr
    assert "1 个备份里没有的文件" in forced.stderr
    assert state_of(empty_database, media_root) == restored
    extra = hashlib.sha256(b"not in the backup").hexdigest()
    assert media_digests(media_root) == {**original_media, "extra.txt": extra}


# --------------------------------------------------------------------------- refusals


def _change_photo(content: dict[str, bytes]) -> None:
    (name,) = [name for name in content if name.startswith("media/evidence/")]
    content[name] = content[name][:-1] + b"\x00"


def _change_database(content: dict[str, bytes]) -> None:
    (name,) = [name for name in content if name.startswith("database.")]
    data = bytearray(content[name])
    data[len(data) // 2] ^= 0xFF
    content[name] = bytes(data)


def _add_file(content: dict[str, bytes]) -> None:
    content["media/evidence/unlisted.png"] = PNG


def _drop_photo(content: dict[str, bytes]) -> None:
    (name,) = [name for name in content if name.startswith("media/evidence/")]
    del content[name]


def _escape(content: dict[str, bytes]) -> None:
    content["media/../../outside.txt"] = b"outside MEDIA_ROOT"


TAMPERINGS = {
    "a changed photo": (_change_photo, "大小或 SHA-256 校验值与清单不符"),
    "a changed database dump": (_change_database, "大小或 SHA-256 校验值与清单不符"),
    "an unlisted file": (_add_file, "备份文件中有，清单中没有"),
    "a missing photo": (_drop_photo, "清单中有，备份文件中没有"),
    "a path out of the upload folder": (_escape, "不应有的内容"),
}


def test_a_tampered_archive_is_refused_before_anything_is_written(small_world, empty_database, tmp_path):
    archive = back_up(tmp_path / "backups")
    media_root = tmp_path / "restored-media"
    for case, (change, message) in TAMPERINGS.items():
        tampered = rewrite(archive, tmp_path / f"{case}.tar.gz", change)
        result = restore(tampered, url=empty_database, media_root=media_root)
        assert result.returncode != 0, case
        assert message in result.stderr, (case, result.stderr)
        assert tables_in(empty_database) == [], case
        assert not media_root.exists(), case
    assert not (tmp_path / "outside.txt").exists()


def test_a_restore_that_differs_from_the_manifest_fails_and_names_the_table(
    small_world, empty_database, tmp_path
):
    archive = back_up(tmp_path / "backups")

    def claim_another_person(content: dict[str, bytes]) -> None:
        manifest = json.loads(content["manifest.json"])
        manifest["tables"]["organizations_person"]["rows"] = 3
        content["manifest.json"] = json.dumps(manifest).encode()

    altered = rewrite(archive, tmp_path / "altered.tar.gz", claim_another_person)
    result = restore(altered, url=empty_database, media_root=tmp_path / "restored-media")
    assert result.returncode != 0
    # 姜山镇's two people: the member and the hospital director.
    assert "表 organizations_person：备份中 3 行，恢复后 2 行" in result.stderr
    assert "services_activity" not in result.stderr


# --------------------------------------------------------------------------- pieces


def test_the_archive_is_named_with_the_time_in_shanghai():
    # 23:30 UTC on 5 January is 07:30 on 6 January in Shanghai.
    moment = datetime.datetime(2023, 1, 5, 23, 30, 15, tzinfo=datetime.UTC)
    assert archive_name(moment) == "sanhui-backup-20230106-073015.tar.gz"


def test_a_row_reads_the_same_whatever_the_backend_made_of_it():
    utc = datetime.datetime(2023, 1, 5, 2, 0, tzinfo=datetime.UTC)
    assert canonical(utc) == canonical(shanghai(2023, 1, 5, 10)) == "2023-01-05T02:00:00.000000+00:00"
    assert canonical(Decimal("2.50")) == canonical(Decimal("2.5")) == "2.5"
    assert canonical(Decimal("100.00")) == "100"
    assert row_line([1, {"b": 1, "a": [Decimal("0.10")]}, None, True]) == row_line(
        [1, {"a": [Decimal("0.1")], "b": 1}, None, True]
    )
    assert row_line([7, "鄞州", datetime.date(2022, 12, 31)]) == '[7,"鄞州","2022-12-31"]\n'.encode()


@pytest.mark.django_db
def test_a_table_checksum_does_not_depend_on_the_order_rows_were_written_in():
    Group.objects.create(pk=902, name="乙")
    Group.objects.create(pk=901, name="甲")
    expected = hashlib.sha256('[901,"甲"]\n[902,"乙"]\n'.encode()).hexdigest()
    assert table_state(Group) == {"rows": 2, "sha256": expected, "columns": ["id", "name"]}
    Group.objects.all().delete()
    Group.objects.create(pk=901, name="甲")
    Group.objects.create(pk=902, name="乙")
    assert table_state(Group)["sha256"] == expected
