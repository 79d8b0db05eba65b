"""The report's sections as the page, the PDF and the DOCX show them: each
a title, the secretariat's narrative, and its figures as tables and lines,
from the figures of :mod:`annual.figures` (live, or as adopted)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.models import Ratification
from annual.models import AnnualReport
from followups.models import FollowUp
from plans.models import Measure, Project

TITLES = {
    "meetings": gettext_lazy("Councils and meetings"),
    "decisions": gettext_lazy("Decisions and their follow-up"),
    "agreements": gettext_lazy("Agreements"),
    "deviations": gettext_lazy("Deviations between the parties"),
    "plan": gettext_lazy("Action plan and joint projects"),
    "indicators": gettext_lazy("Key indicators against the country"),
    "representation": gettext_lazy("Representation"),
    "crisis": gettext_lazy("Crisis preparedness"),
}


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[Any]]
    # The row headers are the partnership's own words (councils, categories,
    # guidelines, indicators): pages mark them with its language.
    own_rows: bool = False


class Line(str):
    """A line of text; ``own`` is the part in the partnership's own words
    (a plan's title, an agreement's name), for pages to mark."""

    own: str

    def __new__(cls, text: str, own: str = "") -> Line:
        line = super().__new__(cls, text)
        line.own = own
        return line


@dataclass
class Section:
    key: str
    title: str
    text: str
    tables: list[Table] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # some are Lines


def _n(value: Any, decimals: int = 0) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value  # a public count as published ("<5", "15")
    return str(
        formats.number_format(round(value, decimals), decimal_pos=decimals, force_grouping=True)
    )


def _day(iso: str | None) -> str:
    if not iso:
        return "–"
    return str(formats.date_format(datetime.date.fromisoformat(iso), "SHORT_DATE_FORMAT"))


def _labels(choices: Any, counts: dict[str, Any]) -> list[list[Any]]:
    return [[str(label), _n(counts.get(value, 0))] for value, label in choices]


def sections(report: AnnualReport, data: dict[str, Any]) -> list[Section]:
    result = []
    for key, title in TITLES.items():
        section = Section(key=key, title=str(title), text=report.text_of(key))
        BUILDERS[key](section, data[key])
        result.append(section)
    return result


def _meetings(section: Section, data: dict[str, Any]) -> None:
    section.tables.append(
        Table(
            _("Meetings per council"),
            [_("Council"), _("Held"), _("Cancelled")],
            [[c["council"], _n(c["held"]), _n(c["cancelled"])] for c in data["councils"]],
            own_rows=True,
        )
    )
    if data["attendance"]:
        section.tables.append(
            Table(
                _("Attendance at the meetings held, per party or region represented"),
                [_("On behalf of"), _("Present"), _("Deputy attended"), _("Absent")],
                [
                    [a["party"] or "–", _n(a["present"]), _n(a["deputy"]), _n(a["absent"])]
                    for a in data["attendance"]
                ],
            )
        )


def _decisions(section: Section, data: dict[str, Any]) -> None:
    section.lines.append(_("Decisions made: %(count)s") % {"count": _n(data["decisions"])})
    section.tables.append(
        Table(
            _("Follow-ups of the year's decisions by status"),
            [_("Status"), _("Follow-ups")],
            _labels(FollowUp.Status.choices, data["followups"]),
        )
    )


def _agreements(section: Section, data: dict[str, Any]) -> None:
    for version in data["in_force"]:
        section.lines.append(
            Line(
                _("%(agreement)s, version %(version)s, in force from %(day)s")
                % {
                    "agreement": version["agreement"],
                    "version": version["version"],
                    "day": _day(version["from"]),
                },
                own=version["agreement"],
            )
        )
    if not data["in_force"]:
        section.lines.append(_("No agreement version came in force in the year."))
    section.tables.append(
        Table(
            _("Ratification by the parties of the versions in force or being ratified"),
            [_("Outcome"), _("Parties")],
            _labels(Ratification.Outcome.choices, data["ratifications"]),
        )
    )


def _deviations(section: Section, data: dict[str, Any]) -> None:
    if data.get("published") is False:
        section.lines.append(_("The partnership does not publish its deviation statistics."))
        return
    section.lines += [
        _("Deviations reported: %(count)s") % {"count": _n(data["total"])},
        _("Answered: %(count)s, of them in time: %(in_time)s")
        % {"count": _n(data["answered"]), "in_time": _n(data["answered_in_time"])},
        _("Mean days to answer: %(days)s") % {"days": _n(data["mean_days_to_answer"], 1)},
    ]
    for caption, key in ((_("By category"), "by_category"), (_("By guideline"), "by_guideline")):
        if data[key]:
            section.tables.append(
                Table(
                    caption,
                    [_("Name"), _("Deviations")],
                    [[r["name"], _n(r["count"])] for r in data[key]],
                    own_rows=True,
                )
            )


def _plan(section: Section, data: dict[str, Any]) -> None:
    if data["plan"]:
        section.lines.append(
            Line(
                _("%(plan)s (%(period)s): %(progress)s per cent of the way")
                % {
                    "plan": data["plan"],
                    "period": data["period"],
                    "progress": _n(data["progress"]),
                },
                own=data["plan"],
            )
        )
        section.tables.append(
            Table(
                _("Measures by status"),
                [_("Status"), _("Measures")],
                _labels(Measure.Status.choices, data["measures"]),
            )
        )
    else:
        section.lines.append(_("No action plan was in force."))
    section.tables.append(
        Table(
            _("Joint projects by status"),
            [_("Status"), _("Projects")],
            _labels(Project.Status.choices, data["projects"]),
        )
    )


def _indicators(section: Section, data: list[dict[str, Any]]) -> None:
    if not data:
        section.lines.append(_("No indicator has figures for the year."))
        return
    section.tables.append(
        Table(
            _("The partnership and the country"),
            [_("Indicator"), _("The partnership"), _("Norway")],
            own_rows=True,
            rows=[
                [
                    i["name"],
                    _figure(i["partnership"], i["decimals"]),
                    _figure(i["country"], i["decimals"]),
                ]
                for i in data
            ],
        )
    )


def _figure(figure: dict[str, Any], decimals: int) -> str:
    if figure["value"] is not None:
        return _n(figure["value"], decimals)
    return _("hidden") if figure["status"] == "hidden" else "–"


def _representation(section: Section, data: dict[str, Any]) -> None:
    section.lines += [
        _("Input rounds opened before meetings: %(count)s") % {"count": _n(data["input_rounds"])},
        _("Report-backs after meetings: %(count)s") % {"count": _n(data["report_backs"])},
    ]


def _crisis(section: Section, data: dict[str, Any]) -> None:
    for crisis in data["crises"]:
        section.lines.append(
            Line(
                _("%(name)s, from %(day)s%(state)s")
                % {
                    "name": crisis["name"],
                    "day": _day(crisis["from"]),
                    "state": _(", stood down") if crisis["stood_down"] else _(", still open"),
                },
                own=crisis["name"],
            )
        )
    if not data["crises"]:
        section.lines.append(_("No crisis was open in the year."))
    section.lines.append(
        _("Situation reports submitted: %(count)s") % {"count": _n(data["reports"])}
    )


BUILDERS: dict[str, Callable[[Section, Any], None]] = {
    "meetings": _meetings,
    "decisions": _decisions,
    "agreements": _agreements,
    "deviations": _deviations,
    "plan": _plan,
    "indicators": _indicators,
    "representation": _representation,
    "crisis": _crisis,
}
