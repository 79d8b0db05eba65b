"""Export of the deviations a person may see, as CSV and XLSX.

One row per deviation, drafts left out. Everyone who gets a row may see the
deviation (the two parties and the secretariat), so the free texts are in it.
Every text cell that a spreadsheet would read as a formula is prefixed with
``'`` (formula injection). The CSV is streamed (UTF-8 with BOM, ``;`` as
separator for Norwegian Excel); both read the rows with one query.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheets import csv_lines, safe_cell, xlsx_workbook
from deviations.models import SECTION_6_2_POINTS, Deviation

CHUNK = 2000


def columns() -> list[str]:
    return [
        _("Number"),
        _("Submitted"),
        _("Occurred"),
        _("Reporting party"),
        _("Receiving party"),
        _("Unit or service"),
        _("Category"),
        _("Guideline"),
        _("§ 6-2 point"),
        _("Consequence"),
        _("Status"),
        _("Answer deadline"),
        _("First answered"),
        _("Closed"),
        _("Reference in own system"),
        _("What happened"),
        _("Immediate measures"),
        _("Suggested improvement"),
        _("Cause"),
        _("Measures"),
    ]


def _date(value: datetime.datetime | datetime.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def export_queryset(deviations: QuerySet[Deviation]) -> QuerySet[Deviation]:
    """The rows of an export: submitted deviations with their parties,
    category and guideline joined (one query)."""
    return (
        deviations.exclude(status=Deviation.Status.DRAFT)
        .select_related("reporting_organisation", "receiving_organisation", "category", "guideline")
        .order_by("submitted_at", "pk")
    )


def rows(deviations: QuerySet[Deviation]) -> Iterator[list[str]]:
    """The header, then one row per deviation, every cell made safe."""
    points = dict(SECTION_6_2_POINTS)
    statuses = dict(Deviation.Status.choices)
    consequences = dict(Deviation.Consequence.choices)
    yield [safe_cell(c) for c in columns()]
    for d in export_queryset(deviations).iterator(chunk_size=CHUNK):
        yield [
            safe_cell(v)
            for v in (
                d.number,
                _date(d.submitted_at),
                _date(d.occurred_at),
                d.reporting_organisation.name,
                d.receiving_organisation.name,
                d.receiving_unit,
                str(d.category),
                str(d.guideline) if d.guideline else "",
                points.get(d.section_point, "") if d.section_point else "",
                consequences.get(d.consequence, d.consequence),
                statuses.get(d.status, d.status),
                _date(d.response_deadline),
                _date(d.first_answered_at),
                _date(d.closed_at),
                d.external_reference,
                d.description,
                d.immediate_measures,
                d.suggested_improvement,
                d.answer_cause,
                d.answer_measures,
            )
        ]


def csv_chunks(deviations: QuerySet[Deviation]) -> Iterator[str]:
    """The CSV, line by line: a BOM first so Excel reads UTF-8."""
    return csv_lines(rows(deviations))


def xlsx_bytes(deviations: QuerySet[Deviation]) -> bytes:
    """The same rows as a workbook; every cell is stored as text."""
    return xlsx_workbook(str(_("Deviations")), rows(deviations))
