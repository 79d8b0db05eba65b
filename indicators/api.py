"""Tall og statistikk, read-only and open to all.

Mounted under ``/api/statistics/{partnership}``, with the public pages'
rule for small numbers: a figure that counts 1–4 people, or would let
someone work such a count out, is null with the status ``hidden``.

- ``GET …/{partnership}``: the indicator catalogue, each with the
  partnership's and the country's latest figure.
- ``GET …/{partnership}/{code}``: one indicator's figures per kommune,
  region, hospital area, the partnership and the country, per year, with
  their provenance. The same figures as json-stat2 are at the indicator
  page's ``json-stat2/`` address.

Each answer takes a fixed number of queries, however many rows.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema

from indicators import figures, own
from indicators.models import Indicator
from partnerships.access import partnership_or_404
from portal.services import partnership_structure

router = Router(tags=["statistics"])

STATUS = (
    "Empty for a figure; otherwise why there is none: hidden (small numbers), "
    "suppressed (by the source), missing, not_applicable, not_computable (a kommune's "
    "figure is missing)."
)


class FigureOut(Schema):
    year: int
    value: float | None
    numerator: float | None = Field(description="The count behind a rate, where known.")
    denominator: float | None
    status: str = Field(description=STATUS)


class AreaOut(Schema):
    kind: str = Field(
        description="kommune, region, hospital_area, partnership or country (code 0)."
    )
    code: str = Field(description="The kommunenummer for a kommune.")
    name: str
    figures: list[FigureOut]


class SourceOut(Schema):
    source: str
    table: str
    file: str
    retrieved_on: datetime.date
    demo: bool = Field(description="Invented demonstration figures.")


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    computation: str = Field(description="count, rate_per_1000, standardised_rate or percent.")
    definition: str
    source: str
    suppress_below: int = Field(description="Counts below this are not published.")
    latest_year: int | None
    partnership: float | None = Field(description="The partnership's latest figure.")
    country: float | None = Field(description="The country's latest figure.")
    url: str


class IndicatorTableOut(Schema):
    indicator: IndicatorOut
    years: list[int]
    areas: list[AreaOut]
    sources: list[SourceOut]
    json_stat2: str = Field(description="The same figures as json-stat2 (a path on this site).")


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _latest(row: figures.Row | None) -> float | None:
    if row is None or not row.latest.shown:
        return None
    return _number(row.latest.value)


def _indicator_out(table: figures.IndicatorTable, slug: str) -> dict[str, Any]:
    indicator = table.indicator
    return {
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "computation": indicator.computation,
        "definition": indicator.definition,
        "source": indicator.source,
        "suppress_below": indicator.suppress_below,
        "latest_year": table.years[-1] if table.years else None,
        "partnership": _latest(table.partnership_row),
        "country": _latest(table.country_row),
        "url": reverse("public_indicators:indicator", args=[slug, indicator.code]),
    }


@router.get("/{partnership}", response=list[IndicatorOut], summary="The indicators")
def list_indicators(request: HttpRequest, partnership: str) -> list[dict[str, Any]]:
    """Every indicator with the partnership's and the country's latest
    figure. A fixed number of queries."""
    found = partnership_or_404(partnership)
    structure = partnership_structure(found)
    indicators = own.shown_indicators(found, list(Indicator.objects.all()), public=True)
    loaded = figures.load(found, indicators, structure)
    return [
        _indicator_out(
            figures.indicator_table(
                found, indicator, public=True, structure=structure, loaded=loaded
            ),
            found.slug,
        )
        for indicator in indicators
    ]


@router.get(
    "/{partnership}/{code}",
    response=IndicatorTableOut,
    summary="One indicator's figures per area and year",
)
def get_indicator(request: HttpRequest, partnership: str, code: str) -> dict[str, Any]:
    found = partnership_or_404(partnership)
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None or not own.shown_indicators(found, [indicator], public=True):
        raise Http404
    table = figures.indicator_table(found, indicator, public=True)
    return {
        "indicator": _indicator_out(table, found.slug),
        "years": table.years,
        "areas": [
            {
                "kind": str(row.kind),
                "code": row.code,
                "name": str(row.label),
                "figures": [
                    {
                        "year": year,
                        "value": _number(f.value),
                        "numerator": _number(f.numerator),
                        "denominator": _number(f.denominator),
                        "status": str(f.status),
                    }
                    for year, f in zip(table.years, row.figures, strict=True)
                ],
            }
            for row in table.rows
        ],
        "sources": [
            {
                "source": b.profile.source,
                "table": b.profile.table,
                "file": b.file_name,
                "retrieved_on": b.retrieved_on,
                "demo": b.is_demo,
            }
            for b in table.batches
        ],
        "json_stat2": reverse("public_indicators:json_stat2", args=[found.slug, indicator.code]),
    }
