"""Read statistics files into indicator values, driven by a profile.

Pure Python: no database, no network. The importer hands :func:`parse` a
*profile* (a JSON mapping kept in ``indicators/profiles/<product>.json``) and
the bytes of one downloaded or uploaded file, and stores what comes back only
if ``errors`` is empty. When a statistics product changes its layout, its
profile changes; this code does not.

Rules
=====

* Nothing raises on bad input. Malformed JSON, a wrong encoding, binary
  garbage, an ``.xlsx`` that is not a zip, an empty file, a missing column,
  all become :class:`ParseError` entries. A file with any error is reported
  with all of its errors (at most :data:`MAX_ERRORS`, then one final error
  saying the list was cut), and the caller stores nothing from it.
* Files larger than :data:`MAX_BYTES` and json-stat2 datasets with more than
  :data:`MAX_CELLS` cells are refused (SSB's PxWebApi answers at most 800,000
  cells per request, so a bigger dataset is not one of theirs).
* Every text cell (CSV, XLSX, every row including title rows and unmapped
  columns), every json-stat2 category code and label, dimension label, the
  dataset label and its notes are checked with
  :func:`core.identity_numbers.find_identity_numbers`; numeric XLSX and JSON
  cells of 10 or 11 digits are checked as 11-digit text (a spreadsheet drops
  the leading zero of a number born on days 01–09). A hit is an error at its
  position, and no message, row or column label ever repeats the digits:
  cell contents are echoed only when short and free of long digit runs.
* Positions: CSV/XLSX errors carry the 1-based row number as a spreadsheet
  shows it and the column header (XLSX: "C (Overliggedøgn)"); json-stat2
  errors carry the 1-based position in the ``value`` array and the cell's
  categories ("Region=K-5035, Tid=2024": area and time, and any other
  dimension with more than one category that is not summed); whole-file
  errors carry neither.
* Two cells giving the same (indicator, area, year, role) are an error at the
  second, naming the first. In CSV/XLSX a repeated (area, year) row is
  reported once, at the row's area column.
* The value, numerator and denominator of one (indicator, area, year) merge
  into one :class:`ParsedValue`. Its ``status`` is the value cell's status;
  without a value cell, the first non-empty status of the others.
* ``skipped_areas`` counts the figures (one per series role, area and year)
  not read because the area matched no rule in ``areas``: fylke totals,
  health regions and the like. They are not errors.

Profile format
==============

Every profile::

    {
      "product": "ssb-07459",             # file name stem, unique
      "name": "…", "source": "…",         # shown to people
      "format": "json-stat2" | "csv" | "xlsx",
      "table": "07459",                   # optional, the source's table id
      "documentation": "https://…",       # optional, where the format is described
      "notes": "…",                       # optional, free text (how to fetch, caveats)
      "fetch": {…},                       # optional, for the fetcher; not read here
      "symbols": {"suppressed": [":", "k", "*"], "missing": ["..", ""],
                  "not_applicable": ["."]},   # optional; each list given replaces
                                              # that status's default list
      "time_pattern": "^(?P<year>\\d{4})",    # optional; regex with a group `year`,
                                              # searched in the time code / year cell
      "areas": [                           # first rule that matches wins
        {"kind": "kommune", "pattern": "^K-(?P<code>\\d{4})$"},
        {"kind": "country", "pattern": "(?i)^hele landet$", "match": "name"}
      ],
      "series": [ … ]                     # see below, per format
    }

Area rules: ``kind`` is ``kommune``, ``country``, ``hospital_area`` or
``county``; ``pattern`` is searched in the area code (or in the area name
when ``"match": "name"``) and must have a group ``code`` except for
``country``. Kommune codes are padded to four digits ("301" → "0301"); the
country is always code "0"; other kinds keep the code as captured.

``time_pattern`` picks the year out of a time code. SSB codes are "2024";
FHI codes periods as "2022_2024" (three-year averages) or "2024_2024", and
the FHI profile files a period under its *last* year with
``"^\\d{4}_(?P<year>\\d{4})$"``. The default takes the first four digits.
A year outside 1900–2100 is an error.

json-stat2 profiles add ``"area_dimension"`` and ``"time_dimension"`` (the
dimension ids), and each series is::

    {"indicator": "befolkning-80", "role": "value" | "numerator" | "denominator",
     "select": {"ContentsCode": ["Personer1"], "Alder": {"from": "080", "to": "105+"}},
     "sum": ["Kjonn", "Alder"]}

Every dimension other than area and time must either be summed or fixed to
exactly one category by ``select``. ``select`` lists category codes, or a
range ``{"from": code, "to": code}`` meaning every category between the two
in the file's index order, both included. Summed dimensions add up the
selected categories (all, without ``select``). A sum is suppressed if any of
its cells is suppressed, else missing if any is missing, else not applicable
if all are; not-applicable cells among figures add nothing. A number whose
``status`` is a known symbol takes that symbol's status (hidden stays hidden).

CSV and XLSX profiles add::

    "encoding": "utf-8-sig", "delimiter": ";",      # CSV only
    "sheet": null | "Kommuner",                     # XLSX only; null = first sheet
    "decimal": ",", "thousands": " " | "." | null,  # " " also means NBSP and thin spaces
    "header_row": 1,                                # 1-based; rows above are titles
    "columns": {"area_code": "Kommunenummer", "area_name": "Kommune", "year": "År"},
    "series": [{"indicator": "overliggedogn", "value": "Overliggedøgn per 1 000 innbyggere",
                "numerator": "Overliggedøgn", "denominator": "Innbyggere"}]

Columns are found by header text (trimmed, spaces collapsed, case-insensitive),
so their order does not matter. Completely empty rows are skipped, and so is
a footnote row ("Kilde: …": text in the first cell only, not an area).
Numbers use the profile's decimal and thousands separators; XLSX number cells
are taken as they are. A cell that is neither a number nor a symbol is an
error.

Assumptions about the real formats
==================================

Confirmed from public documentation and client code: PxWebApi v2 answers
json-stat2 (``version`` "2.0", ``class`` "dataset", ``id``, ``size``,
``dimension`` with ``category.index``/``label``, ``value``, ``status`` as an
object from value position to symbol, ``role``, ``extension.px``); table
07459 has ``Region``, ``Kjonn`` ("1", "2"), ``Alder`` ("000" … "104",
"105+"), ``ContentsCode`` ("Personer1") and ``Tid`` ("2024"); the code list
``agg_KommSummer`` uses "K-5035"; "0" is "Hele landet". SSB's five-year age
grouping cannot give 0–17 or 67–79, so single years are read. FHI's open API
(statistikk-data.fhi.no) answers json-stat2 with a UTF-8 BOM, dimensions
such as ``GEO`` ("0", fylke, kommune), ``AAR`` ("2022_2024"), ``KJONN``,
``ALDER`` ("0_120"), ``MEASURE_TYPE`` ("TELLER", "RATE", …), category
``index`` as a list, ``role.time`` null, ``status`` "" and flag symbols as
strings in ``value``.

Assumed, not confirmed: that ``agg_KommSummer`` labels are plain kommune
names and that it holds no "0" (the sample puts K-codes, "0" and a fylke in
one file, which real requests would return separately); FHI's table and
category codes for emergency admissions ("0_79", "80_120"); FHI using "k" as
well as ":" for suppressed cells (both are accepted); and the column headers
of Helsedirektoratet's CSV and XLSX files, which are published for people
rather than as an API and change between releases — hence profiles.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import math
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext

from core.identity_numbers import find_identity_numbers

__all__ = [
    "AREA_KINDS",
    "FORMATS",
    "MAX_BYTES",
    "MAX_CELLS",
    "MAX_ERRORS",
    "ROLES",
    "STATUSES",
    "ParseError",
    "ParseResult",
    "ParsedValue",
    "parse",
    "validate_profile",
]

MAX_BYTES = 5 * 1024 * 1024
MAX_CELLS = 800_000
MAX_ERRORS = 200
# A CSV or XLSX of 5 MB has far fewer rows; more means a sheet of blank rows.
MAX_ROWS = 200_000
# An XLSX is a zip: refuse one that unpacks to more than this (a zip bomb).
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024

FORMATS = ("json-stat2", "csv", "xlsx")
AREA_KINDS = ("kommune", "country", "hospital_area", "county")
ROLES = ("value", "numerator", "denominator")

SUPPRESSED = "suppressed"
MISSING = "missing"
NOT_APPLICABLE = "not_applicable"
STATUSES = (SUPPRESSED, MISSING, NOT_APPLICABLE)
DEFAULT_SYMBOLS: Mapping[str, tuple[str, ...]] = {
    SUPPRESSED: (":", "k", "*"),
    MISSING: ("..", ""),
    NOT_APPLICABLE: (".",),
}
DEFAULT_TIME_PATTERN = r"^(?P<year>\d{4})"
COUNTRY_CODE = "0"

_COMMON_KEYS = frozenset(
    {"product", "name", "source", "format", "table", "documentation", "notes", "fetch"}
    | {"symbols", "time_pattern", "areas", "series"}
)
_FORMAT_KEYS: Mapping[str, frozenset[str]] = {
    "json-stat2": _COMMON_KEYS | {"area_dimension", "time_dimension"},
    "csv": _COMMON_KEYS
    | {"encoding", "delimiter", "decimal", "thousands", "header_row", "columns"},
    "xlsx": _COMMON_KEYS | {"sheet", "decimal", "thousands", "header_row", "columns"},
}
_REQUIRED_KEYS: Mapping[str, tuple[str, ...]] = {
    "json-stat2": ("area_dimension", "time_dimension"),
    "csv": ("columns",),
    "xlsx": ("columns",),
}
_COLUMN_KEYS = ("area_code", "area_name", "year")
_SPACES = " \u00a0\u202f\u2009"
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_LONG_DIGIT_RUN = re.compile(r"[0-9]{6,}")


def _(message: str, **values: object) -> str:
    """``gettext(message) % values``: translated when the message is made,
    then filled in (``makemessages`` finds the message by the name ``_``)."""
    text = gettext(message)
    return text % values if values else text


@dataclass(frozen=True, slots=True)
class ParsedValue:
    """One figure for one indicator, area and year, ready to be stored."""

    indicator: str
    area_kind: str
    area_code: str
    area_name: str
    year: int
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    status: str


@dataclass(frozen=True, slots=True)
class ParseError:
    """A problem with the file (or the mapping), where a person can find it."""

    row: int | None
    column: str | None
    message: str


@dataclass(slots=True)
class ParseResult:
    values: list[ParsedValue]
    errors: list[ParseError]
    skipped_areas: int


# ---------------------------------------------------------------------------
# Validating a profile
# ---------------------------------------------------------------------------


def validate_profile(
    profile: Mapping[str, Any], *, known_indicators: set[str] | None = None
) -> list[str]:
    """The problems of a mapping itself, in English, empty if it is usable.

    With ``known_indicators`` every series must name one of them.
    """
    if not isinstance(profile, Mapping):
        return [_("The profile is not a JSON object.")]
    problems: list[str] = []
    fmt = profile.get("format")
    if fmt not in FORMATS:
        problems.append(_('"format" must be one of %(formats)s.', formats=", ".join(FORMATS)))
        return problems
    for key in ("product", "name", "source"):
        if not _is_text(profile.get(key)):
            problems.append(_('Missing key "%(key)s" (a text).', key=key))
    for key in _REQUIRED_KEYS[fmt]:
        if key not in profile:
            problems.append(_('Missing key "%(key)s".', key=key))
    for key in _unknown_keys(profile, _FORMAT_KEYS[fmt]):
        problems.append(_('Unknown key "%(key)s" for format %(format)s.', key=key, format=fmt))
    problems += _symbol_problems(profile.get("symbols"))
    problems += _time_pattern_problems(profile.get("time_pattern", DEFAULT_TIME_PATTERN))
    problems += _area_problems(profile.get("areas"))
    if fmt == "json-stat2":
        problems += _cube_problems(profile, known_indicators)
    else:
        problems += _table_problems(profile, fmt, known_indicators)
    return problems


def _unknown_keys(mapping: Mapping[Any, Any], known: Iterable[str]) -> list[str]:
    allowed = set(known)
    return sorted(str(key) for key in mapping if key not in allowed)


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _symbol_problems(symbols: object) -> list[str]:
    if symbols is None:
        return []
    if not isinstance(symbols, Mapping):
        return [_('"symbols" must be an object of lists.')]
    problems = []
    for status, listed in symbols.items():
        if status not in STATUSES:
            problems.append(
                _(
                    '"symbols" has an unknown status "%(status)s"; use %(statuses)s.',
                    status=status,
                    statuses=", ".join(STATUSES),
                )
            )
        elif not isinstance(listed, list) or not all(isinstance(s, str) for s in listed):
            problems.append(_('"symbols.%(status)s" must be a list of texts.', status=status))
    if problems:
        return problems
    seen: dict[str, str] = {}
    for status, listed in _merged_symbols(symbols).items():
        for symbol in listed:
            if symbol in seen and seen[symbol] != status:
                problems.append(
                    _(
                        'The symbol "%(symbol)s" stands for both %(first)s and %(second)s.',
                        symbol=symbol,
                        first=seen[symbol],
                        second=status,
                    )
                )
            seen[symbol] = status
    return problems


def _merged_symbols(symbols: Mapping[str, Any] | None) -> dict[str, tuple[str, ...]]:
    merged = {status: tuple(listed) for status, listed in DEFAULT_SYMBOLS.items()}
    for status, listed in (symbols or {}).items():
        merged[status] = tuple(s.strip() for s in listed)
    return merged


def _time_pattern_problems(pattern: object) -> list[str]:
    compiled = _compile(pattern)
    if compiled is None:
        return [_('"time_pattern" is not a valid regular expression.')]
    if "year" not in compiled.groupindex:
        return [_('"time_pattern" needs a named group "year".')]
    return []


def _compile(pattern: object) -> re.Pattern[str] | None:
    if not isinstance(pattern, str):
        return None
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _area_problems(areas: object) -> list[str]:
    if not isinstance(areas, list) or not areas:
        return [_('"areas" must be a non-empty list of rules.')]
    problems = []
    for number, rule in enumerate(areas, 1):
        if not isinstance(rule, Mapping):
            problems.append(_("Area rule %(number)s is not an object.", number=number))
            continue
        kind = rule.get("kind")
        if kind not in AREA_KINDS:
            problems.append(
                _(
                    'Area rule %(number)s: "kind" must be one of %(kinds)s.',
                    number=number,
                    kinds=", ".join(AREA_KINDS),
                )
            )
        compiled = _compile(rule.get("pattern"))
        if compiled is None:
            problems.append(
                _(
                    'Area rule %(number)s: "pattern" is not a valid regular expression.',
                    number=number,
                )
            )
        elif kind != "country" and "code" not in compiled.groupindex:
            problems.append(
                _('Area rule %(number)s: "pattern" needs a named group "code".', number=number)
            )
        if rule.get("match", "code") not in ("code", "name"):
            problems.append(
                _('Area rule %(number)s: "match" must be "code" or "name".', number=number)
            )
        for key in _unknown_keys(rule, {"kind", "pattern", "match"}):
            problems.append(
                _('Area rule %(number)s: unknown key "%(key)s".', number=number, key=key)
            )
    return problems


def _indicator_problems(
    number: int, indicator: object, known_indicators: set[str] | None
) -> list[str]:
    if not _is_text(indicator):
        return [_('Series %(number)s: missing "indicator".', number=number)]
    if known_indicators is not None and indicator not in known_indicators:
        return [
            _(
                'Series %(number)s: "%(indicator)s" is not an indicator in the catalogue.',
                number=number,
                indicator=indicator,
            )
        ]
    return []


def _series_list(profile: Mapping[str, Any]) -> tuple[list[Any], list[str]]:
    series = profile.get("series")
    if not isinstance(series, list) or not series:
        return [], [_('"series" must be a non-empty list.')]
    return series, []


def _cube_problems(profile: Mapping[str, Any], known_indicators: set[str] | None) -> list[str]:
    problems = []
    dimensions = []
    for key in ("area_dimension", "time_dimension"):
        if key in profile and not _is_text(profile[key]):
            problems.append(_('"%(key)s" must be a dimension id.', key=key))
        dimensions.append(profile.get(key))
    series, problems_ = _series_list(profile)
    problems += problems_
    seen: set[tuple[str, str]] = set()
    for number, spec in enumerate(series, 1):
        if not isinstance(spec, Mapping):
            problems.append(_("Series %(number)s is not an object.", number=number))
            continue
        problems += _indicator_problems(number, spec.get("indicator"), known_indicators)
        role = spec.get("role")
        if role not in ROLES:
            problems.append(
                _(
                    'Series %(number)s: "role" must be one of %(roles)s.',
                    number=number,
                    roles=", ".join(ROLES),
                )
            )
        elif (str(spec.get("indicator")), role) in seen:
            problems.append(
                _(
                    "Series %(number)s: %(indicator)s (%(role)s) is mapped twice.",
                    number=number,
                    indicator=spec.get("indicator"),
                    role=role,
                )
            )
        seen.add((str(spec.get("indicator")), str(role)))
        select = spec.get("select", {})
        if not isinstance(select, Mapping):
            problems.append(_('Series %(number)s: "select" must be an object.', number=number))
            select = {}
        for dimension, wanted in select.items():
            if dimension in dimensions:
                problems.append(
                    _(
                        'Series %(number)s: "select" may not name the area or time dimension.',
                        number=number,
                    )
                )
            elif not _valid_selection(wanted):
                problems.append(
                    _(
                        'Series %(number)s: "select.%(dimension)s" must be a non-empty list of '
                        'codes or {"from": code, "to": code}.',
                        number=number,
                        dimension=dimension,
                    )
                )
        summed = spec.get("sum", [])
        if not isinstance(summed, list) or not all(_is_text(d) for d in summed):
            problems.append(
                _('Series %(number)s: "sum" must be a list of dimension ids.', number=number)
            )
        elif any(d in dimensions for d in summed):
            problems.append(
                _(
                    'Series %(number)s: "sum" may not name the area or time dimension.',
                    number=number,
                )
            )
        for key in _unknown_keys(spec, {"indicator", "role", "select", "sum"}):
            problems.append(_('Series %(number)s: unknown key "%(key)s".', number=number, key=key))
    return problems


def _valid_selection(wanted: object) -> bool:
    if isinstance(wanted, list):
        return bool(wanted) and all(isinstance(code, str) for code in wanted)
    if isinstance(wanted, Mapping):
        return set(wanted) == {"from", "to"} and all(isinstance(v, str) for v in wanted.values())
    return False


def _table_problems(
    profile: Mapping[str, Any], fmt: str, known_indicators: set[str] | None
) -> list[str]:
    problems = []
    columns = profile.get("columns")
    if "columns" in profile:
        if not isinstance(columns, Mapping):
            problems.append(_('"columns" must be an object.'))
        else:
            for key in ("area_code", "year"):
                if not _is_text(columns.get(key)):
                    problems.append(_('Missing key "columns.%(key)s".', key=key))
            if "area_name" in columns and not _is_text(columns["area_name"]):
                problems.append(_('"columns.area_name" must be a column header.'))
            for key in _unknown_keys(columns, set(_COLUMN_KEYS)):
                problems.append(_('Unknown key "columns.%(key)s".', key=key))
    header_row = profile.get("header_row", 1)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1:
        problems.append(_('"header_row" must be a whole number from 1.'))
    decimal = profile.get("decimal", ",")
    if decimal not in (",", "."):
        problems.append(_('"decimal" must be "," or ".".'))
    thousands = profile.get("thousands")
    if thousands is not None and (not isinstance(thousands, str) or len(thousands) != 1):
        problems.append(_('"thousands" must be one character or null.'))
    elif thousands is not None and thousands == decimal:
        problems.append(_('"thousands" and "decimal" must differ.'))
    if fmt == "csv":
        delimiter = profile.get("delimiter", ";")
        if not isinstance(delimiter, str) or len(delimiter) != 1:
            problems.append(_('"delimiter" must be one character.'))
        encoding = profile.get("encoding", "utf-8-sig")
        if not isinstance(encoding, str) or not _known_encoding(encoding):
            problems.append(_('"encoding" is not a known text encoding.'))
    else:
        sheet = profile.get("sheet")
        if sheet is not None and not _is_text(sheet):
            problems.append(_('"sheet" must be a sheet name or null.'))
    series, problems_ = _series_list(profile)
    problems += problems_
    seen: set[str] = set()
    for number, spec in enumerate(series, 1):
        if not isinstance(spec, Mapping):
            problems.append(_("Series %(number)s is not an object.", number=number))
            continue
        problems += _indicator_problems(number, spec.get("indicator"), known_indicators)
        if not any(role in spec for role in ROLES):
            problems.append(
                _(
                    "Series %(number)s needs at least one of %(roles)s.",
                    number=number,
                    roles=", ".join(ROLES),
                )
            )
        for role in ROLES:
            if role in spec and not _is_text(spec[role]):
                problems.append(
                    _(
                        'Series %(number)s: "%(role)s" must be a column header.',
                        number=number,
                        role=role,
                    )
                )
        if str(spec.get("indicator")) in seen:
            problems.append(
                _(
                    "Series %(number)s: %(indicator)s is mapped twice.",
                    number=number,
                    indicator=spec.get("indicator"),
                )
            )
        seen.add(str(spec.get("indicator")))
        for key in _unknown_keys(spec, {"indicator", *ROLES}):
            problems.append(_('Series %(number)s: unknown key "%(key)s".', number=number, key=key))
    return problems


def _known_encoding(name: str) -> bool:
    """A text encoding Python knows ("base64" is a codec, but not for text)."""
    try:
        b"a".decode(name, "replace")
    except (LookupError, ValueError):
        return False
    return True


# ---------------------------------------------------------------------------
# The compiled profile
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _AreaRule:
    kind: str
    pattern: re.Pattern[str]
    on_name: bool


@dataclass(frozen=True, slots=True)
class _Area:
    kind: str
    # None when a kommune rule matched something that is not a kommune number.
    code: str | None


@dataclass(frozen=True, slots=True)
class _Profile:
    raw: Mapping[str, Any]
    symbols: Mapping[str, str]
    time_pattern: re.Pattern[str]
    areas: tuple[_AreaRule, ...]

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> _Profile:
        """A profile that :func:`validate_profile` has passed."""
        symbols = {
            symbol: status
            for status, listed in _merged_symbols(raw.get("symbols")).items()
            for symbol in listed
        }
        areas = tuple(
            _AreaRule(
                kind=rule["kind"],
                pattern=re.compile(rule["pattern"]),
                on_name=rule.get("match", "code") == "name",
            )
            for rule in raw["areas"]
        )
        return cls(
            raw=raw,
            symbols=symbols,
            time_pattern=re.compile(raw.get("time_pattern", DEFAULT_TIME_PATTERN)),
            areas=areas,
        )

    def area(self, code: str, name: str) -> _Area | None:
        for rule in self.areas:
            subject = name if rule.on_name else code
            if not subject:
                continue
            found = rule.pattern.search(subject)
            if found is None:
                continue
            if rule.kind == "country":
                return _Area(rule.kind, COUNTRY_CODE)
            captured = (found.group("code") or "").strip()
            if rule.kind == "kommune":
                ok = captured.isascii() and captured.isdigit() and len(captured) <= 4
                return _Area(rule.kind, captured.zfill(4) if ok else None)
            return _Area(rule.kind, captured or None)
        return None

    def year(self, text: str) -> int | None:
        found = self.time_pattern.search(text)
        if found is None:
            return None
        digits = found.group("year") or ""
        if not (digits.isascii() and digits.isdigit()):
            return None
        year = int(digits)
        return year if 1900 <= year <= 2100 else None


# ---------------------------------------------------------------------------
# Errors and the collection of figures
# ---------------------------------------------------------------------------


class _TooManyErrors(Exception):
    """Raised to stop reading once the error list is full."""


class _Errors:
    def __init__(self) -> None:
        self.items: list[ParseError] = []
        self._seen: set[ParseError] = set()
        self.cut = False

    def add(self, message: str, row: int | None = None, column: str | None = None) -> None:
        error = ParseError(row=row, column=column, message=message)
        if error in self._seen:
            return  # a cell that two sums share is reported once
        self._seen.add(error)
        if len(self.items) >= MAX_ERRORS:
            self.cut = True
            raise _TooManyErrors
        self.items.append(error)

    def finish(self) -> list[ParseError]:
        # Whole-file errors first, then by row; found in several passes, read in one.
        items = sorted(self.items, key=lambda e: (e.row is not None, e.row or 0))
        if self.cut:
            message = _(
                "There are more than %(count)s errors; only the first %(count)s are shown.",
                count=MAX_ERRORS,
            )
            return [*items, ParseError(row=None, column=None, message=message)]
        return items


def _identity_in_cell() -> str:
    return _(
        "This cell holds what looks like a national identity number. "
        "Remove it from the file and upload it again."
    )


def _identity_in_label() -> str:
    return _(
        "This label holds what looks like a national identity number. "
        "Remove it from the file and upload it again."
    )


def _shown(text: str) -> str | None:
    """``text`` if it may be repeated in a message: short, and with no long
    digit run (an identity number, or part of one, is never echoed)."""
    text = text.strip()
    if len(text) > 30 or _LONG_DIGIT_RUN.search(text) or find_identity_numbers(text):
        return None
    return text


def _role_word(role: str) -> str:
    return {
        "value": _("value"),
        "numerator": _("numerator"),
        "denominator": _("denominator"),
    }[role]


@dataclass(slots=True)
class _Cell:
    value: Decimal | None
    status: str


@dataclass(slots=True)
class _Merged:
    area_name: str
    roles: dict[str, _Cell] = field(default_factory=dict)


def _table_place(row: int | None, column: str | None) -> str:
    return _("row %(row)s, column %(column)s", row=row, column=column)


def _cube_place(row: int | None, column: str | None) -> str:
    return _("position %(row)s (%(column)s)", row=row, column=column)


class _Collector:
    """Gathers figures, refuses duplicates and merges roles into values."""

    def __init__(self, errors: _Errors) -> None:
        self.errors = errors
        self.skipped = 0
        self._merged: dict[tuple[str, str, str, int], _Merged] = {}
        self._first: dict[tuple[str, str, str, int, str], tuple[int | None, str | None]] = {}
        # How a duplicate's message names the first cell; json-stat2 sets its own.
        self.place: Callable[[int | None, str | None], str] = _table_place

    def add(
        self,
        *,
        indicator: str,
        role: str,
        area: _Area,
        area_name: str,
        year: int,
        cell: _Cell,
        row: int | None,
        column: str | None,
    ) -> None:
        assert area.code is not None
        key = (indicator, area.kind, area.code, year, role)
        if key in self._first:
            self.errors.add(
                _(
                    "Duplicate: %(indicator)s (%(role)s) for %(kind)s %(area)s, %(year)s "
                    "was already given at %(first)s.",
                    indicator=indicator,
                    role=_role_word(role),
                    kind=area.kind,
                    area=area.code,
                    year=year,
                    first=self.place(*self._first[key]),
                ),
                row,
                column,
            )
            return
        self._first[key] = (row, column)
        merged = self._merged.setdefault(key[:4], _Merged(area_name=area_name))
        merged.roles[role] = cell

    def values(self) -> list[ParsedValue]:
        values = []
        for (indicator, kind, code, year), merged in self._merged.items():
            roles = merged.roles
            if "value" in roles:
                status = roles["value"].status
            else:
                status = next((c.status for c in roles.values() if c.status), "")
            values.append(
                ParsedValue(
                    indicator=indicator,
                    area_kind=kind,
                    area_code=code,
                    area_name=merged.area_name,
                    year=year,
                    value=roles["value"].value if "value" in roles else None,
                    numerator=roles["numerator"].value if "numerator" in roles else None,
                    denominator=roles["denominator"].value if "denominator" in roles else None,
                    status=status,
                )
            )
        return values


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def parse(profile: Mapping[str, Any], data: bytes, *, known_indicators: set[str]) -> ParseResult:
    """Read ``data`` as ``profile`` describes; see the module docstring."""
    problems = validate_profile(profile, known_indicators=known_indicators)
    if problems:
        return ParseResult(
            values=[],
            errors=[
                ParseError(
                    row=None,
                    column=None,
                    message=_(
                        "The mapping for this file is not valid: %(problem)s", problem=problem
                    ),
                )
                for problem in problems
            ],
            skipped_areas=0,
        )
    errors = _Errors()
    collector = _Collector(errors)
    data = bytes(data)
    if not data:
        errors.add(_("The file is empty."))
    elif len(data) > MAX_BYTES:
        errors.add(
            _(
                "The file is larger than %(megabytes)s MB; it is refused.",
                megabytes=MAX_BYTES // (1024 * 1024),
            )
        )
    else:
        compiled = _Profile.of(profile)
        reader = {"json-stat2": _read_json_stat, "csv": _read_csv, "xlsx": _read_xlsx}
        with contextlib.suppress(_TooManyErrors):
            reader[profile["format"]](compiled, data, collector, errors)
    return ParseResult(
        values=collector.values(), errors=errors.finish(), skipped_areas=collector.skipped
    )


# ---------------------------------------------------------------------------
# Numbers and identity numbers in cells
# ---------------------------------------------------------------------------


def _number_holds_identity_number(number: int) -> bool:
    # 10 digits: a spreadsheet dropped the leading zero of day 01–09.
    return 10**9 <= number < 10**11 and bool(find_identity_numbers(str(number).zfill(11)))


def _holds_identity_number(raw: object) -> bool:
    if isinstance(raw, str):
        return len(raw) >= 11 and bool(find_identity_numbers(raw))
    if isinstance(raw, bool):
        return False
    if isinstance(raw, int):
        return _number_holds_identity_number(raw)
    if isinstance(raw, float | Decimal) and _is_whole(raw):
        return _number_holds_identity_number(int(raw))
    return False


def _is_whole(number: float | Decimal) -> bool:
    return math.isfinite(number) and number == int(number)


def _cell_text(raw: object) -> str:
    """A cell as text, numbers without a spurious ".0"."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, float | Decimal) and _is_whole(raw):
        return str(int(raw))
    return str(raw)


def _number_from_text(text: str, decimal: str, thousands: str | None) -> Decimal | None:
    text = text.strip().replace("\u2212", "-")
    if thousands is not None:
        for separator in _SPACES if thousands in _SPACES else thousands:
            text = text.replace(separator, "")
    if decimal != "." and "." in text:
        return None
    text = text.replace(decimal, ".")
    if not _PLAIN_NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _not_a_number(text: str) -> str:
    shown = _shown(text)
    if shown is None:
        return _("Not a number, nor a symbol this source uses.")
    return _('Not a number, nor a symbol this source uses: "%(text)s".', text=shown)


# ---------------------------------------------------------------------------
# json-stat2
# ---------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _load_json(data: bytes, errors: _Errors) -> object | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.add(
            _(
                "The file is not UTF-8 text (the first bad byte is byte %(position)s), "
                "so it cannot be JSON.",
                position=exc.start + 1,
            )
        )
        return None
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        errors.add(
            _(
                "The file is not valid JSON (line %(line)s, column %(column)s).",
                line=exc.lineno,
                column=exc.colno,
            )
        )
    except (ValueError, RecursionError):
        errors.add(_("The file is not valid JSON."))
    return None


@dataclass(slots=True)
class _Cube:
    """A json-stat2 dataset whose structure has been checked."""

    ids: list[str]
    sizes: list[int]
    codes: list[list[str]]
    # What messages may show of each code ("#3" if the code is not safe).
    shown: list[list[str]]
    labels: list[list[str]]
    values: list[Any] | dict[str, Any]
    # json-stat2 "status": one symbol for every cell, or symbols by position.
    status_everywhere: str | None
    status_by_index: dict[int, str]
    strides: list[int]
    # The area and time dimensions, once known.
    always: tuple[int, ...] = ()

    def value_at(self, index: int) -> object:
        if isinstance(self.values, list):
            return self.values[index]
        return self.values.get(str(index))

    def status_at(self, index: int) -> str | None:
        return self.status_by_index.get(index, self.status_everywhere)

    def positions(self, index: int) -> list[int]:
        return [
            (index // stride) % size for stride, size in zip(self.strides, self.sizes, strict=True)
        ]

    def describe(self, index: int, leave_out: Iterable[int] = ()) -> str:
        """The cell's categories, e.g. "Region=K-5035, Tid=2024": area and
        time always, other dimensions if they have more than one category."""
        left_out = set(leave_out)
        dims = [
            d
            for d, size in enumerate(self.sizes)
            if d in self.always or (size > 1 and d not in left_out)
        ]
        positions = self.positions(index)
        return ", ".join(f"{self.ids[d]}={self.shown[d][positions[d]]}" for d in dims)


def _read_cube(doc: object, errors: _Errors) -> _Cube | None:
    """Check the dataset's structure; report every problem found."""
    if not isinstance(doc, dict):
        errors.add(_("The file is JSON, but not a json-stat2 dataset."))
        return None
    if doc.get("class", "dataset") != "dataset":
        errors.add(_("The file is a json-stat collection or bundle, not a single dataset."))
        return None
    ids, sizes, dimensions = doc.get("id"), doc.get("size"), doc.get("dimension")
    if (
        not isinstance(ids, list)
        or not ids
        or not all(isinstance(i, str) and i for i in ids)
        or not isinstance(sizes, list)
        or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in sizes)
        or len(ids) != len(sizes)
        or not isinstance(dimensions, dict)
    ):
        errors.add(
            _(
                'The file is not a json-stat2 dataset: it needs "id", "size" and "dimension" '
                "that agree."
            )
        )
        return None
    if len(set(ids)) != len(ids):
        errors.add(_('The dataset names a dimension twice in "id".'))
        return None
    if any(_holds_identity_number(i) for i in ids):
        errors.add(_identity_in_label())
        return None
    total = 1
    for size in sizes:
        total *= size
        if total > MAX_CELLS:
            errors.add(
                _(
                    "The dataset has more than %(count)s cells; it is refused.",
                    count=f"{MAX_CELLS:,}",
                )
            )
            return None
    if total == 0:
        errors.add(_("The dataset holds no cells."))
        return None

    _check_labels(doc, errors)
    codes, shown, labels = [], [], []
    broken = False
    for dim_id, size in zip(ids, sizes, strict=True):
        found = _categories(dim_id, dimensions.get(dim_id), size, errors)
        if found is None:
            broken = True
            continue
        codes.append(found[0])
        shown.append(found[1])
        labels.append(found[2])

    values = doc.get("value")
    if isinstance(values, list):
        if len(values) != total:
            errors.add(
                _(
                    'The "value" array holds %(found)s cells, but the dimensions give '
                    '%(expected)s (the product of "size").',
                    found=len(values),
                    expected=total,
                )
            )
            broken = True
    elif isinstance(values, dict):
        if not all(_is_position(key, total) for key in values):
            errors.add(_('The "value" object has keys that are not cell positions.'))
            broken = True
    else:
        errors.add(_('The dataset has no "value".'))
        broken = True
    statuses = _statuses(doc.get("status"), total, errors)
    if broken or statuses is None:
        return None
    assert isinstance(values, list | dict)
    strides = [1] * len(sizes)
    for d in range(len(sizes) - 2, -1, -1):
        strides[d] = strides[d + 1] * sizes[d + 1]
    return _Cube(ids, sizes, codes, shown, labels, values, *statuses, strides)


def _is_position(key: str, total: int) -> bool:
    return key.isascii() and key.isdigit() and int(key) < total


def _statuses(raw: object, total: int, errors: _Errors) -> tuple[str | None, dict[int, str]] | None:
    """json-stat2 "status": absent, one text for all cells, a list by
    position, or an object from position to symbol. Blank means none."""

    def symbol(found: object) -> str | None:
        return found.strip() if isinstance(found, str) and found.strip() else None

    if raw is None or isinstance(raw, str):
        return symbol(raw), {}
    if isinstance(raw, list):
        return None, {i: s for i, found in enumerate(raw[:total]) if (s := symbol(found))}
    if isinstance(raw, dict):
        if all(_is_position(key, total) for key in raw):
            return None, {int(k): s for k, found in raw.items() if (s := symbol(found))}
        errors.add(_('The "status" object has keys that are not cell positions.'))
        return None
    errors.add(_('The dataset\'s "status" is neither a text, a list nor an object.'))
    return None


def _check_labels(doc: dict[str, Any], errors: _Errors) -> None:
    """The dataset's own label, source and notes (category labels: in :func:`_categories`)."""
    for key in ("label", "source", "note"):
        texts = doc.get(key)
        for text in texts if isinstance(texts, list) else [texts]:
            if _holds_identity_number(text):
                errors.add(_identity_in_label(), None, f'"{key}"')


def _categories(
    dim_id: str, dimension: object, size: int, errors: _Errors
) -> tuple[list[str], list[str], list[str]] | None:
    """The codes in index order, what of them may be shown, and their labels."""
    category = dimension.get("category") if isinstance(dimension, dict) else None
    if not isinstance(category, dict):
        errors.add(_("The dimension has no categories."), None, dim_id)
        return None
    index, label = category.get("index"), category.get("label")
    codes: list[str] | None = None
    if index is None and isinstance(label, dict) and len(label) == 1:
        # json-stat lets a dimension of one category leave out "index".
        codes = list(label)
    elif isinstance(index, list) and all(isinstance(code, str) for code in index):
        codes = list(index)
    elif isinstance(index, dict) and _are_positions(list(index.values())):
        codes = sorted(index, key=index.__getitem__)
    if codes is None:
        errors.add(_('The dimension\'s "category.index" is not a valid index.'), None, dim_id)
        return None
    if len(set(codes)) != len(codes):
        errors.add(_("The dimension lists a category twice."), None, dim_id)
        return None
    if len(codes) != size:
        errors.add(
            _(
                'The dimension has %(found)s categories, but "size" says %(expected)s.',
                found=len(codes),
                expected=size,
            ),
            None,
            dim_id,
        )
        return None
    labels = label if isinstance(label, dict) else {}
    dimension_label = dimension.get("label") if isinstance(dimension, dict) else None
    if _holds_identity_number(dimension_label):
        errors.add(_identity_in_label(), None, dim_id)
    shown, texts = [], []
    for number, code in enumerate(codes, 1):
        text = labels.get(code)
        text = text if isinstance(text, str) else code
        code_unsafe = _holds_identity_number(code)
        if code_unsafe or _holds_identity_number(text):
            place = _("%(dimension)s, category %(number)s", dimension=dim_id, number=number)
            errors.add(_identity_in_label(), None, place)
            text = ""
        shown.append(f"#{number}" if code_unsafe else code)
        texts.append(text)
    return codes, shown, texts


def _are_positions(values: list[object]) -> bool:
    """0 … n-1, each once (booleans are not positions)."""
    numbers = [p for p in values if isinstance(p, int) and not isinstance(p, bool)]
    return len(numbers) == len(values) and sorted(numbers) == list(range(len(numbers)))


@dataclass(slots=True)
class _CubeSeries:
    indicator: str
    role: str
    offsets: list[int]
    summed: set[int]


def _resolve_series(
    cube: _Cube, spec: Mapping[str, Any], fixed: tuple[int, int], errors: _Errors
) -> _CubeSeries | None:
    """The cell offsets (area and time at position 0) that make one figure."""
    name = f"{spec['indicator']} ({spec['role']})"
    select: Mapping[str, Any] = spec.get("select", {})
    summed_ids: list[str] = spec.get("sum", [])
    ok = True
    for dim_id in [*select, *summed_ids]:
        if dim_id not in cube.ids:
            errors.add(
                _(
                    "Series %(series)s: the mapping uses the dimension %(dimension)s, "
                    "which is not in the file (it has %(dimensions)s).",
                    series=name,
                    dimension=dim_id,
                    dimensions=", ".join(cube.ids),
                )
            )
            ok = False
    per_dimension: list[list[int]] = []
    summed: set[int] = set()
    for d, dim_id in enumerate(cube.ids):
        if d in fixed:
            per_dimension.append([0])
            continue
        if dim_id in select:
            positions = _selected_positions(cube, d, select[dim_id], name, errors)
            if positions is None:
                ok = False
                continue
        else:
            positions = list(range(cube.sizes[d]))
        if dim_id in summed_ids:
            summed.add(d)
        elif dim_id not in select:
            # Even a dimension of one category: a file fetched with another
            # category (another ContentsCode, say) must not pass unnoticed.
            errors.add(
                _(
                    "Series %(series)s: the mapping does not say which category of the "
                    'dimension %(dimension)s to read; fix it to one with "select" or add it '
                    'to "sum".',
                    series=name,
                    dimension=dim_id,
                ),
                None,
                dim_id,
            )
            ok = False
        elif len(positions) != 1:
            errors.add(
                _(
                    "Series %(series)s: the mapping selects %(count)s categories of the "
                    'dimension %(dimension)s; select one, or add the dimension to "sum".',
                    series=name,
                    dimension=dim_id,
                    count=len(positions),
                ),
                None,
                dim_id,
            )
            ok = False
        per_dimension.append(positions)
    if not ok:
        return None
    offsets = [
        sum(p * stride for p, stride in zip(combination, cube.strides, strict=True))
        for combination in itertools.product(*per_dimension)
    ]
    return _CubeSeries(spec["indicator"], spec["role"], offsets, summed)


def _selected_positions(
    cube: _Cube, d: int, wanted: object, name: str, errors: _Errors
) -> list[int] | None:
    codes = cube.codes[d]
    position = {code: p for p, code in enumerate(codes)}
    requested = [wanted["from"], wanted["to"]] if isinstance(wanted, Mapping) else wanted
    assert isinstance(requested, list)
    absent = [code for code in requested if code not in position]
    for code in absent:
        errors.add(
            _(
                "Series %(series)s: the category %(code)s is not in the file.",
                series=name,
                code=code,
            ),
            None,
            cube.ids[d],
        )
    if absent:
        return None
    if isinstance(wanted, Mapping):
        first, last = position[wanted["from"]], position[wanted["to"]]
        if first > last:
            errors.add(
                _(
                    'Series %(series)s: "%(first)s" comes after "%(last)s" in the file.',
                    series=name,
                    first=wanted["from"],
                    last=wanted["to"],
                ),
                None,
                cube.ids[d],
            )
            return None
        return list(range(first, last + 1))
    return sorted({position[code] for code in requested})


def _read_json_stat(profile: _Profile, data: bytes, collector: _Collector, errors: _Errors) -> None:
    doc = _load_json(data, errors)
    if doc is None:
        return
    cube = _read_cube(doc, errors)
    if cube is None:
        return
    raw = profile.raw
    area_dim = _dimension(cube, raw["area_dimension"], "area_dimension", errors)
    time_dim = _dimension(cube, raw["time_dimension"], "time_dimension", errors)
    if area_dim is None or time_dim is None:
        return
    fixed = cube.always = (area_dim, time_dim)
    collector.place = _cube_place
    series = [_resolve_series(cube, spec, fixed, errors) for spec in raw["series"]]

    areas: list[_Area | None] = []
    for code, shown, label in zip(
        cube.codes[area_dim], cube.shown[area_dim], cube.labels[area_dim], strict=True
    ):
        area = profile.area(code, label) if shown == code else None
        if area is not None and area.code is None:
            errors.add(
                _(
                    "The area code matched the rule for %(kind)s, but is not a valid code.",
                    kind=area.kind,
                ),
                None,
                f"{cube.ids[area_dim]}={shown}",
            )
        areas.append(area)
    years: list[int | None] = []
    for code, shown in zip(cube.codes[time_dim], cube.shown[time_dim], strict=True):
        year = profile.year(code) if shown == code else None
        if year is None and shown == code:
            errors.add(
                _("No year can be read from this time code with the mapping's time_pattern."),
                None,
                f"{cube.ids[time_dim]}={shown}",
            )
        years.append(year)

    for a, area in enumerate(areas):
        for t, year in enumerate(years):
            base = a * cube.strides[area_dim] + t * cube.strides[time_dim]
            for item in series:
                if item is None:
                    continue
                if area is None and cube.shown[area_dim][a] == cube.codes[area_dim][a]:
                    collector.skipped += 1
                    continue
                if area is None or area.code is None or year is None:
                    continue
                cell = _sum_cells(cube, profile, [base + o for o in item.offsets], errors)
                if cell is None:
                    continue
                first = base + item.offsets[0]
                column = cube.describe(first, item.summed)
                collector.add(
                    indicator=item.indicator,
                    role=item.role,
                    area=area,
                    area_name=cube.labels[area_dim][a],
                    year=year,
                    cell=cell,
                    row=first + 1,
                    column=column,
                )


def _dimension(cube: _Cube, dim_id: str, key: str, errors: _Errors) -> int | None:
    if dim_id in cube.ids:
        return cube.ids.index(dim_id)
    errors.add(
        _(
            'The file has no dimension "%(dimension)s" (the mapping\'s %(key)s); '
            "it has %(dimensions)s.",
            dimension=dim_id,
            key=key,
            dimensions=", ".join(cube.ids),
        )
    )
    return None


def _sum_cells(
    cube: _Cube, profile: _Profile, indexes: Sequence[int], errors: _Errors
) -> _Cell | None:
    """One figure from one or more cells; None (and errors) if a cell is bad."""
    found = [_cube_cell(cube, profile, index, errors) for index in indexes]
    cells = [cell for cell in found if cell is not None]
    if len(cells) < len(found):
        return None
    if len(cells) == 1:
        return cells[0]
    statuses = {cell.status for cell in cells}
    for status in (SUPPRESSED, MISSING):
        if status in statuses:
            return _Cell(None, status)
    figures = [cell.value for cell in cells if cell.value is not None]
    if not figures:
        return _Cell(None, NOT_APPLICABLE)
    return _Cell(sum(figures, Decimal(0)), "")


def _cube_cell(cube: _Cube, profile: _Profile, index: int, errors: _Errors) -> _Cell | None:
    raw = cube.value_at(index)
    symbol = cube.status_at(index)
    if symbol is None and type(raw) is int and not 10**9 <= raw < 10**11:
        return _Cell(Decimal(raw), "")  # the common case, kept fast

    def error(message: str) -> None:
        errors.add(message, index + 1, cube.describe(index))

    if symbol is not None and find_identity_numbers(symbol):
        error(_identity_in_cell())
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal | float | str | None):
        error(_("This cell is neither a number nor a symbol."))
        return None
    if isinstance(raw, str):
        if _holds_identity_number(raw):
            error(_identity_in_cell())
            return None
        if raw.strip() in profile.symbols:
            return _Cell(None, profile.symbols[raw.strip()])
        number = _number_from_text(raw, ".", None)
        if number is None:
            error(_unknown_symbol(raw))
            return None
        raw = number
    if raw is None:
        status = profile.symbols.get(symbol if symbol is not None else "")
        if status is None:
            error(_unknown_symbol(symbol or ""))
            return None
        return _Cell(None, status)
    if _holds_identity_number(raw):
        error(_identity_in_cell())
        return None
    number = raw if isinstance(raw, Decimal) else Decimal(str(raw))
    if not number.is_finite():
        error(_("This cell is neither a number nor a symbol."))
        return None
    if symbol is not None and symbol in profile.symbols:
        # A figure marked as suppressed stays hidden.
        return _Cell(None, profile.symbols[symbol])
    return _Cell(number, "")


def _unknown_symbol(symbol: str) -> str:
    shown = _shown(symbol)
    if shown is None:
        return _("This cell has a symbol the mapping does not know.")
    return _('Unknown symbol "%(symbol)s": the mapping does not say what it means.', symbol=shown)


# ---------------------------------------------------------------------------
# CSV and XLSX
# ---------------------------------------------------------------------------


def _read_csv(profile: _Profile, data: bytes, collector: _Collector, errors: _Errors) -> None:
    raw = profile.raw
    encoding = raw.get("encoding", "utf-8-sig")
    if b"\x00" in data:
        errors.add(
            _(
                "This is not a text file (it holds zero bytes; a UTF-16 export does). "
                "Save it as CSV UTF-8 and upload it again."
            )
        )
        return
    try:
        text = data.decode(encoding)
    except UnicodeError as exc:
        start = exc.start if isinstance(exc, UnicodeDecodeError) else 0
        errors.add(
            _(
                "The file is not in the expected encoding (%(encoding)s); the first bad "
                "character is in row %(row)s. Save it as CSV UTF-8 and upload it again.",
                encoding=encoding,
                row=data[:start].count(b"\n") + 1,
            )
        )
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=raw.get("delimiter", ";"))
    rows: list[Sequence[object]] = []
    try:
        for record in reader:
            rows.append(record)
            if len(rows) > MAX_ROWS:
                errors.add(_("The file has more than %(count)s rows.", count=MAX_ROWS))
                return
    except csv.Error:
        errors.add(_("This row cannot be read as CSV."), len(rows) + 1)
        return

    def label(index: int, header: str) -> str:
        return header or _("column %(number)s", number=index + 1)

    _read_table(profile, rows, label, collector, errors)


def _read_xlsx(profile: _Profile, data: bytes, collector: _Collector, errors: _Errors) -> None:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    not_a_workbook = _(
        "The file is not an Excel workbook (.xlsx). An old .xls or a CSV renamed to .xlsx "
        "cannot be read: save it as .xlsx and upload it again."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
    ):
        errors.add(not_a_workbook)
        return
    if unzipped > MAX_UNZIPPED_BYTES:
        errors.add(
            _(
                "The workbook unpacks to more than %(megabytes)s MB; it is refused.",
                megabytes=MAX_UNZIPPED_BYTES // (1024 * 1024),
            )
        )
        return
    rows: list[Sequence[object]] = []
    sheet_name = profile.raw.get("sheet")
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                if sheet_name is None:
                    sheet = workbook.worksheets[0]
                elif sheet_name in workbook.sheetnames:
                    sheet = workbook[sheet_name]
                else:
                    names = [n for n in workbook.sheetnames if _shown(n) is not None]
                    errors.add(
                        _(
                            'The workbook has no sheet "%(sheet)s"; it has %(sheets)s.',
                            sheet=sheet_name,
                            sheets=", ".join(names) or "–",
                        )
                    )
                    return
                for row in sheet.iter_rows(min_row=1, values_only=True):
                    rows.append(row)
                    if len(rows) > MAX_ROWS:
                        errors.add(_("The sheet has more than %(count)s rows.", count=MAX_ROWS))
                        return
            finally:
                workbook.close()
    except _TooManyErrors:
        raise
    except Exception:  # noqa: BLE001 – openpyxl raises many kinds on a damaged file
        errors.add(not_a_workbook)
        return

    def label(index: int, header: str) -> str:
        letter = get_column_letter(index + 1)
        return f"{letter} ({header})" if header else letter

    _read_table(profile, rows, label, collector, errors)


def _normalise_header(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").replace("\u00a0", " ").split()).casefold()


def _read_table(
    profile: _Profile,
    rows: Sequence[Sequence[object]],
    label: Callable[[int, str], str],
    collector: _Collector,
    errors: _Errors,
) -> None:
    """Rows of cells (text from CSV, typed values from XLSX) into figures."""
    raw = profile.raw
    header_row: int = raw.get("header_row", 1)
    if len(rows) < header_row:
        errors.add(
            _("The file has no header row: the mapping expects it in row %(row)s.", row=header_row)
        )
        return
    header_cells = rows[header_row - 1]
    headers = []
    for cell in header_cells:
        text = _cell_text(cell).strip().replace("\ufeff", "")
        headers.append("" if _holds_identity_number(cell) else text)
    labels = [label(index, header) for index, header in enumerate(headers)]

    def column_label(index: int) -> str:
        return labels[index] if index < len(labels) else label(index, "")

    # Every cell of every row, titles and unmapped columns included.
    unsafe: set[tuple[int, int]] = set()
    for number, row in enumerate(rows, 1):
        for index, cell in enumerate(row):
            if _holds_identity_number(cell):
                errors.add(_identity_in_cell(), number, column_label(index))
                unsafe.add((number, index))

    columns = _find_columns(raw, headers, header_row, errors)
    if columns is None:
        if sum(1 for h in headers if h) <= 1:
            errors.add(
                _(
                    "The header row has at most one column. "
                    'Is the file separated by "%(delimiter)s"?',
                    delimiter=raw.get("delimiter", ";"),
                )
                if raw["format"] == "csv"
                else _("The header row has at most one column."),
                header_row,
            )
        return
    code_col, name_col, year_col = columns["area_code"], columns.get("area_name"), columns["year"]
    series = [
        (spec["indicator"], [(role, columns[spec[role]]) for role in ROLES if role in spec])
        for spec in raw["series"]
    ]
    roles_per_row = sum(len(roles) for _, roles in series)
    decimal: str = raw.get("decimal", ",")
    thousands: str | None = raw.get("thousands")
    first_row: dict[tuple[str, str, int], int] = {}

    for number in range(header_row + 1, len(rows) + 1):
        row = rows[number - 1]

        def cell(index: int, row: Sequence[object] = row) -> object:
            return row[index] if index < len(row) else None

        texts = [_cell_text(c).strip() for c in row]
        if not any(texts) or _is_footnote(profile, texts):
            continue
        if (number, code_col) in unsafe:
            continue  # reported; the row cannot be placed
        code = _cell_text(cell(code_col)).strip()
        name = ""
        if name_col is not None and (number, name_col) not in unsafe:
            name = _cell_text(cell(name_col)).strip()
        area = profile.area(code, name)
        if area is None:
            if not code and not name:
                errors.add(_("This row names no area."), number, column_label(code_col))
            else:
                collector.skipped += roles_per_row
            continue
        if area.code is None:
            errors.add(
                _(
                    "The area code matched the rule for %(kind)s, but is not a valid code.",
                    kind=area.kind,
                ),
                number,
                column_label(code_col),
            )
            continue
        year_text = _cell_text(cell(year_col)).strip()
        year = None if (number, year_col) in unsafe else profile.year(year_text)
        if year is None:
            if (number, year_col) not in unsafe:
                errors.add(_("No year can be read from this cell."), number, column_label(year_col))
            continue
        key = (area.kind, area.code, year)
        if key in first_row:
            errors.add(
                _(
                    "This row repeats %(kind)s %(area)s, %(year)s, already given in row %(first)s.",
                    kind=area.kind,
                    area=area.code,
                    year=year,
                    first=first_row[key],
                ),
                number,
                column_label(code_col),
            )
            continue
        first_row[key] = number
        for indicator, roles in series:
            for role, index in roles:
                if (number, index) in unsafe:
                    continue
                value = _table_cell(profile, cell(index), decimal, thousands)
                if value is None:
                    errors.add(_not_a_number(_cell_text(cell(index))), number, column_label(index))
                    continue
                collector.add(
                    indicator=indicator,
                    role=role,
                    area=area,
                    area_name=name,
                    year=year,
                    cell=value,
                    row=number,
                    column=column_label(index),
                )


def _find_columns(
    raw: Mapping[str, Any], headers: list[str], header_row: int, errors: _Errors
) -> dict[str, int] | None:
    """Column positions by profile key (area_code …) and by series header."""
    where: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        where.setdefault(_normalise_header(header), []).append(index)
    wanted: dict[str, str] = {
        key: raw["columns"][key] for key in _COLUMN_KEYS if key in raw["columns"]
    }
    for spec in raw["series"]:
        for role in ROLES:
            if role in spec:
                wanted[spec[role]] = spec[role]
    found: dict[str, int] = {}
    ok = True
    for key, header in wanted.items():
        places = where.get(_normalise_header(header), [])
        if not places:
            errors.add(
                _(
                    'The column "%(header)s" is missing from the header row (row %(row)s).',
                    header=header,
                    row=header_row,
                ),
                header_row,
                header,
            )
            ok = False
        elif len(places) > 1:
            errors.add(
                _(
                    'The column "%(header)s" appears %(count)s times in the header row.',
                    header=header,
                    count=len(places),
                ),
                header_row,
                header,
            )
            ok = False
        else:
            found[key] = places[0]
    return found if ok else None


def _is_footnote(profile: _Profile, texts: list[str]) -> bool:
    """A "Kilde: …" row: text in the first cell only, and not an area."""
    first = texts[0] if texts else ""
    return (
        bool(first)
        and not any(texts[1:])
        and any(ch.isalpha() for ch in first)
        and profile.area(first, first) is None
    )


def _table_cell(
    profile: _Profile, raw: object, decimal: str, thousands: str | None
) -> _Cell | None:
    """A number cell as a figure or a symbol's status; None if it is neither."""
    if raw is None or isinstance(raw, str):
        text = (raw or "").strip()
        if text.isascii() and text.isdigit():
            return _Cell(Decimal(text), "")
        if text in profile.symbols:
            return _Cell(None, profile.symbols[text])
        number = _number_from_text(text, decimal, thousands)
        return None if number is None else _Cell(number, "")
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return _Cell(Decimal(raw), "")
    if isinstance(raw, float) and math.isfinite(raw):
        # repr gives the shortest text that reads back as the same float: 45.3, not 45.29999…
        return _Cell(Decimal(repr(raw)), "")
    if isinstance(raw, Decimal) and raw.is_finite():
        return _Cell(raw, "")
    return None
