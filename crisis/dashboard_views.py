"""The shared situational picture of a crisis, the partnership level the
coordination group declares over the computed one, and the action cards.

Every crisis viewer (``VIEW_CRISIS``: coordinators, leaders, observers such as
Statsforvalteren, the secretariat) reads the picture and the action cards;
only the secretariat (``MANAGE_CRISIS``) declares the partnership level and
edits the cards. Observers see no forms. Outsiders get 404, insiders who may
not read crises 403, read-only viewers 403 on every POST.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import GuardedForm
from core.own import Own
from core.services import error_text
from councils.documents import render_pdf
from crisis import charts, dashboard, levels, periods, picture, services, trends
from crisis.access import get_crisis, reporting_organisation_ids
from crisis.levels import LEVELS
from crisis.models import ActionCard, Crisis
from partnerships.access import PartnershipAccess, request_access
from partnerships.capabilities import Capability
from partnerships.views import Crumb, insider_view, staff_crumbs

LEVEL_CHOICES = [(str(n), label) for n, label in LEVELS]


# --- Forms ----------------------------------------------------------------------------


class PictureFilterForm(GuardedForm):
    """The period, region and trend indicator of the picture (GET)."""

    period = forms.ChoiceField(label=gettext_lazy("Period"), required=False)
    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False)
    indicator = forms.ChoiceField(label=gettext_lazy("Trend per region for"), required=False)

    def __init__(
        self,
        *args: Any,
        period_choices: list[tuple[str, str]],
        region_choices: list[tuple[str, str]],
        indicator_choices: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices  # type: ignore[attr-defined]
        self.fields["region"].choices = [  # type: ignore[attr-defined]
            ("", _("All regions")),
            *region_choices,
        ]
        self.fields["indicator"].choices = indicator_choices  # type: ignore[attr-defined]


class PartnershipLevelForm(GuardedForm):
    """The coordination group's level for the whole partnership in a period;
    blank takes a declared level back."""

    period = forms.DateField(widget=forms.HiddenInput)
    level = forms.TypedChoiceField(
        label=gettext_lazy("Declared level"),
        choices=[("", gettext_lazy("None – the computed level counts")), *LEVEL_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("Why the partnership is at this level. Required with a level."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("level") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for the declared level."))
        return data


class ActionCardForm(GuardedForm):
    """What the parties do at one level."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    actions = forms.CharField(
        label=gettext_lazy("Actions"),
        help_text=gettext_lazy("What the parties and the coordination group do at this level."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )


# --- Helpers --------------------------------------------------------------------------


def _url_or_none(name: str, *args: Any) -> str | None:
    """A link to a page another part of the crisis module may not have yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _crumbs(request: HttpRequest, crisis: Crisis, *extra: Crumb) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    return staff_crumbs(
        request,
        (_("Crisis preparedness"), _url_or_none("crisis:index", slug)),
        (Own(crisis.name), _url_or_none("crisis:crisis", slug, crisis.pk)),
        *extra,
    )


def latest_period(crisis: Crisis) -> datetime.date:
    """The last period one may look at: the running one while the crisis is
    active, its last reporting period once stood down."""
    if crisis.status == Crisis.Status.ACTIVE:
        return periods.align(crisis.form, timezone.localdate())
    return periods.reporting_period(crisis)


def chosen_period(crisis: Crisis, raw: str | None) -> datetime.date:
    """The period asked for (any day in it), or the reporting period when the
    value is missing, not a date or outside the crisis."""
    default = periods.reporting_period(crisis)
    if not raw:
        return default
    try:
        day = periods.align(crisis.form, datetime.date.fromisoformat(raw))
    except ValueError:
        return default
    if day < periods.align(crisis.form, crisis.starts_on) or day > latest_period(crisis):
        return default
    return day


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def _dashboard_url(crisis: Crisis, period: datetime.date) -> str:
    url = reverse("crisis:dashboard", args=[crisis.partnership.slug, crisis.pk])
    return f"{url}?period={period.isoformat()}"


def _chart(trend: trends.Trend) -> Any:
    return charts.line_chart(
        trend.key,
        trend.title,
        trend.labels,
        [charts.Line(s.name, s.values) for s in trend.series],
        unit=trend.unit,
        periods=trend.periods,
        minimum_top=100 if trend.unit == "%" else 0,
        subject=trend.subject,
    )


def _charts(found: trends.Trends) -> dict[str, Any]:
    """The SVG charts (no queries): one per key indicator, one per region for
    the chosen indicator, the levels and the completeness per period."""
    points = found.levels
    labels = [p.label for p in points]
    days = [p.period_start for p in points]
    level_chart = charts.line_chart(
        "levels",
        _("Parties per level"),
        labels,
        [
            charts.Line(str(name), [p.counts[n] for p in points], levels.CHART_COLOURS[n])
            for n, name in levels.LEVELS
        ],
        periods=days,
    )
    completeness_chart = charts.line_chart(
        "completeness",
        _("Reports submitted of those expected"),
        labels,
        [charts.Line(_("Submitted, %"), [p.share for p in points])],
        unit="%",
        periods=days,
        minimum_top=100,
        extra=[
            charts.Line(_("Submitted"), [p.submitted for p in points]),
            charts.Line(_("Expected"), [p.expected for p in points]),
        ],
    )
    return {
        "trend_charts": [_chart(trend) for trend in found.indicators],
        "region_chart": _chart(found.regions) if found.regions else None,
        "level_chart": level_chart,
        "completeness_chart": completeness_chart,
    }


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _render_dashboard(
    request: HttpRequest,
    access: PartnershipAccess,
    crisis: Crisis,
    period: datetime.date,
    *,
    declare_form: PartnershipLevelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    region_id = _int(request.GET.get("region"))
    found = picture.build(
        crisis, period, region_id=region_id, viewer_own=reporting_organisation_ids(access)
    )
    # One line per region in a chart is readable for a handful of regions;
    # at national scale the same numbers are a table, loaded when asked for.
    shown_trends = trends.of(
        found,
        indicator=request.GET.get("indicator") or None,
        regions=len(found.groups) <= CHART_LINES,
    )
    # A stood-down crisis is history: nobody declares levels in it any more.
    can_manage = access.can(Capability.MANAGE_CRISIS) and crisis.status == Crisis.Status.ACTIVE
    if can_manage and declare_form is None:
        declared = found.declared
        declare_form = PartnershipLevelForm(
            auto_id="declare-%s",
            initial={
                "period": period,
                "level": str(declared.level) if declared else "",
                "reason": declared.reason if declared else "",
            },
        )
    period_choices = [
        (day.isoformat(), f"{picture.period_label(crisis, day)} ({day:%d.%m.%Y})")
        for day in reversed(periods.periods(crisis, until=latest_period(crisis)))
    ]
    chosen = shown_trends.chosen
    filter_form = PictureFilterForm(
        {
            "period": period.isoformat(),
            "region": str(found.region.key) if found.region else "",
            "indicator": chosen.indicator.code if chosen else "",
        },
        period_choices=period_choices,
        region_choices=[(str(g.key), g.name) for g in found.regions],
        indicator_choices=[
            (line.indicator.code, line.indicator.name) for line in trends.numeric_lines(found)
        ],
    )
    filter_form.is_valid()
    return render(
        request,
        "crisis/dashboard.html",
        {
            "crisis": crisis,
            "picture": found,
            "areas": _areas(found),
            "query": _query(period, found),
            "filter_form": filter_form,
            "declare_form": declare_form if can_manage else None,
            "can_manage": can_manage,
            "shown": SHOWN,
            "chosen": chosen,
            **_charts(shown_trends),
            "breadcrumbs": _crumbs(request, crisis, (_("Situational picture"), None)),
        },
        status=status,
    )


# The most regions drawn as lines of one chart.
CHART_LINES = 12

# How many parties a list on the page shows before it sends the reader to
# the regions (every party stays reachable there).
SHOWN = 25


def _areas(found: picture.Picture) -> list[tuple[str, list[picture.Group]]]:
    """The groups under their hospital areas, in order (the hospitals and
    the parties outside the regions last, under no area)."""
    areas: list[tuple[str, list[picture.Group]]] = []
    for group in found.groups:
        if areas and areas[-1][0] == group.area_name:
            areas[-1][1].append(group)
        else:
            areas.append((group.area_name, [group]))
    return areas


def _query(period: datetime.date, found: picture.Picture) -> str:
    query = f"period={period.isoformat()}"
    return f"{query}&region={found.region.key}" if found.region else query


# --- Views ----------------------------------------------------------------------------


@insider_view
@require_http_methods(["GET"])
def dashboard_page(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """The shared picture for a period (``?period=yyyy-mm-dd``, default the
    reporting period) and optionally one region (``?region=<id>``), live
    from the submitted reports."""
    access = request_access(request)
    crisis = get_crisis(access, pk)
    period = chosen_period(crisis, request.GET.get("period"))
    return _render_dashboard(request, access, crisis, period)


def _fragment(
    request: HttpRequest,
    crisis: Crisis,
    template: str,
    context: dict[str, Any],
    *,
    title: str,
    subject: str = "",
) -> HttpResponse:
    """A part of the picture: alone for htmx, which puts it into the page;
    as a page of its own for a browser without JavaScript. ``subject``: the
    partnership's own words the title starts with (marked with their
    language)."""
    if _is_htmx(request):
        response = render(request, template, {"crisis": crisis, **context})
    else:
        response = _part_page(request, crisis, template, context, title=title, subject=subject)
    # One address, two answers: a browser's cache must keep them apart (or
    # going back to the page would show the bare fragment).
    patch_vary_headers(response, ["HX-Request"])
    return response


def _part_page(
    request: HttpRequest,
    crisis: Crisis,
    template: str,
    context: dict[str, Any],
    *,
    title: str,
    subject: str,
) -> HttpResponse:
    back = _dashboard_url(crisis, context["picture"].start)
    return render(
        request,
        "crisis/dashboard_part.html",
        {
            "crisis": crisis,
            "part": template,
            "title": title,
            "subject": subject,
            "back": back,
            **context,
            "breadcrumbs": _crumbs(
                request, crisis, (_("Situational picture"), back), (Own(title), None)
            ),
        },
    )


@insider_view
@require_http_methods(["GET"])
def dashboard_group(request: HttpRequest, partnership_slug: str, pk: int, key: int) -> HttpResponse:
    """One region's (or the hospitals') parties with their key indicators:
    opened from its row in the picture."""
    access = request_access(request)
    crisis = get_crisis(access, pk)
    period = chosen_period(crisis, request.GET.get("period"))
    found = picture.build(
        crisis, period, group_key=key, values=True, viewer_own=reporting_organisation_ids(access)
    )
    if found.group is None:
        raise Http404
    columns = dashboard.columns(found)
    return _fragment(
        request,
        crisis,
        "crisis/dashboard_parties.html",
        {
            "picture": found,
            "columns": columns,
            "rows": [(party, dashboard.cells(party, columns)) for party in found.parties],
            "caption": f"{found.group.name}, {found.label}",
        },
        title=found.group.name,
    )


@insider_view
@require_http_methods(["GET"])
def dashboard_texts(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """What the parties wrote about the period's special challenges and needs."""
    access = request_access(request)
    crisis = get_crisis(access, pk)
    period = chosen_period(crisis, request.GET.get("period"))
    found = picture.build(crisis, period, region_id=_int(request.GET.get("region")), values=True)
    return _fragment(
        request,
        crisis,
        "crisis/dashboard_texts.html",
        {"picture": found, "texts": dashboard.texts(found)},
        title=_("Special challenges and needs"),
    )


@insider_view
@require_http_methods(["GET"])
def dashboard_table(request: HttpRequest, partnership_slug: str, pk: int, key: str) -> HttpResponse:
    """The numbers of one chart of the picture as a table."""
    access = request_access(request)
    crisis = get_crisis(access, pk)
    period = chosen_period(crisis, request.GET.get("period"))
    found = picture.build(crisis, period, region_id=_int(request.GET.get("region")))
    drawn = _charts(trends.of(found, indicator=request.GET.get("indicator") or None))
    every = [
        drawn["completeness_chart"],
        drawn["level_chart"],
        *([drawn["region_chart"]] if drawn["region_chart"] else []),
        *drawn["trend_charts"],
    ]
    chart = next((c for c in every if c["id"] == f"chart-{key}"), None)
    if chart is None:
        raise Http404
    return _fragment(
        request,
        crisis,
        "crisis/dashboard_chart_table.html",
        {"picture": found, "chart": chart, "own_items": chart in drawn["trend_charts"]},
        title=chart["title"],
        subject=chart["subject"],
    )


@insider_view
@require_http_methods(["GET"])
def dashboard_pdf(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """The picture of a period as a tagged PDF for the coordination group's
    papers: the same numbers, as tables."""
    access = request_access(request)
    crisis = get_crisis(access, pk)
    period = chosen_period(crisis, request.GET.get("period"))
    found = picture.build(crisis, period, values=True)
    columns = dashboard.columns(found)
    return render_pdf(
        request,
        "crisis/pdf/period.html",
        {
            "crisis": crisis,
            "picture": found,
            "areas": _areas(found),
            "columns": columns,
            "rows": [(party, dashboard.cells(party, columns)) for party in found.parties],
            "texts": dashboard.texts(found),
            "partnership": access.partnership,
            "generated": timezone.now(),
            **_charts(trends.of(found, regions=False)),
        },
        filename=f"situasjon-{crisis.pk}-{period.isoformat()}.pdf",
    )


@insider_view
@require_POST
def declare_partnership_level(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """The secretariat declares (or takes back) the partnership's level for a
    period; back to the picture of the same period."""
    access = request_access(request)
    crisis = get_crisis(access, pk)
    access.require(Capability.MANAGE_CRISIS)
    form = PartnershipLevelForm(request.POST, auto_id="declare-%s")
    period = chosen_period(crisis, request.POST.get("period"))
    if form.is_valid():
        period = chosen_period(crisis, form.cleaned_data["period"].isoformat())
        try:
            services.declare_partnership_level(
                crisis,
                period,
                level=form.cleaned_data["level"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            if crisis.status != Crisis.Status.ACTIVE:
                # The page has no form to show the error on any more.
                flash.error(request, error_text(error))
                return redirect(_dashboard_url(crisis, period))
            form.add_error(None, error_text(error))
        else:
            if form.cleaned_data["level"]:
                flash.success(request, _("The partnership level was declared."))
            else:
                flash.success(request, _("The declared level was taken back."))
            return redirect(_dashboard_url(crisis, period))
    return _render_dashboard(request, access, crisis, period, declare_form=form, status=400)


@insider_view
@require_http_methods(["GET", "POST"])
def action_cards(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """The action card of each level: read by every crisis viewer, changed
    by the secretariat (one level per POST, ``level`` says which)."""
    access = request_access(request)
    crisis = get_crisis(access, pk)
    can_manage = access.can(Capability.MANAGE_CRISIS)
    cards = {c.level: c for c in ActionCard.objects.filter(partnership=access.partnership)}
    bound: dict[int, ActionCardForm] = {}
    status = 200
    if request.method == "POST":
        access.require(Capability.MANAGE_CRISIS)
        level = _int(request.POST.get("level"))
        if level not in dict(LEVELS):
            return HttpResponseBadRequest()
        assert level is not None
        form = ActionCardForm(request.POST, prefix=f"level{level}")
        if form.is_valid():
            ActionCard.objects.update_or_create(
                partnership=access.partnership,
                level=level,
                defaults={
                    "title": form.cleaned_data["title"].strip(),
                    "actions": form.cleaned_data["actions"].strip(),
                },
            )
            flash.success(request, _("The action card was saved."))
            url = reverse("crisis:action_cards", args=[partnership_slug, crisis.pk])
            return redirect(f"{url}#level-{level}")
        bound[level] = form
        status = 400
    entries = []
    for level, name in LEVELS:
        card = cards.get(level)
        form_for_level = bound.get(level)
        if form_for_level is None and can_manage:
            form_for_level = ActionCardForm(
                prefix=f"level{level}",
                initial={"title": card.title, "actions": card.actions} if card else None,
            )
        entries.append({"level": level, "name": name, "card": card, "form": form_for_level})
    return render(
        request,
        "crisis/dashboard_action_cards.html",
        {
            "crisis": crisis,
            "entries": entries,
            "can_manage": can_manage,
            "breadcrumbs": _crumbs(
                request,
                crisis,
                (
                    _("Situational picture"),
                    _dashboard_url(crisis, periods.reporting_period(crisis)),
                ),
                (_("Action cards"), None),
            ),
        },
        status=status,
    )
