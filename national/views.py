"""The national comparison's pages.

Internal, under ``/<slug>/intern/nasjonalt/`` (the secretariat,
``MANAGE_STATISTICS``; other insiders 403, outsiders 404): opt in or out,
publish a year, import other partnerships' files, withdraw. Public, for the
whole installation, under ``/nasjonalt/``: the partnerships side by side,
a chart with its table per figure, each file and a CSV of the year.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.pages import person, posted
from core.spreadsheets import csv_lines, safe_cell
from national import exchange, services
from national.forms import ImportForm, PublishForm, SharingForm
from national.models import Snapshot
from national.templatetags.national import shown
from partnerships.access import request_access
from partnerships.capabilities import Capability
from partnerships.views import insider_view, staff_crumbs

# Internal ---------------------------------------------------------------------


def _manage(
    request: HttpRequest,
    *,
    import_form: ImportForm | None = None,
    problems: list[exchange.Problem] | None = None,
    status: int = 200,
) -> HttpResponse:
    access = request_access(request)
    partnership = access.partnership
    sharing = services.sharing_of(partnership)
    years = services.publishable_years(partnership)
    return render(
        request,
        "national/manage/index.html",
        {
            "sharing": sharing,
            "sharing_form": SharingForm(initial={"opted_in": "1" if sharing.opted_in else "0"}),
            "publish_form": PublishForm(years=years, initial={"year": years[1:2] or years}),
            "import_form": import_form or ImportForm(),
            "problems": problems or [],
            "published": list(
                Snapshot.objects.filter(partnership=partnership)
                .select_related("created_by")
                .defer("data")
            ),
            "imported": list(
                Snapshot.objects.filter(imported_for=partnership)
                .select_related("created_by")
                .defer("data")
            ),
            "breadcrumbs": staff_crumbs(request, (_("National comparison"), None)),
        },
        status=status,
    )


def _secretariat(request: HttpRequest) -> Any:
    access = request_access(request)
    access.require(Capability.MANAGE_STATISTICS)
    return access


@insider_view
def manage(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    _secretariat(request)
    return _manage(request)


@insider_view
@require_POST
def sharing(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    access = _secretariat(request)
    form = SharingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether the partnership takes part."))
        return redirect("national:manage", access.partnership.slug)
    opted_in = form.cleaned_data["opted_in"]
    withdrawn = services.set_sharing(access.partnership, opted_in, by=person(request))
    if opted_in:
        messages.success(
            request,
            _("The partnership takes part in the national comparison. Publish a year below."),
        )
    else:
        messages.success(
            request,
            ngettext(
                "The partnership no longer takes part; %(count)d published year was withdrawn.",
                "The partnership no longer takes part; %(count)d published years were withdrawn.",
                withdrawn,
            )
            % {"count": withdrawn},
        )
    return redirect("national:manage", access.partnership.slug)


@insider_view
@require_POST
def publish(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    access = _secretariat(request)
    form = PublishForm(request.POST, years=services.publishable_years(access.partnership))
    if not form.is_valid():
        messages.error(request, _("Choose a year to publish."))
        return redirect("national:manage", access.partnership.slug)
    try:
        snapshot = services.publish(
            access.partnership, form.cleaned_data["year"], by=person(request)
        )
    except services.Refused as refusal:
        messages.error(request, str(refusal))
        return redirect("national:manage", access.partnership.slug)
    messages.success(
        request,
        _("The figures for %(year)d are published for the national comparison.")
        % {"year": snapshot.year},
    )
    return redirect("national:manage", access.partnership.slug)


@insider_view
def import_file(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    access = _secretariat(request)
    data = posted(request)
    if data is None:
        return redirect("national:manage", access.partnership.slug)
    form = ImportForm(data, request.FILES)
    if not form.is_valid():
        return _manage(request, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        outcome = services.import_file(
            access.partnership,
            file_name=upload.name,
            data=upload.read(),
            by=person(request),
            replace=form.cleaned_data["replace"],
        )
    except services.Refused as refusal:
        return _manage(
            request, import_form=form, problems=[exchange.Problem("/", str(refusal))], status=409
        )
    if outcome.snapshot is None:
        return _manage(request, import_form=form, problems=outcome.problems, status=400)
    snapshot = outcome.snapshot
    if outcome.already:
        message = _("This file was imported already; nothing changed.")
    elif outcome.replaced:
        message = _("The figures of %(name)s for %(year)d were replaced.")
    else:
        message = _("The figures of %(name)s for %(year)d were imported.")
    messages.success(request, message % {"name": snapshot.name, "year": snapshot.year})
    return redirect("national:manage", access.partnership.slug)


@insider_view
@require_POST
def withdraw(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = _secretariat(request)
    partnership = access.partnership
    snapshot = get_object_or_404(
        Snapshot, Q(partnership=partnership) | Q(imported_for=partnership), pk=pk
    )
    services.withdraw(snapshot)
    messages.success(
        request,
        _("The figures of %(name)s for %(year)d were withdrawn.")
        % {"name": snapshot.name, "year": snapshot.year},
    )
    return redirect("national:manage", partnership.slug)


# Public -------------------------------------------------------------------------


def _public_crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    crumbs = [("Samspill", reverse("portal:index")), *extra]
    crumbs[-1] = (crumbs[-1][0], None)
    return crumbs


def public_index(request: HttpRequest) -> HttpResponse:
    years = services.public_years()
    if years:
        return public_year(request, years[0], years=years)
    return render(
        request,
        "national/public/year.html",
        {
            "comparison": None,
            "years": [],
            "breadcrumbs": _public_crumbs((_("National comparison"), None)),
        },
    )


def public_year(request: HttpRequest, year: int, years: list[int] | None = None) -> HttpResponse:
    years = years if years is not None else services.public_years()
    if year not in years:
        raise Http404
    comparison = services.comparison(year)
    return render(
        request,
        "national/public/year.html",
        {
            "comparison": comparison,
            "years": years,
            "breadcrumbs": _public_crumbs(
                (_("National comparison"), reverse("national_public:index")), (str(year), None)
            ),
        },
    )


CHART_WIDTH, LABEL_WIDTH, ROW_HEIGHT = 640, 260, 28
BAR_SPACE = CHART_WIDTH - LABEL_WIDTH - 80


def _chart(comparison: services.Comparison, line: services.Line) -> dict[str, Any]:
    """Bars scaled to the largest figure; a suppressed or missing figure
    has no bar, and says so in words (no queries)."""
    entries: list[tuple[str, services.Cell, str]] = [
        (s.name, cell, s.data["partnership"].get("language", "nb"))
        for s, cell in zip(comparison.snapshots, line.cells, strict=True)
    ]
    if line.country is not None:
        entries.append((_("The whole country"), line.country, ""))
    top = max((float(c.value) for _n, c, _l in entries if c.shown and c.value), default=1.0)
    bars = []
    for i, (name, cell, language) in enumerate(entries):
        width = round(BAR_SPACE * float(cell.value or 0) / top) if cell.shown else 0
        bars.append(
            {
                "label": name if len(name) <= 34 else name[:33] + "…",
                "full_label": name,
                "language": language,
                "shown": shown(cell),
                "width": width,
                "y": i * ROW_HEIGHT,
                "text_y": i * ROW_HEIGHT + 16,
                "value_x": LABEL_WIDTH + width + 6,
            }
        )
    return {
        "id": f"chart-{line.key}",
        "bars": bars,
        "height": max(len(bars), 1) * ROW_HEIGHT,
        "width": CHART_WIDTH,
        "label_width": LABEL_WIDTH,
        "bar_height": ROW_HEIGHT - 8,
    }


def public_figure(request: HttpRequest, year: int, kind: str, key: str) -> HttpResponse:
    if kind not in ("aktivitet", "indikator"):
        raise Http404
    if year not in services.public_years():
        raise Http404
    comparison = services.comparison(year)
    line = comparison.line(kind, key)
    if line is None:
        raise Http404
    return render(
        request,
        "national/public/figure.html",
        {
            "comparison": comparison,
            "line": line,
            "chart": _chart(comparison, line),
            "breadcrumbs": _public_crumbs(
                (_("National comparison"), reverse("national_public:index")),
                (str(year), reverse("national_public:year", args=[year])),
                (line.label, None),
            ),
        },
    )


def public_file(request: HttpRequest, year: int, identifier: str) -> HttpResponse:
    snapshot = services.public_snapshots().filter(year=year, identifier=identifier).first()
    if snapshot is None:
        raise Http404
    response = HttpResponse(exchange.dumps(snapshot.data), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{identifier}-{year}.json"'
    return response


def public_csv(request: HttpRequest, year: int) -> HttpResponse:
    """The year's comparison as CSV; the texts from other installations'
    files made safe against formula injection."""
    if year not in services.public_years():
        raise Http404
    comparison = services.comparison(year)
    rows: list[list[Any]] = [
        ["partnership_id", "partnership", "kind", "code", "name", "unit", "value", "status"]
    ]
    for kind, lines in (("activity", comparison.activity), ("indicator", comparison.indicators)):
        for line in lines:
            for snapshot, cell in zip(comparison.snapshots, line.cells, strict=True):
                value = "" if cell.value is None else str(cell.value).replace(".", ",")
                rows.append(
                    [
                        safe_cell(snapshot.identifier),
                        safe_cell(snapshot.name),
                        kind,
                        safe_cell(line.key),
                        safe_cell(line.label),
                        safe_cell(line.unit),
                        value,
                        safe_cell(cell.status),
                    ]
                )
    response = HttpResponse("".join(csv_lines(rows)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="nasjonal-sammenligning-{year}.csv"'
    return response
