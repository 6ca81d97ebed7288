"""The pieces reports are made of: how a cell is shown, which part of the district a requester
may report on, and how a kind and a format are chosen.

The world for the report scope: 姜山镇科协 and 五乡镇科协 (tests/conftest.py); 姜山农技协会
below 姜山镇科协, based in the village 上李家 below 姜山镇; 区示例学会, based in 鄞州区 itself
(above every town).
"""

import datetime
import io
import zipfile
import zoneinfo

import pytest
import time_machine

from organizations.models import Organization, Region
from organizations.scoping import Scope, build_scope
from rollout.indicators import Period
from rollout.reports import (
    ReportScopeError,
    build_report,
    display,
    render,
    report_scope,
)
from rollout.reports.model import HOURS, INT, MARK, RATE, TEXT, Column, Report, Section
from tests import factories as f

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


# --------------------------------------------------------------------------- model


@pytest.mark.parametrize(
    ("value", "type_", "shown"),
    [
        (None, TEXT, "—"),
        (None, RATE, "—"),
        (None, MARK, "—"),
        (0.1234, RATE, "12.3%"),
        (1, RATE, "100.0%"),
        (0, RATE, "0.0%"),
        (2.34, HOURS, "2.34"),
        (71.25, HOURS, "71.25"),  # two decimals: never rounded to 71.2
        (2.675, HOURS, "2.68"),  # half up on the decimal value, not on the binary fraction
        (0, HOURS, "0.00"),
        (0.0125, RATE, "1.3%"),
        (True, MARK, "√"),
        (False, MARK, "×"),
        (0, MARK, "×"),
        (7, INT, "7"),
        (7, TEXT, "7"),
        ("五乡镇", TEXT, "五乡镇"),
    ],
)
def test_a_value_is_shown_by_its_column_type(value, type_, shown):
    assert display(value, type_) == shown


def test_text_is_the_default_type():
    assert display(0.5) == "0.5"
    assert Column("town", "镇（街道）").type == TEXT


def test_a_cell_shows_the_rows_value_for_the_column():
    section = Section("s", "标题", [Column("rate", "比率", RATE), Column("missing", "缺", INT)])
    row = {"rate": 0.25}
    assert [section.cell(row, column) for column in section.columns] == ["25.0%", "—"]


def test_a_section_is_found_by_its_key():
    first, second = Section("a", "甲", []), Section("b", "乙", [])
    report = Report(
        kind="coverage",
        title="t",
        period=Period.quarter(2022, 4),
        scope_label="全区",
        generated_at=datetime.datetime(2022, 12, 31, tzinfo=SHANGHAI),
        reference_day=datetime.date(2022, 12, 31),
        sections=[first, second],
        csv_section="b",
    )
    assert report.section("b") is second
    assert report.section("a") is first
    with pytest.raises(StopIteration):
        report.section("c")


# --------------------------------------------------------------------------- report scope


@pytest.fixture
def world(jiangshan, wuxiang):
    jiangshan_town = f.region("姜山镇")
    village = Region.objects.create(name="上李家", kind=Region.Kind.VILLAGE, parent=jiangshan_town)
    below = f.OrganizationFactory(
        code="GA-JS",
        name="姜山农技协会",
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
        category="production",
        parent=jiangshan.association,
        home_region=village,
    )
    society = f.OrganizationFactory(code="SOC-1", name="区示例学会")
    return {"below": below, "society": society}


def town_names(rscope) -> list[str]:
    return [town.name for town in rscope.towns]


@pytest.mark.django_db
def test_whoever_reads_everything_reports_on_the_whole_district(world):
    for scope in (Scope(read_all=True), Scope(read_all=True, write_all=True)):
        rscope = report_scope(scope)
        assert rscope.org_ids is None
        assert rscope.label == "全区"
        assert len(rscope.towns) == 25
        assert rscope.organizations().count() == Organization.objects.count() == 4


@pytest.mark.django_db
def test_an_admin_reports_on_the_administered_organisations_and_their_towns(world, jiangshan, wuxiang):
    user = f.UserFactory(username="two-towns")
    f.assign(user, "org_admin", organization=wuxiang.association)
    f.assign(user, "org_admin", organization=jiangshan.association)
    rscope = report_scope(build_scope(user))
    assert rscope.org_ids == {jiangshan.association.pk, wuxiang.association.pk, world["below"].pk}
    assert rscope.label == "姜山镇科协、五乡镇科协"  # by code: TA-JS, TA-WX
    assert town_names(rscope) == ["五乡镇", "姜山镇"]  # in the district's order
    assert set(rscope.organizations().values_list("name", flat=True)) == {
        "姜山镇科协",
        "五乡镇科协",
        "姜山农技协会",
    }


@pytest.mark.django_db
def test_a_report_narrowed_to_one_organisation_counts_it_and_those_below(world, jiangshan, jiangshan_admin):
    js = jiangshan.association
    rscope = report_scope(build_scope(jiangshan_admin), js)
    assert (rscope.org_ids, rscope.label, town_names(rscope)) == (
        {js.pk, world["below"].pk},
        "姜山镇科协",
        ["姜山镇"],
    )
    # An association based in a village reports on the village's town.
    rscope = report_scope(build_scope(jiangshan_admin), world["below"])
    assert (rscope.org_ids, rscope.label, town_names(rscope)) == (
        {world["below"].pk},
        "姜山农技协会",
        ["姜山镇"],
    )
    # District staff may narrow to any organisation; one based above the towns has none.
    rscope = report_scope(Scope(read_all=True), world["society"])
    assert (rscope.org_ids, rscope.label, rscope.towns) == ({world["society"].pk}, "区示例学会", ())


@pytest.mark.django_db
def test_an_admins_narrowed_report_keeps_to_what_they_administer(world, jiangshan, wuxiang):
    # An admin of the association below 姜山镇科协 only, asking for it: its own row only.
    user = f.UserFactory(username="below-admin")
    f.assign(user, "org_admin", organization=world["below"])
    scope = build_scope(user)
    assert report_scope(scope, world["below"]).org_ids == {world["below"].pk}
    # A hand-made scope administering 姜山镇科协 but not the association below it.
    partial = Scope(
        admin_org_ids=frozenset({jiangshan.association.pk}),
        assigned_org_ids=frozenset({jiangshan.association.pk}),
    )
    assert report_scope(partial, jiangshan.association).org_ids == {jiangshan.association.pk}


@pytest.mark.django_db
def test_a_report_on_another_organisation_is_refused(world, wuxiang, jiangshan_admin):
    with pytest.raises(ReportScopeError) as error:
        report_scope(build_scope(jiangshan_admin), wuxiang.association)
    assert str(error.value) == "只能对本单位及下属组织生成报表。"


@pytest.mark.django_db
def test_a_report_needs_a_reading_or_administering_role(world, leader_user, wuxiang):
    for scope in (Scope(), build_scope(leader_user)):
        with pytest.raises(ReportScopeError) as error:
            report_scope(scope)
        assert str(error.value) == "您没有生成报表的权限。"
        with pytest.raises(ReportScopeError):
            report_scope(scope, wuxiang.association)


@pytest.mark.django_db
def test_the_report_scope_filters_on_the_named_field(world, jiangshan, wuxiang, jiangshan_admin):
    from organizations.models import Seat

    narrowed = report_scope(build_scope(jiangshan_admin))
    whole = report_scope(Scope(read_all=True))
    assert set(narrowed.filter(Seat.objects.all()).values_list("person__name", flat=True)) == {
        "姜山会员",
        "姜山院长",
    }
    assert whole.filter(Seat.objects.all()).count() == 4
    assert set(narrowed.filter(Organization.objects.all(), "pk").values_list("name", flat=True)) == {
        "姜山镇科协",
        "姜山农技协会",
    }


# --------------------------------------------------------------------------- builder


@pytest.mark.django_db
def test_an_unknown_kind_or_format_is_refused(world):
    with pytest.raises(ValueError, match=r"^unknown report kind: annual$"):
        build_report("annual", Period.quarter(2022, 4), scope=Scope(read_all=True))
    report = build_report(
        "coverage", Period.quarter(2022, 4), scope=Scope(read_all=True), today=datetime.date(2023, 1, 5)
    )
    with pytest.raises(ValueError, match=r"^unknown report format: odt$"):
        render(report, "odt")


@pytest.mark.django_db
def test_the_builder_checks_the_requesters_scope(world, wuxiang, jiangshan_admin):
    with pytest.raises(ReportScopeError):
        build_report(
            "supervision",
            Period.quarter(2022, 4),
            scope=build_scope(jiangshan_admin),
            organization=wuxiang.association,
        )
    report = build_report(
        "supervision",
        Period.quarter(2022, 4),
        scope=build_scope(jiangshan_admin),
        today=datetime.date(2023, 1, 5),
    )
    assert report.scope_label == "姜山镇科协"


@pytest.mark.django_db
def test_a_report_of_the_running_quarter_is_as_of_today(world):
    moment = datetime.datetime(2022, 11, 20, 23, 30, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        report = build_report("coverage", Period.quarter(2022, 4), scope=Scope(read_all=True))
    assert report.reference_day == datetime.date(2022, 11, 20)
    assert report.generated_at == moment
    assert report.generated_at.tzinfo is not None
    assert report.generated_at.utcoffset() == datetime.timedelta(hours=8)
    # An explicit day wins over the clock.
    with time_machine.travel(moment, tick=False):
        report = build_report(
            "supervision",
            Period.quarter(2022, 4),
            scope=Scope(read_all=True),
            today=datetime.date(2022, 10, 3),
        )
    assert report.reference_day == datetime.date(2022, 10, 3)


@pytest.mark.django_db
def test_each_format_is_rendered_by_its_own_renderer(world):
    report = build_report(
        "coverage", Period.quarter(2022, 4), scope=Scope(read_all=True), today=datetime.date(2023, 1, 5)
    )
    with zipfile.ZipFile(io.BytesIO(render(report, "xlsx"))) as archive:
        assert "xl/workbook.xml" in archive.namelist()
    with zipfile.ZipFile(io.BytesIO(render(report, "docx"))) as archive:
        assert "word/document.xml" in archive.namelist()
    assert render(report, "pdf").startswith(b"%PDF")
    with zipfile.ZipFile(io.BytesIO(render(report, "csv"))) as archive:
        assert archive.namelist()[:2] == ["00_报表信息.csv", "01_覆盖率汇总.csv"]
    text = render(report, "csv", section="matrix").decode("utf-8")
    assert text.startswith("\ufeff镇（街道）,有镇（街）科协,")


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("zh-hans", 0, "无"),
        ("zh-hans", 1, "1 场"),
        ("zh-hans", 2, "2 场"),
        ("en", 1, "1 activity"),
        ("en", 2, "2 activities"),
    ],
)
def test_the_activities_counted_by_reported_numbers_read_in_the_language_of_the_report(
    language, count, expected
):
    from django.utils import translation

    from rollout.reports.supervision import _reported

    with translation.override(language):
        assert _reported(count) == expected
