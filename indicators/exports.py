"""An indicator's table as files: CSV for spreadsheets and json-stat2 (the
format SSB and FHI publish in) for machines. Both carry exactly what the
page shows: a public table has passed the rule for small numbers, and a
hidden figure is an empty value with its status."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheets import safe_cell
from indicators.figures import HIDDEN, NOT_COMPUTABLE, Figure, IndicatorTable, rounded
from indicators.models import ValueStatus
from partnerships.models import Partnership

# json-stat2 status symbols, as SSB uses them.
SYMBOLS = {
    ValueStatus.SUPPRESSED: ":",
    HIDDEN: ":",
    ValueStatus.MISSING: "..",
    NOT_COMPUTABLE: "..",
    ValueStatus.NOT_APPLICABLE: ".",
}


def status_label(figure: Figure, *, short: bool = False) -> str:
    """Why a figure shows no number; ``short`` for a table cell, with the
    long form in the legend under the table."""
    if short and figure.status == HIDDEN:
        return str(_("hidden"))
    labels = {
        ValueStatus.FIGURE: "",
        ValueStatus.SUPPRESSED: _("suppressed by the source"),
        ValueStatus.MISSING: _("not available"),
        ValueStatus.NOT_APPLICABLE: _("not applicable"),
        HIDDEN: _("hidden (small numbers)"),
        NOT_COMPUTABLE: _("cannot be computed"),
    }
    return str(labels.get(figure.status, figure.status))


def _number(value: Decimal | None, decimals: int) -> str:
    if value is None:
        return ""
    return str(rounded(value, decimals))


def csv_rows(table: IndicatorTable) -> Iterator[list[Any]]:
    indicator = table.indicator
    yield [
        _("Indicator"),
        _("Area"),
        _("Area code"),
        _("Year"),
        _("Value"),
        _("Numerator"),
        _("Denominator"),
        _("Status"),
    ]
    for row in table.rows:
        for year, figure in zip(table.years, row.figures, strict=True):
            yield [
                indicator.code,
                # Area names come from the imported files.
                safe_cell(row.label),
                safe_cell(row.code),
                year,
                _number(figure.value, indicator.decimals),
                _number(figure.numerator, 0),
                _number(figure.denominator, 0),
                status_label(figure),
            ]


def json_stat2(table: IndicatorTable, partnership: Partnership) -> str:
    """The table as one json-stat2 dataset: area × year."""
    indicator = table.indicator
    areas = [row.code for row in table.rows]
    values: list[float | None] = []
    status: dict[str, str] = {}
    for row in table.rows:
        for figure in row.figures:
            if figure.shown and figure.value is not None:
                values.append(float(rounded(figure.value, indicator.decimals)))
            else:
                values.append(None)
                status[str(len(values) - 1)] = SYMBOLS.get(figure.status, "..")
    dataset = {
        "version": "2.0",
        "class": "dataset",
        "label": f"{indicator.name} – {partnership.name}",
        "source": indicator.source,
        "updated": timezone.now().replace(microsecond=0).isoformat(),
        "id": ["Region", "Tid"],
        "size": [len(areas), len(table.years)],
        "role": {"geo": ["Region"], "time": ["Tid"]},
        "dimension": {
            "Region": {
                "label": str(_("Area")),
                "category": {
                    "index": {code: i for i, code in enumerate(areas)},
                    "label": {row.code: str(row.label) for row in table.rows},
                },
            },
            "Tid": {
                "label": str(_("Year")),
                "category": {
                    "index": {str(y): i for i, y in enumerate(table.years)},
                    "label": {str(y): str(y) for y in table.years},
                },
            },
        },
        "value": values,
        "status": status,
        "note": [
            str(indicator.definition),
            str(
                _(
                    "Counts of 1–4 people, and figures from which one can be worked out, "
                    "are not shown (status ':')."
                )
            ),
        ],
        "extension": {
            "indicator": indicator.code,
            "unit": indicator.unit,
            "computation": indicator.computation,
            "decimals": indicator.decimals,
            "demo": table.is_demo,
        },
    }
    return json.dumps(dataset, ensure_ascii=False, indent=1)
