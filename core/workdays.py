"""Working days in Norway, for deadlines that must not fall on a day off.

A working day is a weekday (Monday to Friday) that is not a Norwegian public
holiday (helligdag or høytidsdag: New Year's Day, Maundy Thursday, Good
Friday, Easter, 1 May, Ascension Day, 17 May, Whitsun, Christmas). The
holidays come from the ``holidays`` package (``holidays.Norway``), which
leaves out ordinary Sundays unless asked; Saturdays and Sundays are days off
here whatever it says. Christmas Eve and New Year's Eve are working days, as
they are by law.

Pure functions of a date: no database, no clock. Each year's holidays are
computed once per process.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays

SATURDAY, SUNDAY = 5, 6

# A safety net: no run of days off in Norway is anywhere near this long.
_LONGEST_BREAK = 14


@lru_cache(maxsize=32)
def public_holidays(year: int) -> frozenset[datetime.date]:
    """Norway's public holidays in ``year`` (Sundays only when one is a holiday)."""
    return frozenset(holidays.Norway(years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() not in (SATURDAY, SUNDAY) and day not in public_holidays(day.year)


def next_working_day(day: datetime.date) -> datetime.date:
    """``day`` itself when it is a working day, otherwise the first working
    day after it (25 December 2026, a Friday, gives Monday 28 December)."""
    candidate = day
    for _step in range(_LONGEST_BREAK):
        if is_working_day(candidate):
            return candidate
        candidate += datetime.timedelta(days=1)
    raise ValueError(f"No working day within {_LONGEST_BREAK} days of {day.isoformat()}")


def deadline_after(start: datetime.date, days: int) -> datetime.date:
    """The deadline ``days`` calendar days after ``start``; one that falls on
    a weekend or a public holiday moves to the next working day."""
    return next_working_day(start + datetime.timedelta(days=days))
