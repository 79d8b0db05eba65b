"""The identity-number guard as Django and pydantic validators.

The finding itself lives in :mod:`core.identity_numbers` (pure Python). The
message tells the person what to remove and where, never echoing the number.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext

from core.identity_numbers import find_identity_numbers

IDENTITY_NUMBER_CODE = "identity_number"


def identity_number_message(count: int) -> str:
    return ngettext(
        "The text contains what looks like a personal identity number "
        "(fødselsnummer, D-number or similar). Remove it: Samspill must not store "
        "anything that identifies a patient. Refer to the case in your own system instead.",
        "The text contains %(count)d numbers that look like personal identity numbers "
        "(fødselsnummer, D-number or similar). Remove them: Samspill must not store "
        "anything that identifies a patient. Refer to the case in your own system instead.",
        count,
    ) % {"count": count}


def validate_no_identity_number(value: object) -> None:
    if not isinstance(value, str) or not value:
        return
    matches = find_identity_numbers(value)
    if matches:
        raise ValidationError(identity_number_message(len(matches)), code=IDENTITY_NUMBER_CODE)


# Dates people give are within these years: a date outside them is a typing
# mistake (or a probe), and year 1 or 9999 would overflow when converted
# between time zones or moved by a deadline.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2999
# Real time zones are within UTC−12 and UTC+14; PostgreSQL stores no offset
# beyond ±15:59. Up to ±14:59 is accepted.
MAX_UTC_OFFSET = datetime.timedelta(hours=14, minutes=59)


def plausible_date_message() -> str:
    return gettext("Give a date between the years %(first)d and %(last)d.") % {
        "first": EARLIEST_YEAR,
        "last": LATEST_YEAR,
    }


def validate_plausible_date(value: object) -> None:
    """For dates and moments given by a person or a client."""
    if isinstance(value, datetime.date) and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(plausible_date_message(), code="date_range")
    if isinstance(value, datetime.datetime):
        offset = value.utcoffset()
        if offset is not None and abs(offset) > MAX_UTC_OFFSET:
            raise ValidationError(
                gettext("The time zone offset must be between −14:59 and +14:59."),
                code="utc_offset",
            )
