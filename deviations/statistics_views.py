"""Deviation statistics, exports, the quarterly report for ASU, and the
public statistics.

Internal pages show what the person may see (``visible_deviations``): the
whole partnership for the secretariat, the deviations of their own parties
for a coordinator or leader. Outsiders get 404, insiders who neither handle
nor manage deviations 403.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.forms import GuardedForm, invalid_filter_response
from councils.models import Council
from deviations import exports, quarterly, statistics
from deviations.access import handling_organisation_ids, visible_deviations
from deviations.forms import DeviationFilterForm
from deviations.loop_views import TrendCaseForm
from deviations.models import Deviation, DeviationConfig
from partnerships.access import PartnershipAccess, request_access
from partnerships.capabilities import Capability
from partnerships.models import Partnership
from partnerships.views import Crumb, insider_view, staff_crumbs

MAX_PERIODS = 240
CHART_WIDTH = 640
LABEL_WIDTH = 260
BAR_SPACE = 300
ROW_HEIGHT = 24


class StatisticsFilterForm(GuardedForm):
    period = forms.ChoiceField(
        label=gettext_lazy("Per"),
        choices=[
            (statistics.MONTH, gettext_lazy("month")),
            (statistics.QUARTER, gettext_lazy("quarter")),
            (statistics.YEAR, gettext_lazy("year")),
        ],
        required=False,
    )
    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        default_start, default_end = statistics.default_range()
        data["period"] = data.get("period") or statistics.MONTH
        data["start"] = data.get("start") or default_start
        data["end"] = data.get("end") or default_end
        if data["start"] > data["end"]:
            raise forms.ValidationError(_("The start date must be before the end date."))
        if len(statistics.periods_between(data["start"], data["end"], statistics.YEAR)) > 20:
            raise forms.ValidationError(_("Choose at most 20 years."))
        return data


def _crumbs(request: HttpRequest, *extra: Crumb) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    return staff_crumbs(request, (_("Deviations"), reverse("deviations:list", args=[slug])), *extra)


def _seen(access: PartnershipAccess) -> QuerySet[Deviation]:
    """The deviations this person may see; 403 for insiders who neither
    handle nor manage deviations (outsiders got 404 from ``insider_view``)."""
    own = handling_organisation_ids(access)
    if not own and not access.can(Capability.MANAGE_DEVIATIONS):
        raise PermissionDenied
    return visible_deviations(access, own, authored=False)


def _filter(request: HttpRequest) -> tuple[StatisticsFilterForm, dict[str, Any]]:
    form = StatisticsFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data
    start, end = statistics.default_range()
    return form, {"period": statistics.MONTH, "start": start, "end": end}


# Charts whose labels are the partnership's own words (marked with its
# language), except the row of reports that named none.
OWN_LABELS = frozenset({"category", "guideline", "clause", "routine"})


def chart(key: str, title: str, rows: list[statistics.Row]) -> dict[str, Any]:
    """What the SVG bar chart needs: a bar length per row, scaled to the
    largest count (no queries)."""
    top = max((r.count for r in rows), default=0) or 1
    bars = []
    for i, row in enumerate(rows):
        label = row.label if len(row.label) <= 38 else row.label[:37] + "…"
        bars.append(
            {
                "label": label,
                "full_label": row.label,
                "own": key in OWN_LABELS and (key == "category" or row.key != ""),
                "count": row.count,
                "width": round(BAR_SPACE * row.count / top),
                "y": i * ROW_HEIGHT,
                "text_y": i * ROW_HEIGHT + 16,
                "count_x": LABEL_WIDTH + round(BAR_SPACE * row.count / top) + 6,
            }
        )
    return {
        "id": f"chart-{key}",
        "title": title,
        "bars": bars,
        "height": max(len(rows), 1) * ROW_HEIGHT,
        "width": CHART_WIDTH,
        "label_width": LABEL_WIDTH,
        "bar_height": ROW_HEIGHT - 6,
    }


def breakdown_titles() -> dict[str, str]:
    return {
        "category": _("By category"),
        "direction": _("By direction"),
        "region": _("By region of the reporting party"),
        "reporting_party": _("By reporting party"),
        "receiving_party": _("By receiving party"),
        "guideline": _("By guideline"),
        "clause": _("By clause of the guideline"),
        "routine": _("By routine"),
        "section_point": _("By § 6-2 point"),
        "consequence": _("By consequence for the patient"),
    }


@insider_view
def statistics_page(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Counts per breakdown and period, time to answer and answers within
    the deadline (``statistics.compute``: one query reads the rows, a few
    more name what it counted, whatever the number of rows)."""
    access = request_access(request)
    seen = _seen(access)
    form, choice = _filter(request)
    figures = statistics.compute(
        seen, period=choice["period"], start=choice["start"], end=choice["end"]
    )
    period_names = dict(StatisticsFilterForm.base_fields["period"].choices)  # type: ignore[attr-defined]
    charts = [
        chart(
            "trend",
            _("Deviations per %(period)s") % {"period": period_names[choice["period"]]},
            figures.trend,
        )
    ]
    charts += [
        chart(name, title, figures.breakdowns[name]) for name, title in breakdown_titles().items()
    ]
    query = request.GET.urlencode()
    return render(
        request,
        "deviations/statistics.html",
        {
            "form": form,
            "figures": figures,
            "summary": figures.summary,
            "charts": charts,
            "can_manage": access.can(Capability.MANAGE_DEVIATIONS),
            "trend_form": TrendCaseForm(partnership=access.partnership)
            if access.can(Capability.MANAGE_DEVIATIONS)
            else None,
            "query": query,
            "breadcrumbs": _crumbs(request, (_("Statistics"), None)),
        },
    )


def _export_rows(request: HttpRequest) -> QuerySet[Deviation] | HttpResponse:
    """What the person may see, narrowed by the list's filter (the list's
    export links carry it; the statistics page's carry its dates). Without a
    status, every status. A filter that is not valid is a 400 saying why."""
    access = request_access(request)
    seen = _seen(access)
    form = DeviationFilterForm(request.GET, partnership=access.partnership)
    if not form.is_valid():
        return invalid_filter_response(form)
    return form.apply(
        seen, access=access, own=handling_organisation_ids(access), today=timezone.localdate()
    )


def _filename(partnership: Partnership, extension: str) -> str:
    return f"avvik-{partnership.slug}-{timezone.localdate().isoformat()}.{extension}"


@insider_view
def export_csv(request: HttpRequest, partnership_slug: str) -> HttpResponseBase:
    """The deviations the person may see as CSV, streamed (one query for the
    rows, one more for each of party and category when filtered by them)."""
    rows = _export_rows(request)
    if isinstance(rows, HttpResponse):
        return rows
    response = StreamingHttpResponse(
        exports.csv_chunks(rows), content_type="text/csv; charset=utf-8"
    )
    name = _filename(request_access(request).partnership, "csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@insider_view
def export_xlsx(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """The same rows as an Excel workbook."""
    rows = _export_rows(request)
    if isinstance(rows, HttpResponse):
        return rows
    response = HttpResponse(
        exports.xlsx_bytes(rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = _filename(request_access(request).partnership, "xlsx")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class QuarterlyReportForm(GuardedForm):
    quarter = forms.ChoiceField(label=gettext_lazy("Quarter"))
    council = forms.ModelChoiceField(label=gettext_lazy("Council"), queryset=Council.objects.none())

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        quarters = quarterly.recent_quarters(timezone.localdate())
        self.fields["quarter"].choices = [  # type: ignore[attr-defined]
            (f"{year}-{q}", f"{year} Q{q}") for year, q in quarters
        ]
        # The quarter just ended is the one usually reported on.
        year, q = quarters[1]
        self.fields["quarter"].initial = f"{year}-{q}"
        councils = Council.objects.filter(partnership=partnership)
        self.fields["council"].queryset = councils  # type: ignore[attr-defined]
        asu = quarterly.default_council(partnership)
        if asu is not None:
            self.fields["council"].initial = asu.pk

    def quarter_value(self) -> tuple[int, int]:
        year, q = self.cleaned_data["quarter"].split("-")
        return int(year), int(q)


@insider_view
@require_http_methods(["GET", "POST"])
def quarterly_report(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """The secretariat chooses a quarter and a council and gets a draft case
    with the quarter's report; asking again returns the same case."""
    access = request_access(request)
    access.require(Capability.MANAGE_DEVIATIONS)
    partnership = access.partnership
    form = QuarterlyReportForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        year, q = form.quarter_value()
        case, _created = quarterly.create_report_case(
            partnership, form.cleaned_data["council"], year, q, by=request.user
        )
        return redirect("councils:case", partnership.slug, case.pk)
    return render(
        request,
        "deviations/quarterly.html",
        {
            "form": form,
            "breadcrumbs": _crumbs(request, (_("Quarterly report"), None)),
        },
    )


# --- Public --------------------------------------------------------------------------

PUBLIC_QUARTERS = 8
PUBLIC_BREAKDOWNS = ("category", "direction", "region")


def public_statistics(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Counts only, by quarter, category, direction and region, for the last
    eight quarters; 404 unless the partnership publishes them. Counts of 1–4
    show as "<5" and every other figure, totals included, is rounded to the
    nearest 5 (see ``statistics.public_figure``)."""
    partnership: Partnership = request.partnership  # type: ignore[attr-defined]
    if not DeviationConfig.objects.filter(partnership=partnership, public_statistics=True).exists():
        raise Http404
    today = timezone.localdate()
    first = quarterly.recent_quarters(today, PUBLIC_QUARTERS)[-1]
    start = quarterly.quarter_bounds(*first)[0]
    figures = statistics.compute(
        Deviation.objects.filter(partnership=partnership),
        period=statistics.QUARTER,
        start=start,
        end=today,
        breakdowns=PUBLIC_BREAKDOWNS,
        with_summary=False,
    )
    titles = breakdown_titles()
    tables = [(_("By quarter"), _("Quarter"), figures.trend)] + [
        (titles[name], "", figures.breakdowns[name]) for name in PUBLIC_BREAKDOWNS
    ]
    total = sum(r.count for r in figures.trend)
    return render(
        request,
        "deviations/public_statistics.html",
        {
            "tables": [
                {
                    "title": title,
                    "heading": heading,
                    "rows": [(r.label, statistics.public_figure(r.count)) for r in rows],
                }
                for title, heading, rows in tables
            ],
            "total": statistics.public_figure(total),
            "start": start,
            "end": today,
            "breadcrumbs": [
                (partnership.name, reverse("portal:home", args=[partnership.slug])),
                (_("Health partnership"), reverse("portal:about", args=[partnership.slug])),
                (_("Deviation statistics"), None),
            ],
        },
    )
