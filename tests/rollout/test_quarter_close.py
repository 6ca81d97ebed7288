"""Closing a quarter: who may, which quarters, the report issued with its 文号 (year of issue,
a sequence per year), its figures and files, its immutability, the reopening with a reason,
and the new report of a quarter closed again, which lists what differs from the one before.

The world: 姜山镇科协 held one lecture on 10 November 2022 with three people checked in, and
nothing else happened in 2022Q4. The clock is pinned (5 January 2023 unless a test moves it).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from docx import Document

from organizations.models import AuditEntry
from rollout.indicators import Period
from rollout.models import ImmutableError, IssuedReport, IssuedReportFile, QuarterClosing
from rollout.reports.closing import actions, selectors
from services import actions as ledger
from tests.services.factories import ActivityFactory, AttendanceFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def shanghai(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def clock():
    with time_machine.travel(shanghai(2023, 1, 5, 10), tick=False) as traveller:
        yield traveller


@pytest.fixture
def lecture(jiangshan):
    activity = ActivityFactory(
        title="姜山十一月讲座", organizer=jiangshan.association, starts_at=shanghai(2022, 11, 10, 9)
    )
    for _ in range(3):
        AttendanceFactory(activity=activity)
    return activity


@pytest.fixture
def close(django_capture_on_commit_callbacks):
    """Close a quarter and run what the closing queues (the issue task, eagerly)."""

    def closer(actor, quarter: str, note: str = "") -> QuarterClosing:
        with django_capture_on_commit_callbacks(execute=True):
            return actions.quarter_close(actor=actor, quarter=quarter, note=note)

    return closer


def summary_value(issued: IssuedReport, indicator: str) -> str:
    section = next(s for s in issued.figures["sections"] if s["key"] == "summary")
    row = next(r for r in section["rows"] if r["label"] == indicator)
    return row["cells"]["value"]


def organization_cells(issued: IssuedReport, name: str) -> dict:
    section = next(s for s in issued.figures["sections"] if s["key"] == "organizations")
    return next(r for r in section["rows"] if r["label"] == name)["cells"]


def test_district_staff_close_a_finished_quarter_and_its_report_is_issued(
    clock, close, district_user, jiangshan, wuxiang, lecture
):
    closing = close(district_user, "2022Q4", note="台账已核对")
    assert closing.is_open and closing.closed_by == district_user
    assert (closing.starts_on, closing.ends_on) == (datetime.date(2022, 10, 1), datetime.date(2022, 12, 31))
    issued = IssuedReport.objects.get()
    assert issued.closing == closing and issued.quarter == "2022Q4"
    # The number carries the year of issue (2023), not the quarter's (2022).
    assert (issued.year, issued.sequence) == (2023, 1)
    assert issued.reference == "鄞科协督〔2023〕1号"
    assert "2022年第四季度" in issued.title
    assert summary_value(issued, "开展活动（场次）") == "1"
    assert summary_value(issued, "服务人次") == "3"
    cells = organization_cells(issued, "姜山镇科协")
    assert (cells["activities"], cells["people_served"]) == ("1", "3")
    assert organization_cells(issued, "五乡镇科协")["activities"] == "0"
    assert issued.differences == [] and issued.previous is None
    files = {stored.format: stored for stored in issued.files.all()}
    assert sorted(files) == ["docx", "pdf", "xlsx"]
    for stored in files.values():
        data = stored.file.read()
        assert stored.size == len(data) and stored.checksum == hashlib.sha256(data).hexdigest()
    assert files["pdf"].file.open("rb").read(5) == b"%PDF-"
    # The issued DOCX carries the same 发文字号 as the record.
    document = Document(io.BytesIO(files["docx"].file.open("rb").read()))
    assert "鄞科协督〔2023〕1号" in [paragraph.text.strip() for paragraph in document.paragraphs]
    entries = AuditEntry.objects.filter(object_type__startswith="rollout.").order_by("pk")
    assert [(e.action, e.object_type, e.actor_id) for e in entries] == [
        ("quarter_close", "rollout.quarterclosing", district_user.pk),
        ("quarter_report_issue", "rollout.issuedreport", district_user.pk),
    ]


@pytest.mark.parametrize("persona", ["supervisor_user", "jiangshan_admin", "leader_user"])
def test_only_district_staff_close_and_reopen(clock, request, persona, district_user):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        actions.quarter_close(actor=user, quarter="2022Q4")
    actions.quarter_close(actor=district_user, quarter="2022Q4")
    with pytest.raises(PermissionDenied):
        actions.quarter_reopen(actor=user, quarter="2022Q4", reason="补登漏报活动")
    assert QuarterClosing.objects.get().is_open


@pytest.mark.parametrize(
    ("moment", "closable"),
    [
        # 23:59 on 31 December in Shanghai (15:59 UTC): 2022Q4 is still running.
        (datetime.datetime(2022, 12, 31, 15, 59, tzinfo=datetime.UTC), False),
        # 16:00 UTC is midnight in Shanghai: 1 January 2023, 2022Q4 is over.
        (datetime.datetime(2022, 12, 31, 16, 0, tzinfo=datetime.UTC), True),
        (shanghai(2022, 11, 15, 12), False),
        (shanghai(2023, 4, 1, 0, 1), True),
    ],
)
def test_the_current_and_future_quarters_cannot_be_closed(moment, closable, district_user):
    with time_machine.travel(moment, tick=False):
        if closable:
            assert actions.quarter_close(actor=district_user, quarter="2022Q4").quarter == "2022Q4"
        else:
            with pytest.raises(ValidationError) as error:
                actions.quarter_close(actor=district_user, quarter="2022Q4")
            assert error.value.error_dict["quarter"][0].code == "not_finished"
        current = Period.containing(moment.astimezone(SHANGHAI).date())
        for quarter in (current, Period.containing(current.end + datetime.timedelta(days=1))):
            with pytest.raises(ValidationError):  # the current quarter, and the next
                actions.quarter_close(actor=district_user, quarter=quarter.code)


@pytest.mark.parametrize("code", ["2022", "2022-01-01..2022-03-31", "2022Q5", ""])
def test_only_quarters_are_closed(clock, district_user, code):
    with pytest.raises(ValidationError) as error:
        actions.quarter_close(actor=district_user, quarter=code)
    assert "quarter" in error.value.error_dict


def test_a_closed_quarter_cannot_be_closed_twice(clock, district_user):
    actions.quarter_close(actor=district_user, quarter="2022Q4")
    with pytest.raises(ValidationError) as error:
        actions.quarter_close(actor=district_user, quarter="2022Q4")
    assert "该季度已关闭" in str(error.value)
    # The database keeps one closing in force even past the check.
    with pytest.raises(IntegrityError), transaction.atomic():
        QuarterClosing.objects.create(
            quarter="2022Q4", starts_on=datetime.date(2022, 10, 1), ends_on=datetime.date(2022, 12, 31)
        )


def test_reopening_needs_a_reason_and_is_audited(clock, district_user):
    actions.quarter_close(actor=district_user, quarter="2022Q4")
    for reason in ("", "   ", "补登"):
        with pytest.raises(ValidationError) as error:
            actions.quarter_reopen(actor=district_user, quarter="2022Q4", reason=reason)
        assert "reason" in error.value.error_dict
    closing = actions.quarter_reopen(actor=district_user, quarter="2022Q4", reason="姜山镇补登漏报活动")
    assert not closing.is_open and closing.reopened_by == district_user
    entry = AuditEntry.objects.get(action="quarter_reopen")
    assert (entry.object_type, entry.object_id, entry.actor_id) == (
        "rollout.quarterclosing",
        str(closing.pk),
        district_user.pk,
    )
    assert entry.changes == {"quarter": "2022Q4", "reason": "姜山镇补登漏报活动"}
    with pytest.raises(ValidationError):
        actions.quarter_reopen(actor=district_user, quarter="2022Q4", reason="再次重新开放")
    # The database refuses a reopening without a reason.
    closing.reopen_reason = ""
    with pytest.raises(IntegrityError), transaction.atomic():
        closing.save()


def test_closing_again_issues_a_new_number_listing_what_differs(
    clock, close, district_user, jiangshan_admin, jiangshan, wuxiang, lecture
):
    first = close(district_user, "2022Q4").issued_report
    actions.quarter_reopen(actor=district_user, quarter="2022Q4", reason="姜山镇补登漏报活动")
    data = {
        "title": "姜山十二月义诊",
        "kind": "free_clinic",
        "organizer": jiangshan.association,
        "region": jiangshan.association.home_region,
        "venue_kind": "village",
        "starts_at": shanghai(2022, 12, 20, 9),
        "ends_at": shanghai(2022, 12, 20, 11),
        "reported_participants": 20,
    }
    ledger.activity_create(actor=jiangshan_admin, data=data, held=True)
    clock.shift(datetime.timedelta(days=1))
    second = close(district_user, "2022Q4").issued_report
    assert (second.reference, second.sequence, second.previous) == ("鄞科协督〔2023〕2号", 2, first)
    assert summary_value(second, "开展活动（场次）") == "2"
    assert summary_value(second, "服务人次") == "23"  # 3 checked in + 20 reported
    assert {
        "section": "总体情况",
        "row": "开展活动（场次）",
        "column": "数值",
        "issued": "1",
        "now": "2",
    } in second.differences
    assert {
        "section": "分单位情况",
        "row": "姜山镇科协",
        "column": "活动场次",
        "issued": "1",
        "now": "2",
    } in second.differences
    assert not [d for d in second.differences if d["row"] == "五乡镇科协"]
    # The first report is kept as it was issued.
    first.refresh_from_db()
    assert summary_value(first, "开展活动（场次）") == "1"
    assert [r.reference for r in IssuedReport.objects.order_by("issued_at")] == [
        "鄞科协督〔2023〕1号",
        "鄞科协督〔2023〕2号",
    ]


def test_a_correction_by_staff_after_closing_shows_on_the_comparison(
    clock, close, district_user, jiangshan, lecture
):
    from rollout.reports.actions import SYSTEM_SCOPE

    issued = close(district_user, "2022Q4").issued_report
    assert selectors.compare_with_now(issued, scope=SYSTEM_SCOPE).differences == []
    ledger.activity_transition(actor=district_user, activity=lecture, to_status="verified")
    ledger.activity_transition(actor=district_user, activity=lecture, to_status="held", note="更正")
    AttendanceFactory(activity=lecture)
    ledger.activity_update(actor=district_user, activity=lecture, data={"title": "姜山十一月讲座（更正）"})
    differences = selectors.compare_with_now(issued, scope=SYSTEM_SCOPE).differences
    assert {
        "section": "总体情况",
        "row": "服务人次",
        "column": "数值",
        "issued": "3",
        "now": "4",
    } in differences
    assert AuditEntry.objects.filter(action="closed_period_correction").count() == 3


def test_the_number_runs_per_year_of_issue(close, district_user):
    with time_machine.travel(shanghai(2026, 7, 10, 9), tick=False):
        assert close(district_user, "2026Q2").issued_report.reference == "鄞科协督〔2026〕1号"
    with time_machine.travel(shanghai(2026, 12, 31, 23, 50), tick=False):
        assert close(district_user, "2026Q3").issued_report.reference == "鄞科协督〔2026〕2号"
    # 1 January 2027 00:10 in Shanghai is still 31 December in UTC: the year of issue is 2027.
    with time_machine.travel(datetime.datetime(2026, 12, 31, 16, 10, tzinfo=datetime.UTC), tick=False):
        assert close(district_user, "2026Q4").issued_report.reference == "鄞科协督〔2027〕1号"


def test_issued_reports_and_their_files_never_change(clock, close, district_user, lecture):
    issued = close(district_user, "2022Q4").issued_report
    issued.title = "改过的标题"
    with pytest.raises(ImmutableError):
        issued.save()
    with pytest.raises(ImmutableError):
        issued.delete()
    with pytest.raises(ImmutableError):
        IssuedReport.objects.filter(pk=issued.pk).update(title="改过的标题")
    with pytest.raises(ImmutableError):
        IssuedReport.objects.all().delete()
    stored = issued.files.first()
    with pytest.raises(ImmutableError):
        stored.delete()
    with pytest.raises(ImmutableError):
        IssuedReportFile.objects.update(checksum="0")
    issued.refresh_from_db()
    assert issued.title != "改过的标题"


def test_issuing_twice_issues_once_and_a_reopened_closing_issues_nothing(clock, district_user, lecture):
    closing = actions.quarter_close(actor=district_user, quarter="2022Q4")
    first = actions.quarter_report_issue(actor=district_user, closing=closing, formats=("xlsx",))
    again = actions.quarter_report_issue(actor=district_user, closing=closing, formats=("xlsx",))
    assert first.pk == again.pk and IssuedReport.objects.count() == 1
    actions.quarter_reopen(actor=district_user, quarter="2022Q4", reason="姜山镇补登漏报活动")
    closing = actions.quarter_close(actor=district_user, quarter="2022Q4")
    actions.quarter_reopen(actor=district_user, quarter="2022Q4", reason="发现新的漏报活动")
    assert actions.quarter_report_issue(actor=district_user, closing=closing) is None
    assert IssuedReport.objects.count() == 1


def test_the_quarters_are_listed_with_their_state(clock, plan, district_user):
    actions.quarter_close(actor=district_user, quarter="2022Q3")
    actions.quarter_close(actor=district_user, quarter="2022Q2")
    actions.quarter_reopen(actor=district_user, quarter="2022Q2", reason="五乡镇补登漏报活动")
    states = {state.code: state for state in selectors.quarter_states()}
    assert next(iter(states)) == "2023Q1"  # newest first, the current quarter included
    assert not states["2023Q1"].finished and states["2022Q4"].finished
    assert states["2022Q3"].is_closed and not states["2022Q3"].was_reopened
    assert states["2022Q2"].was_reopened and not states["2022Q2"].is_closed
    assert not states["2022Q4"].is_closed and not states["2022Q4"].was_reopened
    assert selectors.closed_quarter_on(datetime.date(2022, 9, 30)) == "2022Q3"
    assert selectors.closed_quarter_on(datetime.date(2022, 6, 30)) is None
