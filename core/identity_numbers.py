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
import unicodedata
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
    "normalise",
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

_ASCII_DIGITS = frozenset("0123456789")

# How a number is written must not hide it. Before matching, the text is
# folded (see :func:`normalise`): Unicode compatibility forms (NFKC: full-width
# digits, compatibility spaces), every Unicode decimal digit to its ASCII digit
# (Arabic-Indic, Devanagari …), invisible format characters (zero-width space
# and joiner, word joiner, BOM, soft hyphen) removed, spaces of every width
# (U+00A0, U+2002, U+3000 …) to a space, tabs and line breaks to a line
# break, every dash (U+2010–U+2015, the minus sign U+2212 …) to a hyphen-minus,
# dot and comma kept (they tell decimals apart), and every other punctuation
# (slash, underscore, colon, brackets …) to a slash.
#
# Between the groups of a 6+5 or 6+3+2 number, and between a date and the
# personal digits, a run of up to four separators is allowed:
# "010203\t12345", "010203 - 12345", "01.02.03\r\n12345". Inside a date
# (day, month, year) only one separator, the same twice, and not a tab or a
# line break: columns of a table ("12\t05\t87\t14500") are not a date.
_SEP = "[ \n.,/\\-]{1,4}"
_DATE_SEP = "[ .,/\\-]"

_TAIL = f"(?:[0-9]{{5}}|[0-9]{{3}}{_SEP}[0-9]{{2}})"

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
    # 01.02.03 12345, 01/02/03-123 45, 01 02 03 12345: the same separators
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
    digits, or as a date ``DD.MM.YY`` followed by 5 or 3+2 digits, in any
    digit script, with up to four white-space or punctuation characters
    between the groups and invisible characters anywhere (see
    :func:`normalise`), and is not glued to other digits. Other groupings are
    left alone on purpose: bank account numbers are also eleven digits with a
    mod-11 check, and are told apart by their 4.2.5 grouping. The spans refer
    to ``text`` as given.
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


def normalise(text: str) -> str:
    """The text as the matcher reads it (see the comment at ``_SEPARATOR_CHARS``).

    One ``str.translate`` over a table that learns each character once, so
    ordinary text costs about as much as a copy."""
    return text.translate(_FOLD)


def _fold(ch: str) -> str:
    out = []
    for part in unicodedata.normalize("NFKC", ch):
        digit = unicodedata.decimal(part, None)
        category = unicodedata.category(part)
        if digit is not None:
            out.append(str(digit))
        elif category == "Cf":
            continue  # zero-width space/joiner, word joiner, BOM, soft hyphen …
        elif category == "Zs":
            out.append(" ")
        elif part.isspace() or category in ("Zl", "Zp"):
            out.append("\n")  # tab, line and paragraph breaks
        elif category == "Pd" or part in "\u2212\u2043\u2796\ufe63\uff0d":
            out.append("-")
        elif part in ".,":
            out.append(part)
        elif category.startswith("P"):
            out.append("/")
        else:
            out.append(part)
    return "".join(out)


class _FoldTable(dict[int, str]):
    def __missing__(self, code: int) -> str:
        value = self[code] = _fold(chr(code))
        return value


_FOLD = _FoldTable()


def _original_offsets(text: str) -> list[int]:
    """For each character of ``normalise(text)``, its index in ``text``
    (and ``len(text)`` once more at the end)."""
    offsets: list[int] = []
    for index, ch in enumerate(text):
        offsets.extend([index] * len(_FOLD[ord(ch)]))
    offsets.append(len(text))
    return offsets


def _valid_candidates(text: str) -> Iterator[IdentityNumberMatch]:
    """Yield every candidate that passes the rules, ordered by start, with
    spans in ``text`` (the folded text is only what the matcher reads)."""
    folded = normalise(text)
    offsets: list[int] | None = None if len(folded) != len(text) else []
    for candidate in _CANDIDATE.finditer(folded):
        start, end = candidate.span("candidate")
        date_sep = candidate.group("date_sep")
        if date_sep and _two_digit_group_before(folded, start, date_sep):
            # A fourth two-digit group before "DD MM YY": a row of numbers
            # ("60 18 87 92 56964" in a table, "62 22 88 82" in a phone
            # list), not a date.
            continue
        digits = "".join(ch for ch in folded[start:end] if ch in _ASCII_DIGITS)
        kind = identity_number_kind(digits)
        if kind is None:
            continue
        if offsets is None:
            offsets = _original_offsets(text)
        if offsets:
            start, end = offsets[start], offsets[end - 1] + 1
        yield IdentityNumberMatch(start=start, end=end, kind=kind)


def _two_digit_group_before(folded: str, start: int, separator: str) -> bool:
    return (
        start >= 3
        and folded[start - 1] == separator
        and folded[start - 3 : start - 1].isdigit()
        and (start == 3 or not folded[start - 4].isdigit())
    )


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
