"""Tall og statistikk, public: the indicators with the partnership's
figure beside the country's, each indicator's page (its kommuner and regions
side by side with the country, the trend, a chart and its table), each
kommune's page with all indicators, and the figures as CSV and json-stat2.

Public for everyone. Every figure has passed the rule for small numbers
(:mod:`core.disclosure`): nothing here shows, or lets anyone work out, a
count of 1–4 people.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.spreadsheets import csv_lines
from crisis.charts import Line, line_chart
from indicators import exports, figures, own
from indicators.models import Indicator
from partnerships.models import Partnership
from portal.services import partnership_structure


def _partnership(request: HttpRequest) -> Partnership:
    return request.partnership  # type: ignore[attr-defined, no-any-return]


def _crumbs(request: HttpRequest, *extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    p = _partnership(request)
    return [
        (p.name, reverse("portal:home", args=[p.slug])),
        (_("Facts and figures"), reverse("portal:statistics", args=[p.slug]) if extra else None),
        *extra,
    ]


def _indicator(request: HttpRequest, code: str) -> Indicator:
    """The indicator, if the public may see it here (404 otherwise)."""
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None or not own.shown_indicators(
        _partnership(request), [indicator], public=True
    ):
        raise Http404
    return indicator


def index(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """The population table and every indicator with the partnership's and
    the country's latest figure."""
    partnership = _partnership(request)
    structure = partnership_structure(partnership)
    indicators = own.shown_indicators(partnership, list(Indicator.objects.all()), public=True)
    loaded = figures.load(partnership, indicators, structure)
    tables = [
        figures.indicator_table(
            partnership, indicator, public=True, structure=structure, loaded=loaded
        )
        for indicator in indicators
    ]
    kommuner = [
        p for _area, regions in structure.areas for rv in regions for p in rv.participations
    ]
    return render(
        request,
        "indicators/public/index.html",
        {
            "structure": structure,
            "tables": tables,
            "kommuner": kommuner,
            "is_demo": any(t.is_demo for t in tables),
            "breadcrumbs": _crumbs(request),
        },
    )


def _trend_chart(table: figures.IndicatorTable) -> dict[str, Any] | None:
    """The partnership's and the country's figure year by year."""
    decimals = table.indicator.decimals
    lines = [
        Line(
            row.label,
            [
                figures.rounded(f.value, decimals) if f.shown and f.value is not None else None
                for f in row.figures
            ],
        )
        for row in (table.partnership_row, table.country_row)
        if row is not None
    ]
    if not lines or not table.years:
        return None
    return line_chart(
        f"trend-{table.indicator.code}",
        _("%(name)s: the partnership and the country") % {"name": table.indicator.name},
        [str(y) for y in table.years],
        lines,
        unit=table.indicator.unit,
        subject=table.indicator.name,
    )


def indicator_page(request: HttpRequest, partnership_slug: str, code: str) -> HttpResponse:
    partnership = _partnership(request)
    indicator = _indicator(request, code)
    table = figures.indicator_table(partnership, indicator, public=True)
    return render(
        request,
        "indicators/public/indicator.html",
        {
            "indicator": indicator,
            "table": table,
            "chart": _trend_chart(table),
            "breadcrumbs": _crumbs(request, (indicator.name, None)),
        },
    )


def kommune_page(request: HttpRequest, partnership_slug: str, number: str) -> HttpResponse:
    partnership = _partnership(request)
    structure = partnership_structure(partnership)
    participation = next(
        (
            p
            for _area, regions in structure.areas
            for rv in regions
            for p in rv.participations
            if p.organisation.municipality_number == number
        ),
        None,
    )
    if participation is None:
        raise Http404
    region = participation.region
    overview = figures.kommune_overview(
        partnership,
        number,
        own.shown_indicators(partnership, list(Indicator.objects.all()), public=True),
        public=True,
        structure=structure,
    )
    rows: list[dict[str, Any]] = []
    for table, row in overview:
        region_row = next(
            (r for r in table.rows if region and r.code == f"R-{region.pk}"),
            None,
        )
        rows.append(
            {"table": table, "row": row, "region": region_row, "country": table.country_row}
        )
    return render(
        request,
        "indicators/public/kommune.html",
        {
            "kommune": participation.organisation,
            "region": region,
            "rows": rows,
            "is_demo": any(r["table"].is_demo for r in rows),
            "breadcrumbs": _crumbs(request, (participation.organisation.name, None)),
        },
    )


def indicator_csv(request: HttpRequest, partnership_slug: str, code: str) -> StreamingHttpResponse:
    partnership = _partnership(request)
    indicator = _indicator(request, code)
    table = figures.indicator_table(partnership, indicator, public=True)
    response = StreamingHttpResponse(
        csv_lines(exports.csv_rows(table)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{partnership.slug}-{code}.csv"'
    return response


def indicator_json_stat(request: HttpRequest, partnership_slug: str, code: str) -> HttpResponse:
    partnership = _partnership(request)
    indicator = _indicator(request, code)
    table = figures.indicator_table(partnership, indicator, public=True)
    response = HttpResponse(
        exports.json_stat2(table, partnership), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{partnership.slug}-{code}.json"'
    return response
