"""The quarterly deviation report for a council (ASU by default), written as
a draft case paper in the councils module.

The paper holds the quarter's figures as plain-text tables, the trend against
the previous quarters and the open overdue deviations (number, parties,
category, days overdue: no free text). Generating it twice for the same
quarter and council returns the same case (a client key derived from both).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from councils.models import Case, Council
from deviations import statistics
from deviations.models import Deviation
from partnerships.models import Partnership

NAMESPACE = uuid.UUID("0b6f3c1e-5d0a-4c59-9b1e-7a1d2f0c4e11")
TREND_QUARTERS = 4


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of a quarter."""
    start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    end = statistics.next_period(start, statistics.QUARTER) - datetime.timedelta(days=1)
    return start, end


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def recent_quarters(today: datetime.date, count: int = 8) -> list[tuple[int, int]]:
    """The current quarter and the ones before it, newest first."""
    result = [quarter_of(today)]
    while len(result) < count:
        result.append(previous_quarter(*result[-1]))
    return result


def client_key(partnership: Partnership, council: Council, year: int, quarter: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{partnership.pk}-{council.pk}-{year}-Q{quarter}")


def default_council(partnership: Partnership) -> Council | None:
    return (
        Council.objects.filter(partnership=partnership, kind=Council.Kind.ASU)
        .order_by("position", "pk")
        .first()
    )


def text_table(headers: Sequence[str], body: Sequence[Sequence[object]]) -> str:
    """A plain-text table with aligned columns (numbers to the right)."""
    cells = [[str(h) for h in headers]] + [[str(v) for v in row] for row in body]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [all(isinstance(row[i], int) for row in body) and body for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if numeric[i] else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def open_overdue(
    deviations: QuerySet[Deviation], today: datetime.date
) -> list[tuple[str, str, str, str, int]]:
    """Open deviations past their deadline, longest overdue first: number,
    reporting party, receiving party, category code, days overdue (one query)."""
    rows = (
        deviations.filter(status__in=Deviation.OPEN_STATUSES, response_deadline__lt=today)
        .order_by("response_deadline", "pk")
        .values_list(
            "year",
            "sequence",
            "reporting_organisation__name",
            "receiving_organisation__name",
            "category__code",
            "response_deadline",
        )
    )
    return [
        (
            f"AV-{year % 100:02d}/{sequence:04d}" if year and sequence else "",
            reporter,
            receiver,
            code,
            (today - deadline).days if deadline else 0,
        )
        for year, sequence, reporter, receiver, code, deadline in rows
    ]


def paper(
    partnership: Partnership, year: int, quarter: int, today: datetime.date | None = None
) -> dict[str, str]:
    """Title, background, assessment and proposed decision of the report
    (a constant number of queries)."""
    day = today or timezone.localdate()
    deviations = Deviation.objects.filter(partnership=partnership)
    start, end = quarter_bounds(year, quarter)
    figures = statistics.compute(deviations, period=statistics.MONTH, start=start, end=end)
    first = (year, quarter)
    for _i in range(TREND_QUARTERS):
        first = previous_quarter(*first)
    trend = statistics.trend(
        statistics.in_range(deviations, quarter_bounds(*first)[0], end),
        statistics.QUARTER,
        quarter_bounds(*first)[0],
        end,
    )
    overdue = open_overdue(deviations, day)
    summary = figures.summary
    assert summary is not None
    label = f"{year} Q{quarter}"
    count_header = _("Deviations")
    sections = [
        _("Deviations between the parties reported in %(quarter)s (%(start)s – %(end)s).")
        % {"quarter": label, "start": start.isoformat(), "end": end.isoformat()},
        text_table(
            [_("Figure"), _("Value")],
            [
                [_("Reported"), summary.total],
                [_("Answered"), summary.answered],
                [_("Answered within the deadline"), summary.answered_in_time],
                [
                    _("Mean days to answer"),
                    f"{summary.mean_days_to_answer:.1f}"
                    if summary.mean_days_to_answer is not None
                    else "–",
                ],
            ],
        ),
    ]
    titles = {
        "category": _("By category"),
        "direction": _("By direction"),
        "reporting_party": _("By reporting party"),
        "receiving_party": _("By receiving party"),
        "region": _("By region"),
        "guideline": _("By guideline"),
        "section_point": _("By § 6-2 point"),
        "consequence": _("By consequence for the patient"),
    }
    for name, title in titles.items():
        rows = figures.breakdowns[name]
        sections.append(
            f"{title}\n" + text_table(["", count_header], [[r.label, r.count] for r in rows])
        )
    sections.append(
        _("Trend: deviations per quarter")
        + "\n"
        + text_table([_("Quarter"), count_header], [[r.label, r.count] for r in trend])
    )
    previous = trend[-2].count if len(trend) >= 2 else 0
    change = summary.total - previous
    assessment = _(
        "%(count)s deviations were reported in %(quarter)s, %(change)s compared with the "
        "quarter before (%(previous)s). %(overdue)s open deviations are past their "
        "answer deadline on %(today)s."
    ) % {
        "count": summary.total,
        "quarter": label,
        "change": f"{change:+d}",
        "previous": previous,
        "overdue": len(overdue),
        "today": day.isoformat(),
    }
    overdue_text = (
        text_table(
            [_("Number"), _("Reported by"), _("Reported to"), _("Category"), _("Days overdue")],
            [list(row) for row in overdue],
        )
        if overdue
        else _("None.")
    )
    sections.append(_("Open deviations past the answer deadline") + "\n" + overdue_text)
    return {
        "title": _("Deviations between the parties, %(quarter)s") % {"quarter": label},
        "background": "\n\n".join(sections),
        "assessment": assessment,
        "proposed_decision": _(
            "The council takes the deviation report for %(quarter)s into account."
        )
        % {"quarter": label},
    }


def create_report_case(
    partnership: Partnership,
    council: Council,
    year: int,
    quarter: int,
    *,
    by: object,
    today: datetime.date | None = None,
) -> tuple[Case, bool]:
    """The draft case with the quarter's report; the same case when it was
    generated before for this quarter and council. Returns (case, created)."""
    from councils.services import create_case

    key = client_key(partnership, council, year, quarter)
    existing = Case.objects.filter(partnership=partnership, client_key=key).first()
    if existing is not None:
        return existing, False
    text = paper(partnership, year, quarter, today)
    return create_case(
        council=council,
        title=text["title"],
        by=by,
        visibility="partnership",
        background=text["background"],
        assessment=text["assessment"],
        proposed_decision=text["proposed_decision"],
        client_key=key,
    )
