"""The identity-number guard as Django and pydantic validators.

The finding itself lives in :mod:`core.identity_numbers` (pure Python). The
message tells the person what to remove and where, never echoing the number.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

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
