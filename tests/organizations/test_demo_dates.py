"""Where the demo's programme year lies: whole quarters from the plan's year 2022, so that the
seeding day falls in the programme's fourth quarter."""

import datetime

import pytest

from organizations.demo_dates import DemoCalendar, shift_months

D = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2022, 6, 30), 51, D(2026, 9, 30)),
        (D(2022, 9, 30), 51, D(2026, 12, 31)),
        (D(2022, 2, 15), 51, D(2026, 5, 15)),
        (D(2022, 12, 31), 3, D(2023, 3, 31)),
        (D(2022, 11, 30), 3, D(2023, 2, 28)),
        (D(2022, 11, 30), 63, D(2028, 2, 29)),
        (D(2022, 2, 28), 72, D(2028, 2, 29)),
        (D(2022, 3, 31), -3, D(2021, 12, 31)),
        (D(2022, 1, 1), 0, D(2022, 1, 1)),
    ],
)
def test_months_move_and_month_ends_stay_month_ends(day, months, expected):
    assert shift_months(day, months) == expected


@pytest.mark.parametrize(
    ("today", "quarters", "programme"),
    [
        (D(2022, 10, 1), 0, (D(2022, 1, 1), D(2022, 12, 31))),
        (D(2026, 12, 4), 16, (D(2026, 1, 1), D(2026, 12, 31))),
        (D(2027, 1, 1), 17, (D(2026, 4, 1), D(2027, 3, 31))),
        (D(2027, 2, 28), 17, (D(2026, 4, 1), D(2027, 3, 31))),
        (D(2027, 7, 1), 19, (D(2026, 10, 1), D(2027, 9, 30))),
        (D(2028, 2, 29), 21, (D(2027, 4, 1), D(2028, 3, 31))),
    ],
)
def test_the_seeding_day_falls_in_the_programme_s_fourth_quarter(today, quarters, programme):
    calendar = DemoCalendar.seeded_on(today)
    assert calendar.quarters == quarters
    assert (calendar.programme_start, calendar.programme_end) == programme
    # Stage 3c (1 October – 31 December of the plan) holds the seeding day.
    assert calendar.at(D(2022, 10, 1)) <= today <= calendar.at(D(2022, 12, 31))
