"""The secretariat's crisis settings: indicators, report forms, their lines
and cross-field rules, as data. A new crisis indicator needs no code change:
it is made here, added to a form, and the parties' report pages, the API and
the validation take it from there.

Only people with ``MANAGE_CRISIS`` (secretariat, administrators) come here:
outsiders get 404, other insiders 403. Every change is saved through
``save()``/``delete()`` so the audit log records who did it.

- An indicator a report holds values of keeps its code and value type, and
  keeps the breakdown items that hold values. One in use (values, a form, or
  another indicator's share) cannot be deleted, only taken out of use.
- A threshold change makes a new version of the level rule at once
  (:func:`crisis.services.current_rule`); new submissions are computed with
  it, reports already submitted keep theirs.
- A form a crisis uses keeps its code and period type and cannot be
  deleted. Removing a line leaves the reports' stored values alone.
- Adding twice (a double submit) adds once: a new row identical to one that
  exists is the same row. An edit carries a fingerprint of the values it was
  loaded with and is refused (409) if someone else changed them since.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, Model, OuterRef, ProtectedError, Q
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.own import Own
from crisis import services
from crisis.catalogue import ensure_covid_form
from crisis.models import (
    Crisis,
    CrossRule,
    FormIndicator,
    Indicator,
    LevelRule,
    ReportForm,
    Value,
)
from crisis.settings_forms import (
    LINE_FIELDS,
    CrossRuleForm,
    IndicatorForm,
    LineForm,
    MoveForm,
    NewLineForm,
    ReportFormForm,
    number_text,
    order_fingerprint,
    same_values,
)
from partnerships.access import PartnershipAccess, request_access
from partnerships.capabilities import Capability
from partnerships.models import Partnership
from partnerships.views import Crumb, insider_view, staff_crumbs

RULE_FIELDS = ["left", "operator", "right", "severity", "message"]


# --- The rules ----------------------------------------------------------------------------


def latest_rule(partnership: Partnership) -> LevelRule | None:
    """The partnership's newest level rule version (one query)."""
    return (
        LevelRule.objects.filter(partnership=partnership)
        .select_related("created_by")
        .order_by("-version")
        .first()
    )


def _add_once(
    form: ModelForm,  # type: ignore[type-arg]
    lookup: dict[str, Any],
    tracked: Sequence[str],
    taken: str,
) -> tuple[Model, bool]:
    """Save the form's new row; returns it and whether it is new. A row
    ``lookup`` finds that already holds the same values is the second click
    of a double submit: returned, not added again. Another one raises
    ``ValidationError(taken)``. Call inside a transaction."""
    instance = form.instance
    model = type(instance)
    existing = model._default_manager.filter(**lookup).first()
    if existing is None:
        try:
            with transaction.atomic():
                form.save()
        except IntegrityError:  # the same row, saved by a request running alongside
            existing = model._default_manager.get(**lookup)
        else:
            return instance, True
    if same_values(existing, instance, tracked):
        return existing, False
    raise ValidationError(taken)


def add_indicator(form: IndicatorForm, by: Any) -> tuple[Indicator, bool]:
    """Add the valid form's indicator (once, see :func:`_add_once`) and
    make the level rule version its thresholds call for."""
    indicator = form.instance
    with transaction.atomic():
        saved, created = _add_once(
            form,
            {"partnership": indicator.partnership, "code": indicator.code},
            IndicatorForm.tracked,
            _("Another indicator has this code."),
        )
    services.current_rule(indicator.partnership, by=by)
    return saved, created  # type: ignore[return-value]


def delete_blockers(
    indicator: Indicator,
    *,
    has_values: bool | None = None,
    shares: list[str] | None = None,
) -> list[str]:
    """Why an indicator cannot be deleted; empty when it can. ``has_values``
    and ``shares`` (the indicators that are a share of it) when known."""
    reasons = []
    if has_values is None:
        has_values = Value.objects.filter(indicator=indicator).exists()
    if has_values:
        reasons.append(_("Reports hold values of it."))
    forms = sorted(
        FormIndicator.objects.filter(indicator=indicator).values_list("form__name", flat=True)
    )
    if forms:
        reasons.append(_("It is on the report forms %(forms)s.") % {"forms": ", ".join(forms)})
    if shares is None:
        shares = list(
            Indicator.objects.filter(relative_to=indicator)
            .exclude(pk=indicator.pk)
            .values_list("name", flat=True)
        )
    shares = sorted(shares)
    if shares:
        reasons.append(
            _("The thresholds of %(names)s are a share of it.") % {"names": ", ".join(shares)}
        )
    return reasons


def delete_indicator(indicator: Indicator, by: Any) -> None:
    """Delete an indicator nothing uses; ``ValidationError`` saying why not
    otherwise (it can then only be taken out of use)."""
    reasons = delete_blockers(indicator)
    if reasons:
        raise ValidationError([*reasons, _("Take it out of use instead.")])
    try:
        with transaction.atomic():
            indicator.delete()
    except ProtectedError as error:  # used by a report saved in between
        raise ValidationError(
            _("Reports hold values of it. Take it out of use instead.")
        ) from error
    services.current_rule(indicator.partnership, by=by)


def add_report_form(form: ReportFormForm) -> tuple[ReportForm, bool]:
    report_form = form.instance
    with transaction.atomic():
        saved, created = _add_once(
            form,
            {"partnership": report_form.partnership, "code": report_form.code},
            ReportFormForm.tracked,
            _("Another report form has this code."),
        )
    return saved, created  # type: ignore[return-value]


def delete_report_form(report_form: ReportForm) -> None:
    """Delete a form no crisis uses, with its lines and rules."""
    in_use = _("A crisis uses this form, so it cannot be deleted.")
    if Crisis.objects.filter(form=report_form).exists():
        raise ValidationError(in_use)
    try:
        with transaction.atomic():
            report_form.delete()
    except ProtectedError as error:
        raise ValidationError(in_use) from error


def _lock(report_form: ReportForm) -> ReportForm:
    """The form's row, locked: changes to its lines and rules go one at a time."""
    return ReportForm.objects.select_for_update().get(pk=report_form.pk)


def add_line(report_form: ReportForm, form: NewLineForm) -> tuple[FormIndicator, bool]:
    """Add an indicator at the end of the form (once)."""
    line = form.instance
    with transaction.atomic():
        _lock(report_form)
        highest = FormIndicator.objects.filter(form=report_form).aggregate(m=Max("position"))["m"]
        line.form = report_form
        line.position = 0 if highest is None else highest + 1
        saved, created = _add_once(
            form,
            {"form": report_form, "indicator": line.indicator},
            ["indicator", *LINE_FIELDS],
            _("This indicator is already on the form."),
        )
    return saved, created  # type: ignore[return-value]


def ordered_lines(report_form: ReportForm) -> list[FormIndicator]:
    """Every line of the form in order, out-of-use indicators too (one query)."""
    return list(
        FormIndicator.objects.filter(form=report_form)
        .select_related("indicator")
        .order_by("position", "pk")
    )


def move_line(report_form: ReportForm, line_pk: int, direction: str, order: int) -> bool:
    """Move a line one place up or down and number the lines 0, 1, 2 …;
    False (nothing moved) if the order is no longer the one the person saw,
    such as after a double click."""
    with transaction.atomic():
        _lock(report_form)
        lines = list(FormIndicator.objects.filter(form=report_form).order_by("position", "pk"))
        if order_fingerprint([line.pk for line in lines]) != order:
            return False
        index = next((i for i, line in enumerate(lines) if line.pk == line_pk), None)
        if index is None:
            return False
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(lines):
            return True
        lines[index], lines[other] = lines[other], lines[index]
        for position, line in enumerate(lines):
            if line.position != position:
                line.position = position
                line.save(update_fields=["position"])
    return True


def remove_line(line: FormIndicator) -> int:
    """Take an indicator off its form, with the form's rules that use it;
    returns how many rules went. Reports keep the values they hold."""
    with transaction.atomic():
        _lock(line.form)
        rules = list(
            CrossRule.objects.filter(
                Q(left_id=line.indicator_id) | Q(right_id=line.indicator_id),
                form_id=line.form_id,
            )
        )
        for rule in rules:
            rule.delete()
        line.delete()
    return len(rules)


def add_rule(report_form: ReportForm, form: CrossRuleForm) -> tuple[CrossRule, bool]:
    """Add a cross-field rule (once: the same rule twice is one)."""
    rule = form.instance
    rule.form = report_form
    with transaction.atomic():
        _lock(report_form)
        saved, created = _add_once(
            form,
            {"form": report_form, **{name: getattr(rule, name) for name in RULE_FIELDS}},
            RULE_FIELDS,
            _("This rule is already on the form."),
        )
    return saved, created  # type: ignore[return-value]


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
            "rule": latest_rule(partnership),
            "has_covid_form": any(f.code == "covid-19-ukerapport" for f in report_forms),
            "breadcrumbs": _crumbs(request),
        },
    )


@insider_view
@require_POST
def install_covid(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Install the ready Covid-19 weekly report (idempotent)."""
    access = _access(request)
    report_form = ensure_covid_form(access.partnership)
    services.current_rule(access.partnership, by=request.user)
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
        "rule": latest_rule(access.partnership),
        "breadcrumbs": _crumbs(
            request, (Own(indicator.name) if indicator else _("New indicator"), None)
        ),
    }
    if indicator is not None:
        stored = Indicator.objects.get(pk=indicator.pk) if status != 200 else indicator
        context["indicator"] = stored
        context["blockers"] = delete_blockers(
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
                indicator, created = add_indicator(form, request.user)
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
        if not form.save_safely():
            return _indicator_page(request, access, form, status=409)
        rule = services.current_rule(access.partnership, by=request.user)
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
        delete_indicator(indicator, request.user)
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
        lines = ordered_lines(report_form)
        indicators = [line.indicator for line in lines]
        context |= {
            "report_form": stored,
            "lines": lines,
            "order": order_fingerprint([line.pk for line in lines]),
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
                report_form, created = add_report_form(form)
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
        if not form.save_safely():
            return _form_page(request, access, form, status=409)
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
        delete_report_form(report_form)
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
            line, created = add_line(report_form, form)
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
        elif not form.save_safely():
            status = 409
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
    elif not move_line(
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
    rules = remove_line(line)
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
    indicators = [line.indicator for line in ordered_lines(report_form)]
    form = CrossRuleForm(
        request.POST,
        indicators=indicators,
        prefix="rule",
        instance=CrossRule(form=report_form),
    )
    if form.is_valid():
        rule, created = add_rule(report_form, form)
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
    rule = CrossRule.objects.filter(form=report_form, pk=rule_pk).first()
    if rule is not None:  # none: removed already (a double submit)
        rule.delete()
        flash.success(request, _("The rule “%(rule)s” was removed.") % {"rule": rule.message})
    return redirect("crisis:settings_form", partnership_slug, pk)
