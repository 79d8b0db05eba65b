"""The secretariat's crisis settings: indicators, report forms, their lines
and cross-field rules, as data. The rules and every write are in
:mod:`crisis.setup`; these views parse the request, call it, and render or
redirect.

Only people with ``MANAGE_CRISIS`` (secretariat, administrators) come here:
outsiders get 404, other insiders 403. A refused add or delete is shown as
the service words it; an edit refused because someone else changed the
record meanwhile answers 409 with their values listed (a record deleted
meanwhile, 404).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.own import Own
from crisis import setup
from crisis.models import (
    Crisis,
    CrossRule,
    FormIndicator,
    Indicator,
    ReportForm,
    Value,
)
from crisis.settings_forms import (
    CrossRuleForm,
    IndicatorForm,
    LineForm,
    MoveForm,
    NewLineForm,
    ReportFormForm,
    number_text,
)
from partnerships.access import PartnershipAccess, request_access
from partnerships.capabilities import Capability
from partnerships.views import Crumb, insider_view, staff_crumbs

# --- Views: helpers -----------------------------------------------------------------------


def _access(request: HttpRequest) -> PartnershipAccess:
    access = request_access(request)
    access.require(Capability.MANAGE_CRISIS)
    return access


def _crumbs(request: HttpRequest, *extra: Crumb) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    return staff_crumbs(
        request,
        (_("Crisis preparedness"), reverse("crisis:index", args=[slug])),
        (_("Indicators and report forms"), reverse("crisis:settings", args=[slug])),
        *extra,
    )


def _indicator(access: PartnershipAccess, pk: int) -> Indicator:
    indicator = Indicator.objects.filter(partnership=access.partnership, pk=pk).first()
    if indicator is None:
        raise Http404
    indicator.partnership = access.partnership  # known: the level rule needs no query for it
    return indicator


def _report_form(access: PartnershipAccess, pk: int) -> ReportForm:
    report_form = ReportForm.objects.filter(partnership=access.partnership, pk=pk).first()
    if report_form is None:
        raise Http404
    return report_form


def _range(low: Decimal | None, high: Decimal | None) -> str:
    if low is not None and high is not None:
        return f"{number_text(low)}–{number_text(high)}"
    if low is not None:
        return f"≥ {number_text(low)}"
    if high is not None:
        return f"≤ {number_text(high)}"
    return ""


def thresholds_text(indicator: Indicator) -> str:
    """The thresholds in short: “2: ≥ 85 · 3: ≥ 95”, “< 42” when lower is worse."""
    sign = "<" if indicator.lower_is_worse else "≥"
    parts = [
        f"{level}: {sign} {number_text(value)}"
        for level, value in (
            (2, indicator.level2_at),
            (3, indicator.level3_at),
            (4, indicator.level4_at),
        )
        if value is not None
    ]
    text = " · ".join(parts)
    if text and indicator.relative_to is not None:
        text += " " + _("(%% of %(name)s)") % {"name": indicator.relative_to.name}
    return text


@dataclass
class IndicatorRow:
    indicator: Indicator
    forms: list[str]
    limits: str
    soft_limits: str
    thresholds: str
    has_values: bool


# --- Views: the overview ------------------------------------------------------------------


@insider_view
@require_http_methods(["GET"])
def settings_page(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """The indicators and the report forms, and the level rule in force.

    Queries (beyond the access): the latest rule version, the indicators
    with whether reports hold values of them, the forms each is on, the
    report forms with their line and crisis counts — four, however many
    indicators, forms and lines.
    """
    access = _access(request)
    partnership = access.partnership
    indicators = (
        Indicator.objects.filter(partnership=partnership)
        .select_related("relative_to")
        .annotate(has_values=Exists(Value.objects.filter(indicator=OuterRef("pk"))))
        .order_by("name", "pk")
    )
    on_forms: dict[int, list[str]] = defaultdict(list)
    for indicator_id, form_name in (
        FormIndicator.objects.filter(form__partnership=partnership)
        .order_by("form__name")
        .values_list("indicator_id", "form__name")
    ):
        on_forms[indicator_id].append(form_name)
    rows = [
        IndicatorRow(
            indicator=indicator,
            forms=on_forms.get(indicator.pk, []),
            limits=_range(indicator.min_value, indicator.max_value),
            soft_limits=_range(indicator.soft_min, indicator.soft_max),
            thresholds=thresholds_text(indicator),
            has_values=indicator.has_values,  # type: ignore[attr-defined]
        )
        for indicator in indicators
    ]
    report_forms = list(
        ReportForm.objects.filter(partnership=partnership)
        .annotate(
            line_count=Count("lines", distinct=True), crisis_count=Count("crises", distinct=True)
        )
        .order_by("name", "pk")
    )
    return render(
        request,
        "crisis/settings.html",
        {
            "rows": rows,
            "report_forms": report_forms,
            "rule": setup.latest_rule(partnership),
            "has_covid_form": any(f.code == "covid-19-ukerapport" for f in report_forms),
            "breadcrumbs": _crumbs(request),
        },
    )


@insider_view
@require_POST
def install_covid(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Install the ready Covid-19 weekly report (idempotent)."""
    access = _access(request)
    report_form = setup.install_covid_form(access.partnership, by=request.user)
    flash.success(request, _("The form “%(name)s” is ready.") % {"name": report_form.name})
    return redirect("crisis:settings_form", partnership_slug, report_form.pk)


# --- Views: indicators --------------------------------------------------------------------


def _indicator_page(
    request: HttpRequest,
    access: PartnershipAccess,
    form: IndicatorForm,
    *,
    status: int = 200,
) -> HttpResponse:
    indicator = form.instance if form.instance.pk is not None else None
    context: dict[str, Any] = {
        "form": form,
        "indicator": indicator,
        "rule": setup.latest_rule(access.partnership),
        "breadcrumbs": _crumbs(
            request, (Own(indicator.name) if indicator else _("New indicator"), None)
        ),
    }
    if indicator is not None:
        stored = Indicator.objects.get(pk=indicator.pk) if status != 200 else indicator
        context["indicator"] = stored
        context["blockers"] = setup.delete_blockers(
            stored, has_values=form.used, shares=[d.name for d in form.dependents]
        )
        context["used_items"] = sorted(form.used_items - {""})
        context["single_value_used"] = "" in form.used_items
    return render(request, "crisis/settings_indicator.html", context, status=status)


@insider_view
@require_http_methods(["GET", "POST"])
def indicator_add(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    access = _access(request)
    form = IndicatorForm(
        request.POST if request.method == "POST" else None,
        instance=Indicator(partnership=access.partnership),
        partnership=access.partnership,
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                indicator, created = setup.add_indicator(form.instance, by=request.user)
            except ValidationError as error:
                form.add_error("code", error)
            else:
                if created:
                    flash.success(
                        request,
                        _(
                            "The indicator “%(name)s” was added. Add it to a report form for "
                            "the parties to report it."
                        )
                        % {"name": indicator.name},
                    )
                return redirect("crisis:settings", partnership_slug)
        return _indicator_page(request, access, form, status=400)
    return _indicator_page(request, access, form)


@insider_view
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """Change an indicator, or take it out of use. Queries: the indicator,
    the items reports hold values for, the indicators that are a share of
    it, the choices of “share of”, the forms it is on, the latest rule."""
    access = _access(request)
    indicator = _indicator(access, pk)
    form = IndicatorForm(
        request.POST if request.method == "POST" else None,
        instance=indicator,
        partnership=access.partnership,
    )
    if request.method == "POST":
        if not form.is_valid():
            return _indicator_page(request, access, form, status=400)
        try:
            rule = setup.save_indicator(indicator, form.cleaned_data["loaded"], by=request.user)
        except setup.Conflict as conflict:
            form.show_conflict(conflict)
            return _indicator_page(request, access, form, status=409)
        except Indicator.DoesNotExist as error:  # deleted meanwhile
            raise Http404 from error
        flash.success(
            request,
            _("“%(name)s” was saved. New submissions are computed with level rule version %(v)s.")
            % {"name": indicator.name, "v": rule.version},
        )
        return redirect("crisis:settings", partnership_slug)
    return _indicator_page(request, access, form)


@insider_view
@require_POST
def indicator_delete(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = _access(request)
    indicator = _indicator(access, pk)
    name = indicator.name
    try:
        setup.delete_indicator(indicator, by=request.user)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect("crisis:settings_indicator", partnership_slug, pk)
    flash.success(request, _("The indicator “%(name)s” was deleted.") % {"name": name})
    return redirect("crisis:settings", partnership_slug)


# --- Views: report forms ------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    access: PartnershipAccess,
    form: ReportFormForm,
    *,
    line_form: NewLineForm | None = None,
    rule_form: CrossRuleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """A report form with its lines and rules, or the page adding one.

    Queries (beyond the access): whether a crisis uses it, its lines with
    their indicators, its rules with theirs, the indicators the add-a-line
    list offers, the two lists of the add-a-rule form — constant in lines
    and rules."""
    report_form = form.instance if form.instance.pk is not None else None
    context: dict[str, Any] = {
        "form": form,
        "report_form": report_form,
        "breadcrumbs": _crumbs(
            request, (Own(report_form.name) if report_form else _("New report form"), None)
        ),
    }
    if report_form is not None:
        # After a refused save the instance holds what was typed; show the stored form.
        stored = ReportForm.objects.get(pk=report_form.pk) if status != 200 else report_form
        lines = setup.ordered_lines(report_form)
        indicators = [line.indicator for line in lines]
        context |= {
            "report_form": stored,
            "lines": lines,
            "order": setup.order_fingerprint([line.pk for line in lines]),
            "rules": list(
                CrossRule.objects.filter(form=report_form)
                .select_related("left", "right")
                .order_by("pk")
            ),
            "line_form": line_form or NewLineForm(form=report_form, prefix="line"),
            "rule_form": rule_form
            or CrossRuleForm(
                indicators=indicators,
                prefix="rule",
                instance=CrossRule(form=report_form),
            ),
        }
    return render(request, "crisis/settings_form.html", context, status=status)


@insider_view
@require_http_methods(["GET", "POST"])
def form_add(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    access = _access(request)
    form = ReportFormForm(
        request.POST if request.method == "POST" else None,
        instance=ReportForm(partnership=access.partnership),
        partnership=access.partnership,
        in_use=False,
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                report_form, created = setup.add_report_form(form.instance)
            except ValidationError as error:
                form.add_error("code", error)
            else:
                if created:
                    flash.success(
                        request,
                        _("The report form “%(name)s” was added. Now add its indicators.")
                        % {"name": report_form.name},
                    )
                return redirect("crisis:settings_form", partnership_slug, report_form.pk)
        return _form_page(request, access, form, status=400)
    return _form_page(request, access, form)


@insider_view
@require_http_methods(["GET", "POST"])
def form_edit(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """A report form's settings, lines and rules; POST saves the settings."""
    access = _access(request)
    report_form = _report_form(access, pk)
    in_use = Crisis.objects.filter(form=report_form).exists()
    form = ReportFormForm(
        request.POST if request.method == "POST" else None,
        instance=report_form,
        partnership=access.partnership,
        in_use=in_use,
    )
    if request.method == "POST":
        if not form.is_valid():
            return _form_page(request, access, form, status=400)
        try:
            setup.save_report_form(report_form, form.cleaned_data["loaded"])
        except setup.Conflict as conflict:
            form.show_conflict(conflict)
            return _form_page(request, access, form, status=409)
        except ReportForm.DoesNotExist as error:  # deleted meanwhile
            raise Http404 from error
        flash.success(request, _("“%(name)s” was saved.") % {"name": report_form.name})
        return redirect("crisis:settings_form", partnership_slug, pk)
    return _form_page(request, access, form)


@insider_view
@require_POST
def form_delete(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = _access(request)
    report_form = _report_form(access, pk)
    name = report_form.name
    try:
        setup.delete_report_form(report_form)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect("crisis:settings_form", partnership_slug, pk)
    flash.success(request, _("The report form “%(name)s” was deleted.") % {"name": name})
    return redirect("crisis:settings", partnership_slug)


def _settings_form(access: PartnershipAccess, report_form: ReportForm) -> ReportFormForm:
    return ReportFormForm(
        instance=report_form,
        partnership=access.partnership,
        in_use=Crisis.objects.filter(form=report_form).exists(),
    )


# --- Views: lines -------------------------------------------------------------------------


@insider_view
@require_POST
def line_add(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = _access(request)
    report_form = _report_form(access, pk)
    form = NewLineForm(
        request.POST, form=report_form, prefix="line", instance=FormIndicator(form=report_form)
    )
    if form.is_valid():
        try:
            line, created = setup.add_line(report_form, form.instance)
        except ValidationError as error:
            form.add_error("indicator", error)
        else:
            if created:
                flash.success(
                    request,
                    _("“%(name)s” was added to the form.") % {"name": line.indicator.name},
                )
            return redirect("crisis:settings_form", partnership_slug, pk)
    return _form_page(
        request, access, _settings_form(access, report_form), line_form=form, status=400
    )


def _line(report_form: ReportForm, line_pk: int) -> FormIndicator | None:
    return (
        FormIndicator.objects.filter(form=report_form, pk=line_pk)
        .select_related("indicator", "form")
        .first()
    )


@insider_view
@require_http_methods(["GET", "POST"])
def line_edit(request: HttpRequest, partnership_slug: str, pk: int, line_pk: int) -> HttpResponse:
    access = _access(request)
    report_form = _report_form(access, pk)
    line = _line(report_form, line_pk)
    if line is None:
        raise Http404
    form = LineForm(request.POST if request.method == "POST" else None, instance=line)
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            try:
                setup.save_line(line, form.cleaned_data["loaded"])
            except setup.Conflict as conflict:
                form.show_conflict(conflict)
                status = 409
            except FormIndicator.DoesNotExist as error:  # removed meanwhile
                raise Http404 from error
            else:
                flash.success(request, _("“%(name)s” was saved.") % {"name": line.indicator.name})
                return redirect("crisis:settings_form", partnership_slug, pk)
    return render(
        request,
        "crisis/settings_line.html",
        {
            "form": form,
            "line": line,
            "report_form": report_form,
            "breadcrumbs": _crumbs(
                request,
                (
                    Own(report_form.name),
                    reverse("crisis:settings_form", args=[partnership_slug, pk]),
                ),
                (Own(line.indicator.name), None),
            ),
        },
        status=status,
    )


@insider_view
@require_POST
def line_move(request: HttpRequest, partnership_slug: str, pk: int, line_pk: int) -> HttpResponse:
    access = _access(request)
    report_form = _report_form(access, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("Choose up or down."))
    elif not setup.move_line(
        report_form, line_pk, form.cleaned_data["direction"], form.cleaned_data["order"]
    ):
        flash.warning(
            request,
            _("The order had changed meanwhile, so nothing was moved. Check it and move again."),
        )
    return redirect(
        reverse("crisis:settings_form", args=[partnership_slug, pk]) + f"#line-{line_pk}"
    )


@insider_view
@require_POST
def line_remove(request: HttpRequest, partnership_slug: str, pk: int, line_pk: int) -> HttpResponse:
    access = _access(request)
    report_form = _report_form(access, pk)
    line = _line(report_form, line_pk)
    if line is None:  # removed already: the second click of a double submit
        return redirect("crisis:settings_form", partnership_slug, pk)
    name = line.indicator.name
    rules = setup.remove_line(line)
    message = _(
        "“%(name)s” was removed from the form. Reports already made keep their values of it."
    ) % {"name": name}
    if rules:
        message += " " + _("The form's rules that used it were removed too: %(n)s.") % {"n": rules}
    flash.success(request, message)
    return redirect("crisis:settings_form", partnership_slug, pk)


# --- Views: rules -------------------------------------------------------------------------


@insider_view
@require_POST
def rule_add(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = _access(request)
    report_form = _report_form(access, pk)
    indicators = [line.indicator for line in setup.ordered_lines(report_form)]
    form = CrossRuleForm(
        request.POST,
        indicators=indicators,
        prefix="rule",
        instance=CrossRule(form=report_form),
    )
    if form.is_valid():
        rule, created = setup.add_rule(report_form, form.instance)
        if created:
            flash.success(request, _("The rule “%(rule)s” was added.") % {"rule": rule.message})
        return redirect("crisis:settings_form", partnership_slug, pk)
    return _form_page(
        request, access, _settings_form(access, report_form), rule_form=form, status=400
    )


@insider_view
@require_POST
def rule_remove(request: HttpRequest, partnership_slug: str, pk: int, rule_pk: int) -> HttpResponse:
    access = _access(request)
    report_form = _report_form(access, pk)
    rule = setup.remove_rule(report_form, rule_pk)
    if rule is not None:  # none: removed already (a double submit)
        flash.success(request, _("The rule “%(rule)s” was removed.") % {"rule": rule.message})
    return redirect("crisis:settings_form", partnership_slug, pk)
