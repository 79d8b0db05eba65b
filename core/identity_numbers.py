"""Find Norwegian personal identity numbers in free text.

Samspill is a tool for health partnerships between municipalities and
hospitals. Its free-text fields (meeting notes, deviation reports, comments)
must never hold patient identity, so the app refuses text that contains a
personal identity number. This module is the detector behind that rule. It is
pure Python on purpose, with no Django imports, so that it can be used from
forms, API schemas, management commands and log filters alike, and tested
without a database.

An identity number has eleven digits, ``DDMMYY III K1 K2``: a birth date, a
three-digit individual number and two check digits. Variants:

* fødselsnummer: the plain birth date;
* D-nummer: the day plus 40 (issued to people who are not resident);
* H-nummer: the month plus 40 (help numbers issued inside the health sector);
* synthetic test numbers (Skatteetaten's Tenor test data): the month plus 80.

Because the detector is a privacy guard, it errs on the side of flagging:

* It accepts any combination of a day offset of 0 or 40 with a month offset of
  0, 40 or 80, not only the combinations issued today.
* It does not try to work out the century from the individual number: the
  date only has to exist in *some* century, so 29 February is accepted
  whenever the two-digit year is divisible by four (00 included, since 2000
  was a leap year).
* It implements the check-digit rule that applies to numbers issued from 2032,
  which accepts every number that the classic rule accepts and more.

To stay useful it must not flag ordinary numbers (phone numbers,
organisation numbers, bank account numbers, dates, amounts). An 11-digit
candidate is therefore only considered when it is written in one of the
groupings people use for identity numbers, and only flagged when it passes
the date and check-digit rules.

Nothing here ever returns or logs the number itself: matches carry only a
span and a kind, so that callers cannot echo the number back to the user or
into logs by accident.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "D_NUMMER",
    "FODSELSNUMMER",
    "H_NUMMER",
    "KINDS",
    "SYNTHETIC",
    "IdentityNumberMatch",
    "contains_identity_number",
    "find_identity_numbers",
    "identity_number_kind",
    "is_identity_number",
    "redact_identity_numbers",
]

FODSELSNUMMER = "fodselsnummer"
D_NUMMER = "d_nummer"
H_NUMMER = "h_nummer"
SYNTHETIC = "synthetic"
KINDS: tuple[str, ...] = (FODSELSNUMMER, D_NUMMER, H_NUMMER, SYNTHETIC)

# Weights of the first check digit (K1) over the first nine digits, followed by
# weight 1 for K1 itself, so that a valid number has a weighted sum with an
# accepted remainder modulo 11.
_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
# Weights of the second check digit (K2) over the first ten digits, followed
# by weight 1 for K2 itself.
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
# The classic rule wants remainder 0 for K1. Skatteetaten runs out of numbers
# under that rule, so numbers issued from 2032 may also have remainder 1, 2 or
# 3. Accepting all four covers both old and new numbers.
_K1_ACCEPTED_REMAINDERS = frozenset({0, 1, 2, 3})

_DAY_OFFSET_D_NUMMER = 40
_MONTH_OFFSET_H_NUMMER = 40
_MONTH_OFFSET_SYNTHETIC = 80

# Days per month with February at 29; 29 February is checked against the year
# separately.
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# Only ASCII digits count. Python's ``\d`` and ``str.isdigit`` also accept
# other scripts' digits, which no Norwegian register issues.
_ASCII_DIGITS = frozenset("0123456789")

# Separators allowed between groups. Besides the space, dot and hyphen-minus
# that people type, word processors and PDF copy-paste produce no-break
# spaces (U+00A0, U+202F), thin spaces (U+2009), non-breaking hyphens
# (U+2011) and en dashes (U+2013).
_SEPARATOR_CHARS = " .\\-\u00a0\u2009\u2011\u2013\u202f"
_SEP = f"[{_SEPARATOR_CHARS}]"
# Between day, month and year of a date-grouped number a slash is usual too.
_DATE_SEP = f"[{_SEPARATOR_CHARS}/]"

_TAIL = f"(?:[0-9]{{5}}|[0-9]{{3}}{_SEP}[0-9]{{2}})"

# One candidate per start position. The whole pattern sits in a lookahead so
# that finditer tries every position (an invalid candidate never hides a
# valid one that starts inside it). The alternatives cannot match at the same
# position, since they start with digit runs of different lengths (11, 6 and
# 2) or end differently after the same run, and all quantifiers are fixed, so
# matching is linear in the length of the text.
_CANDIDATE = re.compile(
    # Digit boundaries, not word boundaries: "fnr:01020312345" and
    # "pasient01020312345x" must be found.
    "(?<![0-9])"
    # Not the continuation of a decimal or dotted number such as
    # "1.01020312345" or "1,01020312345".
    "(?<![0-9][.,])"
    # Not an international phone number such as "+46812345678".
    "(?<!\\+)"
    "(?=(?P<candidate>"
    # 01020312345
    "[0-9]{11}"
    # 010203 12345, 010203-12345, 010203.12345, 010203 123 45
    f"|[0-9]{{6}}{_SEP}{_TAIL}"
    # 01.02.03 12345, 01/02/03-123 45, 01 02 03 12345: the same separator
    # between day, month and year, as people write dates.
    f"|[0-9]{{2}}(?P<date_sep>{_DATE_SEP})[0-9]{{2}}(?P=date_sep)[0-9]{{2}}{_SEP}{_TAIL}"
    ")"
    # The number must end where the digits end, and not run on into a decimal
    # part such as "01020312345,50".
    "(?![0-9])(?![.,][0-9]))"
)


@dataclass(frozen=True, slots=True, repr=False)
class IdentityNumberMatch:
    """Where an identity number was found in a text, and what kind it is.

    It deliberately holds only the span and the kind, never the digits: a
    match may end up in an error message, an exception or a log line, and
    none of those may repeat the number. Use ``text[start:end]`` only where
    the number is needed, for instance to redact it.
    """

    start: int
    end: int
    kind: str

    def __repr__(self) -> str:
        # Written out so that adding a field later cannot leak the number
        # through the generated repr.
        return f"IdentityNumberMatch(start={self.start}, end={self.end}, kind={self.kind!r})"

    def __str__(self) -> str:
        return f"{self.kind} at {self.start}-{self.end}"


def is_identity_number(digits: str) -> bool:
    """Tell whether ``digits`` is an identity number of any kind.

    ``digits`` must be exactly eleven ASCII digits without separators; use
    :func:`find_identity_numbers` for text. The date and both check digits
    are verified, under the rule for numbers issued from 2032 (which includes
    the classic rule), so that both existing and future numbers are caught.
    """
    return identity_number_kind(digits) is not None


def identity_number_kind(digits: str) -> str | None:
    """Return the kind of identity number ``digits`` is, or None if it is none.

    The kind is one of :data:`FODSELSNUMMER`, :data:`D_NUMMER`,
    :data:`H_NUMMER` and :data:`SYNTHETIC`. Combined offsets are resolved by
    the month first, because the month offset marks the scheme that issued
    the number and the day offset only says "not a real birth day":

    * month offset 80: synthetic (Tenor issues synthetic D-numbers as day + 40
      and month + 80, and they are still test data);
    * month offset 40: H-nummer, whatever the day offset;
    * day offset 40 with month offset 0: D-nummer;
    * no offset: fødselsnummer.
    """
    if not isinstance(digits, str) or len(digits) != 11 or not _ASCII_DIGITS.issuperset(digits):
        return None
    values = [ord(ch) - ord("0") for ch in digits]
    if not _check_digits_are_valid(values):
        return None

    day_field = values[0] * 10 + values[1]
    month_field = values[2] * 10 + values[3]
    year = values[4] * 10 + values[5]

    day_offset = _DAY_OFFSET_D_NUMMER if day_field > _DAY_OFFSET_D_NUMMER else 0
    if month_field > _MONTH_OFFSET_SYNTHETIC:
        month_offset = _MONTH_OFFSET_SYNTHETIC
    elif month_field > _MONTH_OFFSET_H_NUMMER:
        month_offset = _MONTH_OFFSET_H_NUMMER
    else:
        month_offset = 0
    if not _date_exists(day_field - day_offset, month_field - month_offset, year):
        return None

    if month_offset == _MONTH_OFFSET_SYNTHETIC:
        return SYNTHETIC
    if month_offset == _MONTH_OFFSET_H_NUMMER:
        return H_NUMMER
    if day_offset == _DAY_OFFSET_D_NUMMER:
        return D_NUMMER
    return FODSELSNUMMER


def find_identity_numbers(text: str) -> list[IdentityNumberMatch]:
    """Find the identity numbers in ``text``, in order, without overlaps.

    A number is found when it is written as eleven digits, as 6+5 or 6+3+2
    digits, or as a date ``DD.MM.YY`` followed by 5 or 3+2 digits, with single
    separators (space, no-break or thin space, dot, hyphen or en dash; a slash
    is also allowed inside the date), and is not glued to other digits. Other
    groupings are left alone on purpose: bank account numbers are also eleven
    digits with a mod-11 check, and are told apart by their 4.2.5 grouping.
    """
    matches: list[IdentityNumberMatch] = []
    covered_until = 0
    for match in _valid_candidates(text):
        if match.start >= covered_until:
            matches.append(match)
            covered_until = match.end
    return matches


def contains_identity_number(text: str) -> bool:
    """Tell whether ``text`` contains an identity number.

    This is the check to run before storing free text: it stops at the first
    number found.
    """
    return next(_valid_candidates(text), None) is not None


def redact_identity_numbers(text: str, replacement: str = "[fjernet]") -> str:
    """Return ``text`` with every identity number replaced by ``replacement``.

    Meant for logs and error reports, where the rest of the text is useful but
    the number must not be kept. Every valid candidate is covered, even in the
    unlikely case that two of them overlap.
    """
    spans: list[tuple[int, int]] = []
    for match in _valid_candidates(text):
        if spans and match.start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], match.end))
        else:
            spans.append((match.start, match.end))
    if not spans:
        return text
    parts: list[str] = []
    position = 0
    for start, end in spans:
        parts.append(text[position:start])
        parts.append(replacement)
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _valid_candidates(text: str) -> Iterator[IdentityNumberMatch]:
    """Yield every candidate that passes the rules, ordered by start."""
    for candidate in _CANDIDATE.finditer(text):
        start, end = candidate.span("candidate")
        digits = "".join(ch for ch in text[start:end] if ch in _ASCII_DIGITS)
        kind = identity_number_kind(digits)
        if kind is not None:
            yield IdentityNumberMatch(start=start, end=end, kind=kind)


def _check_digits_are_valid(values: list[int]) -> bool:
    k1_sum = sum(weight * value for weight, value in zip(_K1_WEIGHTS, values[:10], strict=True))
    if k1_sum % 11 not in _K1_ACCEPTED_REMAINDERS:
        return False
    k2_sum = sum(weight * value for weight, value in zip(_K2_WEIGHTS, values, strict=True))
    return k2_sum % 11 == 0


def _date_exists(day: int, month: int, year: int) -> bool:
    """Tell whether day.month exists in a year ending in ``year`` (00-99)."""
    if not 1 <= month <= 12 or day < 1 or day > _DAYS_IN_MONTH[month - 1]:
        return False
    # Every two-digit year divisible by four is a leap year in some century
    # (00 through 2000), and no other is.
    return not (month == 2 and day == 29 and year % 4 != 0)
