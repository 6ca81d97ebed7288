"""Periods: quarters, years and spans of days, their reference day and their bounds, with every
date written out by hand."""

import datetime
import zoneinfo

import pytest
import time_machine

from rollout.indicators import Period

D = datetime.date
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("year", "quarter", "start", "end"),
    [
        (2024, 1, D(2024, 1, 1), D(2024, 3, 31)),
        (2024, 2, D(2024, 4, 1), D(2024, 6, 30)),
        (2024, 3, D(2024, 7, 1), D(2024, 9, 30)),
        (2024, 4, D(2024, 10, 1), D(2024, 12, 31)),
    ],
)
def test_a_quarter_runs_from_its_first_to_its_last_day(year, quarter, start, end):
    assert Period.quarter(year, quarter) == Period(start, end, f"{year}Q{quarter}")


@pytest.mark.parametrize("quarter", [0, 5, -1])
def test_there_are_four_quarters(quarter):
    with pytest.raises(ValueError, match=rf"^quarter must be 1\.\.4, not {quarter}$"):
        Period.quarter(2024, quarter)


def test_a_year_is_labelled_with_its_number():
    year = Period.year(2023)
    assert year == Period(D(2023, 1, 1), D(2023, 12, 31), "2023")
    assert year.code == "2023"
    assert not year.is_quarter


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (D(2023, 1, 1), "2023Q1"),
        (D(2023, 3, 31), "2023Q1"),
        (D(2023, 4, 1), "2023Q2"),
        (D(2023, 6, 30), "2023Q2"),
        (D(2023, 7, 1), "2023Q3"),
        (D(2023, 9, 30), "2023Q3"),
        (D(2023, 10, 1), "2023Q4"),
        (D(2023, 12, 31), "2023Q4"),
    ],
)
def test_the_quarter_containing_a_day(day, label):
    assert Period.containing(day).label == label


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022Q4", Period(D(2022, 10, 1), D(2022, 12, 31), "2022Q4")),
        (" 2022q1 ", Period(D(2022, 1, 1), D(2022, 3, 31), "2022Q1")),
        ("2022", Period(D(2022, 1, 1), D(2022, 12, 31), "2022")),
        (
            "2022-02-10..2022-05-20",
            Period(D(2022, 2, 10), D(2022, 5, 20), "2022-02-10..2022-05-20"),
        ),
        ("2022-05-01..2022-05-01", Period(D(2022, 5, 1), D(2022, 5, 1), "2022-05-01..2022-05-01")),
    ],
)
def test_periods_are_read_from_text(text, expected):
    assert Period.parse(text) == expected


def test_a_span_may_not_end_before_it_starts():
    with pytest.raises(ValueError, match=r"^period ends before it starts$"):
        Period.parse("2022-05-02..2022-05-01")


@pytest.mark.parametrize(
    ("text", "shown"), [("", "''"), (None, "''"), ("2022Q5", "'2022Q5'"), ("22q4", "'22Q4'")]
)
def test_anything_else_is_not_a_period(text, shown):
    message = f"not a period: {shown} (use 2022Q4, 2022 or 2022-01-01..2022-06-30)"
    with pytest.raises(ValueError) as error:
        Period.parse(text)
    assert str(error.value) == message


def test_the_code_is_the_label_or_the_two_dates():
    assert Period(D(2022, 2, 10), D(2022, 5, 20)).code == "2022-02-10..2022-05-20"
    assert Period(D(2022, 10, 1), D(2022, 12, 31), "2022Q4").code == "2022Q4"


def test_the_reference_day_is_today_clamped_to_the_period():
    q4 = Period.quarter(2022, 4)
    assert q4.reference_day(D(2022, 9, 30)) == D(2022, 10, 1)
    assert q4.reference_day(D(2022, 11, 15)) == D(2022, 11, 15)
    assert q4.reference_day(D(2023, 1, 1)) == D(2022, 12, 31)
    with time_machine.travel(datetime.datetime(2022, 11, 20, 23, 30, tzinfo=SHANGHAI), tick=False):
        assert q4.reference_day() == D(2022, 11, 20)
    # 16:30 UTC on 30 November is already 1 December in Shanghai.
    with time_machine.travel(datetime.datetime(2022, 11, 30, 16, 30, tzinfo=datetime.UTC), tick=False):
        assert q4.reference_day() == D(2022, 12, 1)


def test_the_bounds_are_midnights_in_shanghai():
    start, end = Period.parse("2022-02-10..2022-05-20").bounds()
    assert start == datetime.datetime(2022, 2, 10, 0, 0, tzinfo=SHANGHAI)
    assert end == datetime.datetime(2022, 5, 21, 0, 0, tzinfo=SHANGHAI)
    assert start.utcoffset() == end.utcoffset() == datetime.timedelta(hours=8)


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("2022Q2", ["2022Q2"]),
        ("2022-05-05..2022-05-05", ["2022Q2"]),
        ("2022-03-31..2022-04-01", ["2022Q1", "2022Q2"]),
        ("2022-02-15..2022-07-01", ["2022Q1", "2022Q2", "2022Q3"]),
        ("2022", ["2022Q1", "2022Q2", "2022Q3", "2022Q4"]),
        ("2022-11-01..2023-01-15", ["2022Q4", "2023Q1"]),
    ],
)
def test_the_quarters_a_period_overlaps(text, labels):
    assert [quarter.label for quarter in Period.parse(text).quarters_overlapped()] == labels


def test_the_quarters_before_a_period():
    assert [p.label for p in Period.quarter(2023, 2).previous_quarters(5)] == [
        "2022Q1",
        "2022Q2",
        "2022Q3",
        "2022Q4",
        "2023Q1",
    ]
    assert Period.quarter(2023, 2).previous_quarters(0) == []
    # A span that starts inside a quarter counts back from that quarter.
    assert [p.label for p in Period.parse("2023-05-10..2023-08-01").previous_quarters(2)] == [
        "2022Q4",
        "2023Q1",
    ]
    assert Period.quarter(2023, 1).previous_quarters(1) == [Period.quarter(2022, 4)]
