"""Export of a crisis's submitted values as CSV and as DHIS2 ``dataValueSets``.

One row (or data value) per stored value of a submitted report; drafts are
the party's alone and never leave Samspill. Both formats read their rows
with one query (values joined with their report, party and indicator) and
stream them, however many there are.

- CSV: ``;`` as separator and a decimal comma for Norwegian Excel, UTF-8
  with a BOM; every cell a spreadsheet would read as a formula (starting
  with ``= + - @``, a tab or a carriage return) gets a ``'`` in front.
- DHIS2: ``{"dataValues": [...]}`` with the indicator's code as
  ``dataElement``, the period in DHIS2's notation (``2020W12`` for an ISO
  week, ``20200316`` for a day), the kommunenummer (or the organisation
  number of a party without one) as ``orgUnit`` and the item of a breakdown
  as ``categoryOptionCombo``. A national DHIS2 maps these codes to its own
  identifiers on import (``idScheme=CODE``).
"""

from __future__ import annotations

import datetime
import itertools
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheets import csv_lines, safe_cell
from crisis import periods, services
from crisis.models import Crisis, Indicator, Report, ReportForm, Value

CHUNK = 2000
T = Indicator.ValueType
NUMERIC = {T.INTEGER, T.DECIMAL, T.PERCENT}


# --- Which values ------------------------------------------------------------------


def export_values(
    crisis: Crisis,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    organisation_id: int | None = None,
) -> QuerySet[Value]:
    """The values of the crisis's submitted reports with period start from
    ``start`` (aligned to its period) to ``end``, optionally one party's only;
    report, party and indicator joined (one query), in period, party and
    report order."""
    rows = Value.objects.filter(report__crisis=crisis, report__status=Report.Status.SUBMITTED)
    if start is not None:
        rows = rows.filter(report__period_start__gte=periods.align(crisis.form, start))
    if end is not None:
        rows = rows.filter(report__period_start__lte=end)
    if organisation_id is not None:
        rows = rows.filter(report__organisation_id=organisation_id)
    return rows.select_related("report__organisation", "indicator").order_by(
        "report__period_start", "report__organisation__name", "report_id", "indicator_id", "item"
    )


def in_form_order(values: QuerySet[Value], crisis: Crisis) -> Iterator[Value]:
    """The values streamed, each report's in the order of the form's lines
    and the indicator's items (one more query for the form's lines)."""
    position = {
        indicator_id: n
        for n, indicator_id in enumerate(
            crisis.form.lines.order_by("position", "pk").values_list("indicator_id", flat=True)
        )
    }

    def order(value: Value) -> tuple[int, int]:
        codes = [i["code"] for i in value.indicator.items]
        item = codes.index(value.item) if value.item in codes else len(codes)
        return position.get(value.indicator_id, len(position)), item

    stream = values.iterator(chunk_size=CHUNK)
    for _report, group in itertools.groupby(stream, key=lambda v: v.report_id):
        yield from sorted(group, key=order)


def item_name(indicator: Indicator, item: str) -> str:
    for entry in indicator.items:
        if entry.get("code") == item:
            return str(entry.get("name", item))
    return item


# --- CSV -------------------------------------------------------------------------


def columns() -> list[str]:
    return [
        _("Period"),
        _("Party"),
        _("Organisation number"),
        _("Municipality number"),
        _("Indicator code"),
        _("Indicator"),
        _("Item code"),
        _("Item"),
        _("Value"),
        _("Unit"),
        _("Comment"),
        _("Status"),
        _("Submitted"),
    ]


def csv_value(indicator: Indicator, number: Decimal | None, text: str) -> str:
    """A value as a person reads it: god/utfordrende/kritisk, ja/nei, and a
    decimal comma."""
    shown = services.display(indicator, number, text)
    if indicator.value_type in NUMERIC:
        return shown.replace(".", ",")
    return shown


def rows(crisis: Crisis, values: QuerySet[Value]) -> Iterator[list[str]]:
    """The header, then one row per value, every cell made safe."""
    statuses = dict(Report.Status.choices)
    yield [safe_cell(c) for c in columns()]
    for value in in_form_order(values, crisis):
        report = value.report
        party = report.organisation
        indicator = value.indicator
        status = statuses.get(report.status, report.status)
        if report.no_change:
            status = _("%(status)s (no change)") % {"status": status}
        submitted = (
            timezone.localtime(report.submitted_at).strftime("%Y-%m-%d %H:%M")
            if report.submitted_at
            else ""
        )
        yield [
            safe_cell(cell)
            for cell in (
                report.period_start.isoformat(),
                party.name,
                party.organisation_number,
                party.municipality_number,
                indicator.code,
                indicator.name,
                value.item,
                item_name(indicator, value.item) if value.item else "",
                csv_value(indicator, value.number, value.text),
                indicator.unit,
                value.comment,
                status,
                submitted,
            )
        ]


def csv_chunks(crisis: Crisis, values: QuerySet[Value]) -> Iterator[str]:
    """The CSV, line by line: a BOM first so Excel reads UTF-8."""
    return csv_lines(rows(crisis, values))


# --- DHIS2 -----------------------------------------------------------------------


def dhis2_period(period_type: str, start: datetime.date) -> str:
    """A period in DHIS2's notation: ``2020W53`` (ISO year and week, so the
    week of 28 December 2020 is 2020W53 and that of 30 December 2019 is
    2020W1) or ``20200316`` for a day."""
    if period_type == ReportForm.PeriodType.WEEKLY:
        year, week, _day = start.isocalendar()
        return f"{year}W{week}"
    return start.strftime("%Y%m%d")


def dhis2_value(indicator: Indicator, number: Decimal | None, text: str) -> str:
    """A value as DHIS2 takes it: the text of a text, ``true``/``false`` for
    yes/no, the number otherwise (a level as 1, 2 or 3)."""
    if indicator.value_type == T.TEXT:
        return text
    if number is None:
        return ""
    if indicator.value_type == T.BOOLEAN:
        return "true" if number else "false"
    return f"{number.normalize():f}"


def data_values(crisis: Crisis, values: QuerySet[Value]) -> Iterator[dict[str, str]]:
    """One DHIS2 data value per stored value; ``categoryOptionCombo`` only
    for an item of a breakdown, ``comment`` only when there is one."""
    period_type = crisis.form.period_type
    for value in in_form_order(values, crisis):
        party = value.report.organisation
        row = {
            "dataElement": value.indicator.code,
            "period": dhis2_period(period_type, value.report.period_start),
            "orgUnit": party.municipality_number or party.organisation_number,
        }
        if value.item:
            row["categoryOptionCombo"] = value.item
        row["value"] = dhis2_value(value.indicator, value.number, value.text)
        if value.comment:
            row["comment"] = value.comment
        yield row


def dhis2_chunks(rows: Iterable[dict[str, str]]) -> Iterator[str]:
    """A ``dataValueSets`` document as JSON, one data value at a time."""
    yield '{"dataValues": ['
    for n, row in enumerate(rows):
        yield ("," if n else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]}\n"
