"""Time and memory of the bulk imports and exports, on the current database, changing nothing.

    DEBUG=1 .venv/bin/python manage.py bench_bulk [--import-rows 10000] [--export-rows 100000]

Inside one transaction that is rolled back at the end (so the database is left as it was), the
command makes a town and its association of its own and a district staff user, then:

1. builds a member roster of ``--import-rows`` rows as an XLSX file (a title row above the
   headers, phones written with spaces and a +86 prefix, one row in four with an ID number) and
   imports it as the import page does: the dry run (reading, cleaning and checking every row),
   then the commit (every row through ``person_register``, each with its audit entry);
2. adds ``--export-rows`` members to the organisation (set-based, ``bulk_create``) and exports
   the people list filtered to it, as CSV and as XLSX, through the list export's writers into
   temporary files.

For each step it prints the wall time, the rows per second, the number of SQL queries and the
peak resident memory of the process during the step (sampled every 20 ms from
``/proc/self/statm``), with its growth over the memory at the step's start. These are figures
for the README, not a test: nothing here passes or fails.
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from openpyxl import Workbook

from organizations.exports import registry, writers
from organizations.imports import actions as import_actions
from organizations.imports.models import ImportBatch
from organizations.models import Membership, Organization, Person, Region, RoleAssignment
from organizations.validators import resident_id_check_char
from sanhui.clock import today

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
MIB = 1024 * 1024
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "建华丽萍国强秀英志明海燕文军红梅晓东春花德胜玉兰"


class _Rollback(Exception):
    """Raised at the end of the run to roll the transaction back."""


def _rss() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * PAGE_SIZE
    except OSError:  # not Linux: no sampling, the figures say 0
        return 0


@dataclass
class Step:
    name: str
    rows: int
    seconds: float = 0.0
    queries: int = 0
    start_rss: int = 0
    peak_rss: int = 0

    def line(self) -> str:
        rate = self.rows / self.seconds if self.seconds else 0
        return (
            f"{self.name:<34} {self.rows:>8,} rows  {self.seconds:>8.1f} s  {rate:>8,.0f} rows/s  "
            f"{self.queries:>7,} queries  peak {self.peak_rss / MIB:>6.0f} MiB "
            f"(+{(self.peak_rss - self.start_rss) / MIB:.0f})"
        )


@contextmanager
def measured(step: Step):
    """Time ``step``, count its queries and sample the process's memory while it runs."""
    step.start_rss = step.peak_rss = _rss()
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.02):
            step.peak_rss = max(step.peak_rss, _rss())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    def count(execute, sql, params, many, context):
        step.queries += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    try:
        with connection.execute_wrapper(count):
            yield step
    finally:
        step.seconds = time.perf_counter() - started
        stop.set()
        sampler.join()
        step.peak_rss = max(step.peak_rss, _rss())


def _name(index: int) -> str:
    return (
        SURNAMES[index % len(SURNAMES)] + GIVEN[(index // 20) % len(GIVEN)] + GIVEN[(index // 7) % len(GIVEN)]
    )


def _phone(index: int, base: int) -> str:
    return f"1{base}{index:08d}"


def _id_number(index: int) -> str:
    first17 = f"330212{1960 + index % 40}{1 + index % 12:02d}{1 + index % 28:02d}{index % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def roster_xlsx(rows: int) -> bytes:
    """A roster as town secretaries send them: a title row, then the headers, then members."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("会员名单")
    sheet.append(["测试镇科协会员名单"])
    sheet.append(["序号", "姓名", "性别", "手机号码", "身份证号码", "工作单位", "入会日期"])
    for index in range(rows):
        phone = _phone(index, 37)
        sheet.append(
            [
                index + 1,
                _name(index),
                "",
                f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}",
                _id_number(index) if index % 4 == 0 else "",
                "测试镇卫生院",
                "2022.3.5",
            ]
        )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


class Command(BaseCommand):
    help = "Print the time and peak memory of importing and exporting many rows (changes nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--import-rows", type=int, default=10_000)
        parser.add_argument("--export-rows", type=int, default=100_000)

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"database: {connection.vendor}; baseline memory {_rss() / MIB:.0f} MiB")
        steps: list[Step] = []
        self.stored_files: list[str] = []
        try:
            with transaction.atomic():
                user, organization = self._setting()
                steps += self._import(user, organization, options["import_rows"])
                steps += self._export(user, organization, options["export_rows"])
                raise _Rollback
        except _Rollback:
            pass
        # The stored upload is not part of the transaction: remove it too.
        for name in self.stored_files:
            default_storage.delete(name)
        for step in steps:
            self.stdout.write(step.line())
        self.stdout.write("(rolled back: the database is as it was)")

    def _setting(self):
        user = get_user_model().objects.create_user("bench-bulk-staff", password=None)
        RoleAssignment.objects.create(user=user, role=RoleAssignment.Role.DISTRICT_STAFF)
        organization = Organization.objects.create(
            code="bench-bulk",
            name="测试镇科协（性能测试）",
            kind=Organization.Kind.TOWN_ASSOCIATION,
            status=Organization.Status.ACTIVE,
            home_region=self._region(),
        )
        return user, organization

    def _region(self) -> Region:
        """A town of the command's own: every town of a seeded district has its association
        already, and a town has one association at most."""
        district = Region.objects.filter(parent__isnull=True).order_by("pk").first()
        return Region.objects.create(name="测试镇（性能测试）", kind=Region.Kind.TOWN, parent=district)

    def _import(self, user, organization, rows: int) -> list[Step]:
        content = roster_xlsx(rows)
        upload = SimpleUploadedFile("会员名单.xlsx", content)
        check = Step("import: read, clean and check", rows)
        with measured(check):
            batch = import_actions.import_upload(
                actor=user,
                organization=organization,
                kind=ImportBatch.Kind.PEOPLE,
                upload=upload,
                background=False,
            )
        self.stored_files.append(batch.file.name)
        commit = Step("import: commit", batch.new_count)
        with measured(commit):
            batch = import_actions.import_commit(actor=user, batch=batch, background=False)
        if batch.status != ImportBatch.Status.COMMITTED:
            self.stderr.write(f"the import did not commit: {batch.status} {batch.message}")
        self.stdout.write(
            f"import of {rows:,} rows ({len(content) / MIB:.1f} MiB XLSX): new {batch.new_count:,}, "
            f"duplicate {batch.duplicate_count:,}, error {batch.error_count:,}"
        )
        return [check, commit]

    def _export(self, user, organization, rows: int) -> list[Step]:
        have = Membership.objects.filter(organization=organization).count()
        adding = max(rows - have, 0)
        fill = Step("export: add members (bulk_create)", adding)
        with measured(fill):
            for start in range(0, adding, 5000):
                people = Person.objects.bulk_create(
                    Person(name=_name(index), phone=_phone(index, 58), employer="测试镇卫生院")
                    for index in range(start, min(start + 5000, adding))
                )
                Membership.objects.bulk_create(
                    Membership(person=person, organization=organization, joined_on=today())
                    for person in people
                )
        spec = registry.get("people")
        request = registry.request_for(user, f"organization={organization.pk}")
        steps = [fill]
        for fmt, write in (("csv", writers.write_csv), ("xlsx", writers.write_xlsx)):
            step = Step(f"export: people list as {fmt.upper()}", rows)
            with tempfile.TemporaryFile() as handle, measured(step):
                write(spec, writers.rows(spec, spec.queryset(request), full=False), handle)
                size = handle.tell()
            self.stdout.write(f"{fmt.upper()} file: {size / MIB:.1f} MiB")
            steps.append(step)
        return steps
