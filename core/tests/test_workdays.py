"""Working days: weekends and Norwegian public holidays are days off."""

from __future__ import annotations

import datetime

import pytest

from core.workdays import deadline_after, is_working_day, next_working_day, public_holidays


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-12-04", True),  # a Friday
        ("2026-12-05", False),  # Saturday
        ("2026-12-06", False),  # Sunday
        ("2026-12-24", True),  # Christmas Eve is a working day by law
        ("2026-12-25", False),  # Christmas Day, a Friday
        ("2026-12-31", True),  # New Year's Eve too
        ("2027-01-01", False),  # New Year's Day
        ("2026-04-02", False),  # Maundy Thursday
        ("2026-04-03", False),  # Good Friday
        ("2026-04-06", False),  # Easter Monday
        ("2026-05-01", False),  # Labour Day
        ("2026-05-14", False),  # Ascension Day
        ("2026-05-25", False),  # Whit Monday
        ("2027-05-17", False),  # Constitution Day on a Monday
        ("2028-12-26", False),  # Boxing Day on a Tuesday
    ],
)
def test_it_knows_the_days_off(day: str, working: bool) -> None:
    assert is_working_day(d(day)) is working


def test_ordinary_sundays_are_not_counted_as_holidays_but_are_days_off() -> None:
    # The package lists only the Sundays that are holidays (Easter, Whitsun).
    assert d("2026-12-06") not in public_holidays(2026)
    assert d("2026-04-05") in public_holidays(2026)
    assert not is_working_day(d("2026-12-06"))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-12-23", "2026-12-23"),  # a working day stays
        ("2026-12-25", "2026-12-28"),  # Christmas Friday, Boxing Day Saturday, Sunday
        ("2026-12-05", "2026-12-07"),  # a plain weekend
        ("2026-04-02", "2026-04-07"),  # Easter: Thursday to Monday off
        ("2027-05-16", "2027-05-18"),  # Whit Sunday, then 17 May on Monday
        ("2027-12-25", "2027-12-27"),  # Christmas on a weekend: Monday is a working day
        ("2027-12-31", "2027-12-31"),  # New Year's Eve on a Friday
        ("2028-01-01", "2028-01-03"),  # across the new year
    ],
)
def test_the_next_working_day(day: str, expected: str) -> None:
    assert next_working_day(d(day)) == d(expected)


def test_a_deadline_on_a_holiday_moves_to_the_next_working_day() -> None:
    assert deadline_after(d("2026-12-04"), 21) == d("2026-12-28")
    assert deadline_after(d("2026-12-02"), 21) == d("2026-12-23")
    assert deadline_after(d("2026-12-11"), 21) == d("2027-01-04")  # 1 January, then a weekend
