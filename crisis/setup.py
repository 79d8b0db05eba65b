"""Setting up crisis reporting: the secretariat's indicators, report forms,
their lines and cross-field rules, as data. A new crisis indicator needs no
code change: it is made here, added to a form, and the parties' report pages,
the API and the validation take it from there.

Every change is saved through ``save()``/``delete()`` so the audit log
records who did it (the request's person, set by the audit middleware).

- An indicator a report holds values of keeps its code and value type, and
  keeps the breakdown items that hold values (the form checks both). One in
  use (values, a form, or another indicator's share) cannot be deleted
  (:func:`delete_blockers`), only taken out of use.
- A threshold change makes a new version of the level rule at once
  (:func:`crisis.services.current_rule`); new submissions are computed with
  it, reports already submitted keep theirs.
- A form a crisis uses keeps its code and period type and cannot be
  deleted. Removing a line leaves the reports' stored values alone; the
  form's rules that used it go with it.
- Adding, moving and removing a form's lines and adding its rules go one
  at a time: each locks the form's row first. A move numbers the lines 0,
  1, 2 … again (a removal may leave a gap; only the order counts).
- Adding twice (a double submit) adds once: a new row identical to one that
  exists under the same natural key (the code, the indicator on a form, the
  rule) is the same row; one that differs is refused. Removing twice
  removes once.
- An edit carries a fingerprint of the values it was loaded with and is
  refused with :class:`Conflict` if someone else changed them since, unless
  the row already holds exactly what was submitted (the second click of a
  double submit), which counts as a success.
"""

from __future__ import annotations

import enum
import json
import zlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Model, ProtectedError, Q
from django.utils.translation import gettext as _

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
from partnerships.models import Partnership

# The fields the secretariat sets, compared for conflicts and double submits.
INDICATOR_FIELDS = [
    "code",
    "name",
    "unit",
    "help_text",
    "value_type",
    "items",
    "min_value",
    "soft_min",
    "soft_max",
    "max_value",
    "level2_at",
    "level3_at",
    "level4_at",
    "lower_is_worse",
    "relative_to",
    "active",
]
REPORT_FORM_FIELDS = [
    "code",
    "name",
    "period_type",
    "deadline_hours_kommune",
    "deadline_hours_hospital",
    "reminder_hours_before",
    "lock_after_days",
]
LINE_FIELDS = ["section", "required", "key", "applies_to"]
RULE_FIELDS = ["left", "operator", "right", "severity", "message"]


# --- Fingerprints ----------------------------------------------------------------------


def _canonical(value: Any) -> Any:
    if isinstance(value, enum.Enum):  # a choice set in code, as the database returns it
        return value.value
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True)
    return value


def fingerprint(instance: Model, fields: Iterable[str]) -> int:
    """A number that changes when any of ``fields`` changes (1.0 and 1.000
    count as the same number)."""
    meta = instance._meta
    values = [
        _canonical(getattr(instance, meta.get_field(name).attname))  # type: ignore[union-attr]
        for name in fields
    ]
    return zlib.crc32(repr(values).encode())


def order_fingerprint(pks: Sequence[int]) -> int:
    """A number that changes when the order of a form's lines changes."""
    return zlib.crc32(repr(list(pks)).encode())


def same_values(a: Model, b: Model, fields: Iterable[str]) -> bool:
    names = list(fields)
    return fingerprint(a, names) == fingerprint(b, names)


# --- Edits and double submits ----------------------------------------------------------------


class Conflict(Exception):
    """Someone else changed the row since the person loaded it; nothing was
    saved. ``stored`` is the row as it is now, ``loaded`` its fingerprint: an
    edit carrying it replaces the other person's values, a choice made after
    seeing them."""

    def __init__(self, stored: Model, loaded: int) -> None:
        super().__init__(stored, loaded)
        self.stored = stored
        self.loaded = loaded


def _save_changes(instance: Model, fields: Sequence[str], loaded: int | None) -> None:
    """Save the ``fields`` of ``instance`` that differ from its row, unless
    the row changed since the edit was loaded with the fingerprint
    ``loaded`` (:class:`Conflict`). A row that already holds the submitted
    values is a success. A row deleted meanwhile raises the model's
    ``DoesNotExist``."""
    conflict = None
    with transaction.atomic():
        stored = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
        now = fingerprint(stored, fields)
        if loaded != now and fingerprint(instance, fields) != now:
            conflict = Conflict(stored, now)
        else:
            changed = [name for name in fields if not same_values(stored, instance, [name])]
            if changed:
                instance.save(update_fields=changed)
    # Raised after the block, which ends as after any read (committed, not
    # rolled back): the same queries as a save that finds nothing changed.
    if conflict is not None:
        raise conflict


def _add_once[M: Model](
    instance: M, lookup: dict[str, Any], fields: Sequence[str], taken: str
) -> tuple[M, bool]:
    """Save the new row ``instance``; returns it and whether it is new. A row
    ``lookup`` finds that already holds the same ``fields`` is the second
    click of a double submit: returned, not added again. Another one raises
    ``ValidationError(taken)``. Call inside a transaction."""
    model = type(instance)
    existing = model._default_manager.filter(**lookup).first()
    if existing is None:
        try:
            with transaction.atomic():
                instance.save()
        except IntegrityError:  # the same row, saved by a request running alongside
            existing = model._default_manager.get(**lookup)
        else:
            return instance, True
    if same_values(existing, instance, fields):
        return existing, False
    raise ValidationError(taken)


# --- The level rule ---------------------------------------------------------------------------


def latest_rule(partnership: Partnership) -> LevelRule | None:
    """The partnership's newest level rule version (one query)."""
    return (
        LevelRule.objects.filter(partnership=partnership)
        .select_related("created_by")
        .order_by("-version")
        .first()
    )


def install_covid_form(partnership: Partnership, by: Any) -> ReportForm:
    """The ready Covid-19 weekly report (installed once), and the level rule
    version its indicators' thresholds call for."""
    report_form = ensure_covid_form(partnership)
    services.current_rule(partnership, by=by)
    return report_form


# --- Indicators -------------------------------------------------------------------------------


def add_indicator(indicator: Indicator, by: Any) -> tuple[Indicator, bool]:
    """Add the new ``indicator`` (once, see :func:`_add_once`; its code is
    the key) and make the level rule version its thresholds call for."""
    with transaction.atomic():
        saved, created = _add_once(
            indicator,
            {"partnership": indicator.partnership, "code": indicator.code},
            INDICATOR_FIELDS,
            _("Another indicator has this code."),
        )
    services.current_rule(indicator.partnership, by=by)
    return saved, created


def save_indicator(indicator: Indicator, loaded: int | None, by: Any) -> LevelRule:
    """Save the changed ``indicator`` (refused with :class:`Conflict` if
    its row changed since the fingerprint ``loaded``); returns the level rule
    version new submissions are computed with."""
    _save_changes(indicator, INDICATOR_FIELDS, loaded)
    return services.current_rule(indicator.partnership, by=by)


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


# --- Report forms -----------------------------------------------------------------------------


def add_report_form(report_form: ReportForm) -> tuple[ReportForm, bool]:
    """Add the new ``report_form`` (once; its code is the key)."""
    with transaction.atomic():
        return _add_once(
            report_form,
            {"partnership": report_form.partnership, "code": report_form.code},
            REPORT_FORM_FIELDS,
            _("Another report form has this code."),
        )


def save_report_form(report_form: ReportForm, loaded: int | None) -> None:
    """Save the changed form's settings (refused with :class:`Conflict` if
    its row changed since the fingerprint ``loaded``)."""
    _save_changes(report_form, REPORT_FORM_FIELDS, loaded)


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


# --- Lines ------------------------------------------------------------------------------------


def ordered_lines(report_form: ReportForm) -> list[FormIndicator]:
    """Every line of the form in order, out-of-use indicators too (one query)."""
    return list(
        FormIndicator.objects.filter(form=report_form)
        .select_related("indicator")
        .order_by("position", "pk")
    )


def add_line(report_form: ReportForm, line: FormIndicator) -> tuple[FormIndicator, bool]:
    """Add the new ``line`` (an indicator, with how the form asks for it) at
    the end of the form (once: the indicator is the key)."""
    with transaction.atomic():
        _lock(report_form)
        highest = FormIndicator.objects.filter(form=report_form).aggregate(m=Max("position"))["m"]
        line.form = report_form
        line.position = 0 if highest is None else highest + 1
        return _add_once(
            line,
            {"form": report_form, "indicator": line.indicator},
            ["indicator", *LINE_FIELDS],
            _("This indicator is already on the form."),
        )


def save_line(line: FormIndicator, loaded: int | None) -> None:
    """Save how the form asks for the line's indicator (refused with
    :class:`Conflict` if the line changed since the fingerprint ``loaded``)."""
    _save_changes(line, LINE_FIELDS, loaded)


def move_line(report_form: ReportForm, line_pk: int, direction: str, order: int) -> bool:
    """Move a line one place ``"up"`` or ``"down"`` and number the lines 0,
    1, 2 …; False (nothing moved) if the order is no longer the one the
    person saw (its :func:`order_fingerprint` ``order``), such as after a
    double click, or the line is gone. Moving the first line up or the last
    down changes nothing and is True."""
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


# --- Cross-field rules ------------------------------------------------------------------------


def add_rule(report_form: ReportForm, rule: CrossRule) -> tuple[CrossRule, bool]:
    """Add the new cross-field ``rule`` to the form (once: the same rule
    twice is one)."""
    rule.form = report_form
    with transaction.atomic():
        _lock(report_form)
        return _add_once(
            rule,
            {"form": report_form, **{name: getattr(rule, name) for name in RULE_FIELDS}},
            RULE_FIELDS,
            _("This rule is already on the form."),
        )


def remove_rule(report_form: ReportForm, rule_pk: int) -> CrossRule | None:
    """Remove the form's rule ``rule_pk``; returns it, or None if it is
    not there (removed already: the second click of a double submit)."""
    rule = CrossRule.objects.filter(form=report_form, pk=rule_pk).first()
    if rule is not None:
        rule.delete()
    return rule
