"""The open file a partnership sends for the national comparison.

One JSON document per partnership and year (UTF-8, ``application/json``),
described field by field in the README and read back by :func:`read`::

    {
      "format": "samspill-nasjonal-sammenligning",
      "version": 1,
      "year": 2025,
      "generated_at": "2026-03-20T09:00:00+00:00",
      "source": "https://…/nasjonalt/2025/hnt.json",
      "partnership": {"id": "hnt", "name": "…", "language": "nb",
                      "kommuner": 19, "inhabitants": 134188, "demo": true},
      "report_adopted": true,
      "activity": {"meetings_held": {"value": 8, "status": "figure"}, …},
      "indicators": [{"code": "utskrivningsklare", "name": "…", "unit": "…",
                      "decimals": 1,
                      "value": 3.1, "status": "figure",
                      "country": {"value": 2.8, "status": "figure"}}, …]
    }

Only public aggregates go in: the figures of the year's annual report as
adopted (or, before it is adopted, the live public figures), with the
public pages' rule for small numbers already applied. A value is a number
with status ``figure``, or ``null`` with status ``suppressed`` (hidden by
the rule for small numbers or by the source) or ``missing``.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.identity_numbers import find_identity_numbers
from partnerships.models import Partnership

FORMAT = "samspill-nasjonal-sammenligning"
VERSION = 1
MAX_BYTES = 1024 * 1024
FIGURE, SUPPRESSED, MISSING = "figure", "suppressed", "missing"
STATUSES = (FIGURE, SUPPRESSED, MISSING)
FIRST_YEAR = 2000
MAX_INDICATORS = 200
MAX_TEXT = 200


@dataclass(frozen=True)
class Measure:
    """One figure of a partnership's own activity."""

    key: str
    label: Any
    unit: Any
    decimals: int = 0


COUNT = pgettext_lazy("unit of a count", "number")
PERCENT = gettext_lazy("per cent")
DAYS = gettext_lazy("days")

MEASURES = [
    Measure("meetings_held", gettext_lazy("Council meetings held"), COUNT),
    Measure("decisions", gettext_lazy("Decisions made"), COUNT),
    Measure(
        "followups_done_share",
        gettext_lazy("Follow-up of decisions done"),
        PERCENT,
    ),
    Measure(
        "agreements_revised",
        gettext_lazy("Agreement versions that came into force"),
        COUNT,
    ),
    Measure(
        "ratified_share",
        gettext_lazy("Ratifications adopted by the parties"),
        PERCENT,
    ),
    Measure("deviations", gettext_lazy("Deviations between the parties"), COUNT),
    Measure(
        "deviations_answered_in_time_share",
        gettext_lazy("Deviations answered within the deadline"),
        PERCENT,
    ),
    Measure(
        "deviation_days_to_answer",
        gettext_lazy("Mean days to answer a deviation"),
        DAYS,
        decimals=1,
    ),
    Measure("plan_progress", gettext_lazy("Progress of the action plan"), PERCENT),
    Measure("input_rounds", gettext_lazy("Input rounds to the parties"), COUNT),
    Measure("crisis_reports", gettext_lazy("Situation reports in crises"), COUNT),
]
MEASURE_KEYS = [m.key for m in MEASURES]


# Building -------------------------------------------------------------------


def _figure(value: float | int | None) -> dict[str, Any]:
    if value is None:
        return {"value": None, "status": MISSING}
    return {"value": value, "status": FIGURE}


def _public_count(shown: Any) -> tuple[int | None, str]:
    """A count as the public figures hold it: an int, or the deviation
    statistics' string ("0", "<5", "15")."""
    if isinstance(shown, int):
        return shown, FIGURE
    if shown is None:  # not published
        return None, MISSING
    text = str(shown)
    if text.isdigit():
        return int(text), FIGURE
    return None, SUPPRESSED


def _share(part: int, whole: int) -> dict[str, Any]:
    if whole <= 0:
        return _figure(None)
    return _figure(round(100 * part / whole, 1))


def activity(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The partnership's own activity from the annual report's public
    figures (:func:`annual.figures.year_figures`)."""
    followups = figures["decisions"]["followups"]
    counted = sum(n for status, n in followups.items() if status != "cancelled")
    ratifications = figures["agreements"]["ratifications"]
    asked = sum(ratifications.values())
    adopted = ratifications.get("adopted", 0) + ratifications.get("adopted_with_changes", 0)
    dev = figures["deviations"]
    if dev.get("published") is False or dev["total"] is None:
        dev = {"total": None, "answered": None, "answered_in_time": None}
    total, total_status = _public_count(dev["total"])
    in_time, in_time_status = _public_count(dev["answered_in_time"])
    answered, answered_status = _public_count(dev["answered"])
    deviations = {"value": total, "status": total_status}
    if FIGURE == in_time_status == answered_status and answered:
        in_time_share = _share(in_time or 0, answered)
    elif SUPPRESSED in (in_time_status, answered_status):
        in_time_share = {"value": None, "status": SUPPRESSED}
    else:
        in_time_share = _figure(None)
    days = dev.get("mean_days_to_answer")
    if answered_status == MISSING:
        days_figure: dict[str, Any] = _figure(None)
    elif days is not None and answered_status == SUPPRESSED:
        # A mean over one to four answers is as telling as the answers.
        days_figure = {"value": None, "status": SUPPRESSED}
    else:
        days_figure = _figure(None if days is None else round(float(days), 1))
    progress = figures["plan"].get("progress")
    return {
        "meetings_held": _figure(figures["meetings"]["held"]),
        "decisions": _figure(figures["decisions"]["decisions"]),
        "followups_done_share": _share(followups.get("done", 0), counted),
        "agreements_revised": _figure(len(figures["agreements"]["in_force"])),
        "ratified_share": _share(adopted, asked),
        "deviations": deviations,
        "deviations_answered_in_time_share": in_time_share,
        "deviation_days_to_answer": days_figure,
        "plan_progress": _figure(None if progress is None else round(float(progress), 1)),
        "input_rounds": _figure(figures["representation"]["input_rounds"]),
        "crisis_reports": _figure(figures["crisis"]["reports"]),
    }


def _indicator_figure(shown: dict[str, Any]) -> dict[str, Any]:
    if shown.get("value") is not None:
        return {"value": shown["value"], "status": FIGURE}
    if shown.get("status") in ("hidden", "suppressed"):
        return {"value": None, "status": SUPPRESSED}
    return {"value": None, "status": MISSING}


def indicators(figures: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "code": row["code"],
            "name": row["name"],
            "unit": row["unit"],
            "decimals": row["decimals"],
            **_indicator_figure(row["partnership"]),
            "country": _indicator_figure(row["country"]),
        }
        for row in figures["indicators"]
    ]


def build(partnership: Partnership, year: int) -> dict[str, Any]:
    """The document for ``partnership``'s ``year`` (module doc)."""
    from annual import figures as annual_figures
    from annual.models import AnnualReport
    from portal.services import partnership_structure

    report = AnnualReport.objects.filter(partnership=partnership, year=year).first()
    adopted = report is not None and report.status == AnnualReport.Status.ADOPTED
    if adopted and report is not None and report.figures is not None:
        figures = report.figures
    else:
        figures = annual_figures.year_figures(partnership, year, public=True)
    structure = partnership_structure(partnership)
    return {
        "format": FORMAT,
        "version": VERSION,
        "year": year,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "source": f"{settings.SITE_URL}/nasjonalt/{year}/{partnership.slug}.json",
        "partnership": {
            "id": partnership.slug,
            "name": partnership.name,
            "language": partnership.content_language,
            "kommuner": structure.kommune_count,
            "inhabitants": structure.total_inhabitants or None,
            "demo": partnership.is_demo,
        },
        "report_adopted": adopted,
        "activity": activity(figures),
        "indicators": indicators(figures),
    }


def dumps(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False).encode()


# Reading --------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Where in the file (a JSON Pointer, and the line where it can be
    told) and what is wrong there."""

    where: str
    message: str
    line: int | None = None


@dataclass
class Reading:
    document: dict[str, Any] | None = None
    problems: list[Problem] = field(default_factory=list)


# A partnership's short name, as in its addresses (partnerships.validators).
_IDENTIFIER = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
_LANGUAGES = ("nb", "nn")


class _Checker:
    def __init__(self, text: str) -> None:
        self.text = text
        self.problems: list[Problem] = []
        self.lines: dict[str, int] | None = None

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(where or "/", message, self._line_of(where)))

    def _line_of(self, where: str) -> int | None:
        if self.lines is None:
            self.lines = pointer_lines(self.text)
        # A missing key: the line of the object that should hold it.
        while where:
            if where in self.lines:
                return self.lines[where]
            where = where.rpartition("/")[0]
        return self.lines.get("")

    def obj(self, value: Any, where: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(where, _("Expected an object."))
            return None
        return value

    def text_field(self, parent: dict[str, Any], key: str, where: str, *, required: bool) -> str:
        value = parent.get(key)
        path = f"{where}/{key}"
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(path, _("Expected a text that is not empty."))
            return ""
        if len(value) > MAX_TEXT:
            self.problem(path, _("The text is longer than %(max)d characters.") % {"max": MAX_TEXT})
        if find_identity_numbers(value):
            self.problem(path, identity_message())
        return value

    def number(self, value: Any, path: str, *, integer: bool = False) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(path, _("Expected a number."))
            return
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(path, _("Expected a number."))
            return
        if integer and not isinstance(value, int):
            self.problem(path, _("Expected a whole number."))
            return
        if isinstance(value, int) and find_identity_numbers(str(value)):
            self.problem(path, identity_message())
        elif value < 0 or value > 10**9:
            self.problem(path, _("The number is outside what a figure can be."))

    def figure(self, value: Any, where: str) -> None:
        found = self.obj(value, where)
        if found is None:
            return
        status = found.get("status")
        if status not in STATUSES:
            self.problem(
                f"{where}/status",
                _("The status must be one of: %(statuses)s.") % {"statuses": ", ".join(STATUSES)},
            )
            return
        shown = found.get("value")
        if status == FIGURE:
            self.number(shown, f"{where}/value")
        elif shown is not None:
            self.problem(f"{where}/value", _("A value that is not a figure must be null."))


def identity_message() -> str:
    return _(
        "This field holds what looks like a national identity number. The file is for "
        "aggregates only: remove the number and export the file again."
    )


def read(data: bytes) -> Reading:
    """The document in ``data``, or every problem found in it (nothing of a
    file with a problem is to be stored)."""
    if len(data) > MAX_BYTES:
        return Reading(
            problems=[
                Problem("/", _("The file is larger than %(max)d KB.") % {"max": MAX_BYTES // 1024})
            ]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Reading(
            problems=[
                Problem(
                    "/",
                    _("The file is not UTF-8 text (byte %(at)d).") % {"at": error.start + 1},
                )
            ]
        )
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        return Reading(problems=[Problem("/", _("The file is nested too deeply."))])
    except ValueError as error:
        line = getattr(error, "lineno", None)
        column = getattr(error, "colno", None)
        message = _("The file is not valid JSON")
        if line is not None:
            message += " " + _("(line %(line)d, column %(column)d).") % {
                "line": line,
                "column": column,
            }
        return Reading(problems=[Problem("/", message, line)])
    check = _Checker(text)
    _check_document(check, document)
    if check.problems:
        return Reading(problems=check.problems)
    return Reading(document=document)


_SPACE = re.compile(r"[ \t\n\r]*")


def pointer_lines(text: str) -> dict[str, int]:
    """The line each value of a well-formed JSON text starts on, by its
    JSON Pointer (RFC 6901), so a problem can be shown where it is."""
    decoder = json.JSONDecoder()
    breaks = [at for at, char in enumerate(text) if char == "\n"]
    lines: dict[str, int] = {}

    def skip(at: int) -> int:
        found = _SPACE.match(text, at)
        return at if found is None else found.end()

    def walk(at: int, path: str) -> int:
        at = skip(at)
        lines[path] = bisect.bisect_right(breaks, at) + 1
        opening = text[at]
        if opening not in "{[":
            _value, end = decoder.raw_decode(text, at)
            return end
        closing = "}" if opening == "{" else "]"
        at = skip(at + 1)
        index = 0
        while text[at] != closing:
            if opening == "{":
                key, at = decoder.raw_decode(text, at)
                at = skip(at) + 1  # past ":"
                child = f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}"
            else:
                child = f"{path}/{index}"
                index += 1
            at = skip(walk(at, child))
            if text[at] == ",":
                at = skip(at + 1)
        return at + 1

    walk(0, "")
    return lines


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


def _check_document(check: _Checker, document: Any) -> None:
    root = check.obj(document, "")
    if root is None:
        return
    if root.get("format") != FORMAT:
        check.problem(
            "/format",
            _("This is not a file for the national comparison (format must be “%(format)s”).")
            % {"format": FORMAT},
        )
        return
    if root.get("version") != VERSION:
        check.problem(
            "/version",
            _(
                "Version %(found)s of the format is not known here; this installation reads "
                "version %(known)d."
            )
            % {"found": json.dumps(root.get("version"))[:20], "known": VERSION},
        )
        return
    year = root.get("year")
    if isinstance(year, bool) or not isinstance(year, int):
        check.problem("/year", _("Expected a whole number."))
    elif not FIRST_YEAR <= year <= timezone.localdate().year:
        check.problem(
            "/year",
            _("The year must be between %(first)d and this year.") % {"first": FIRST_YEAR},
        )
    check.text_field(root, "generated_at", "", required=False)
    check.text_field(root, "source", "", required=False)
    if not isinstance(root.get("report_adopted", False), bool):
        check.problem("/report_adopted", _("Expected true or false."))
    _check_partnership(check, root.get("partnership"))
    _check_activity(check, root.get("activity"))
    _check_indicators(check, root.get("indicators"))


def _check_partnership(check: _Checker, value: Any) -> None:
    found = check.obj(value, "/partnership")
    if found is None:
        return
    identifier = check.text_field(found, "id", "/partnership", required=True)
    if identifier and not _IDENTIFIER.match(identifier):
        check.problem(
            "/partnership/id",
            _("The identifier must be a short name of lower-case letters, digits and hyphens."),
        )
    check.text_field(found, "name", "/partnership", required=True)
    if found.get("language", "nb") not in _LANGUAGES:
        check.problem("/partnership/language", _("The language must be “nb” or “nn”."))
    for key in ("kommuner", "inhabitants"):
        if found.get(key) is not None:
            check.number(found[key], f"/partnership/{key}", integer=True)
    if not isinstance(found.get("demo", False), bool):
        check.problem("/partnership/demo", _("Expected true or false."))


def _check_activity(check: _Checker, value: Any) -> None:
    found = check.obj(value, "/activity")
    if found is None:
        return
    for key in found:
        if key not in MEASURE_KEYS:
            check.problem(f"/activity/{key}", _("This figure is not known in this version."))
    for key in MEASURE_KEYS:
        if key not in found:
            check.problem(f"/activity/{key}", _("This figure is missing."))
        else:
            check.figure(found[key], f"/activity/{key}")


def _check_indicators(check: _Checker, value: Any) -> None:
    if not isinstance(value, list):
        check.problem("/indicators", _("Expected a list."))
        return
    if len(value) > MAX_INDICATORS:
        check.problem("/indicators", _("More than %(max)d indicators.") % {"max": MAX_INDICATORS})
        return
    seen: set[str] = set()
    for at, item in enumerate(value):
        where = f"/indicators/{at}"
        row = check.obj(item, where)
        if row is None:
            continue
        code = check.text_field(row, "code", where, required=True)
        if code and not _CODE.match(code):
            check.problem(f"{where}/code", _("The code may hold a–z, 0–9, “-” and “_”."))
        elif code in seen:
            check.problem(f"{where}/code", _("This indicator is in the file twice."))
        seen.add(code)
        check.text_field(row, "name", where, required=True)
        check.text_field(row, "unit", where, required=True)
        decimals = row.get("decimals", 0)
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 4:
            check.problem(f"{where}/decimals", _("Expected a whole number from 0 to 4."))
        check.figure(row, where)
        check.figure(row.get("country"), f"{where}/country")
