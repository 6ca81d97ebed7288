"""Themed-day dates: all four kinds of rule, over several years, checked against the calendar."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from outreach.models import ThemedDay
from outreach.reference import load_themed_days
from outreach.rules import RuleError, first_day, validate_rule

D = datetime.date


@pytest.mark.parametrize(
    ("rule", "year", "expected"),
    [
        # 全国助残日: the third Sunday of May.
        ("nth_weekday:05:3:sun", 2022, D(2022, 5, 15)),
        ("nth_weekday:05:3:sun", 2024, D(2024, 5, 19)),
        ("nth_weekday:05:3:sun", 2025, D(2025, 5, 18)),
        ("nth_weekday:05:3:sun", 2026, D(2026, 5, 17)),
        # 全国科普日: the third Saturday of September.
        ("nth_weekday:09:3:sat", 2023, D(2023, 9, 16)),
        ("nth_weekday:09:3:sat", 2024, D(2024, 9, 21)),
        ("nth_weekday:09:3:sat", 2025, D(2025, 9, 20)),
        ("nth_weekday:11:-1:thu", 2025, D(2025, 11, 27)),
        # 秋分 (中国农民丰收节).
        ("solar_term:autumn_equinox", 2022, D(2022, 9, 23)),
        ("solar_term:autumn_equinox", 2024, D(2024, 9, 22)),
        ("solar_term:autumn_equinox", 2025, D(2025, 9, 23)),
        ("solar_term:autumn_equinox", 2026, D(2026, 9, 23)),
        ("solar_term:winter_solstice", 2024, D(2024, 12, 21)),
        ("solar_term:minor_cold", 2025, D(2025, 1, 5)),
        ("solar_term:pure_brightness", 2025, D(2025, 4, 4)),
        # 重阳节: the 9th day of the 9th lunar month.
        ("lunar:09-09", 2022, D(2022, 10, 4)),
        ("lunar:09-09", 2024, D(2024, 10, 11)),
        ("lunar:09-09", 2025, D(2025, 10, 29)),
        ("lunar:09-09", 2026, D(2026, 10, 18)),
        ("lunar:01-01", 2025, D(2025, 1, 29)),
        ("lunar:08-15", 2024, D(2024, 9, 17)),
        # A late-12th-month date belongs to the lunar year that began the year before.
        ("lunar:12-08", 2025, D(2025, 1, 7)),
        # Fixed days, and 29 February in a common year.
        ("fixed:03-03", 2025, D(2025, 3, 3)),
        ("fixed:12-01", 2024, D(2024, 12, 1)),
        ("fixed:02-29", 2025, D(2025, 2, 28)),
        ("fixed:02-29", 2024, D(2024, 2, 29)),
    ],
)
def test_first_day(rule, year, expected):
    assert first_day(rule, year) == expected


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "fixed:13-01",
        "fixed:02-30",
        "nth_weekday:05:6:sun",
        "nth_weekday:05:3:sunday",
        "solar_term:equinox",
        "lunar:13-01",
        "easter",
    ],
)
def test_malformed_rules_are_refused(rule):
    with pytest.raises(RuleError):
        first_day(rule, 2025)
    with pytest.raises(ValidationError, match="日期规则格式不正确"):
        validate_rule(rule)


@pytest.mark.django_db
def test_the_reference_list_is_loaded_with_every_rule_computable():
    load_themed_days(ThemedDay)  # idempotent after the data migration
    assert ThemedDay.objects.count() == 23
    for themed_day in ThemedDay.objects.all():
        for year in range(2022, 2031):
            start, end = themed_day.occurrence(year)
            assert start.year == year and (end - start).days == themed_day.days - 1, themed_day.name
    science_day = ThemedDay.objects.get(name="全国科普日")
    assert science_day.occurrence(2025) == (D(2025, 9, 20), D(2025, 9, 26))
    cancer_week = ThemedDay.objects.get(name="全国肿瘤防治宣传周")
    assert cancer_week.occurrence(2024) == (D(2024, 4, 15), D(2024, 4, 21))
    assert ThemedDay.objects.get(name="全国助残日").occurrence(2024)[0] == D(2024, 5, 19)
    assert ThemedDay.objects.get(name="中国农民丰收节").suggested_category == "production"


@pytest.mark.django_db
def test_the_next_occurrence_rolls_into_next_year():
    day = ThemedDay.objects.get(name="全国爱耳日")
    assert day.next_occurrence(D(2025, 3, 3)) == (D(2025, 3, 3), D(2025, 3, 3))
    assert day.next_occurrence(D(2025, 3, 4)) == (D(2026, 3, 3), D(2026, 3, 3))


@pytest.mark.django_db
def test_staff_edits_survive_a_reload():
    day = ThemedDay.objects.get(name="全国爱耳日")
    day.is_active = False
    day.save()
    assert load_themed_days(ThemedDay) == 0
    day.refresh_from_db()
    assert not day.is_active
