"""Forms of the secretariat's crisis settings: indicators, report forms,
their lines and their cross-field rules.

Every free-text field passes the identity-number guard (``GuardedModelForm``).
An edit form carries a fingerprint of the values it was loaded with
(``loaded``), which the services in :mod:`crisis.setup` check before they
save; a refused save is shown with :meth:`FingerprintedForm.show_conflict`.
The fields each form sets are the ones :mod:`crisis.setup` compares.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, validate_slug
from django.db.models import Model
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import GuardedModelForm
from crisis.models import CrossRule, FormIndicator, Indicator, ReportForm, Value
from crisis.setup import (
    INDICATOR_FIELDS,
    LINE_FIELDS,
    REPORT_FORM_FIELDS,
    RULE_FIELDS,
    Conflict,
    fingerprint,
    same_values,
)
from partnerships.models import Partnership

T = Indicator.ValueType
NUMERIC = (T.INTEGER, T.DECIMAL, T.PERCENT)
LIMITS = ("min_value", "soft_min", "soft_max", "max_value")
THRESHOLDS = ("level2_at", "level3_at", "level4_at")
MAX_HOURS = 720
MAX_LOCK_DAYS = 365

CONFLICT = gettext_lazy(
    "Someone else changed this while you were editing it. Nothing was saved. Your values "
    "are kept below and the current ones are listed; save again to replace them with yours."
)


# --- Numbers ---------------------------------------------------------------------------


def number_text(value: Decimal | None) -> str:
    return "" if value is None else number_format(value.normalize())


# --- Breakdown -------------------------------------------------------------------------


def items_text(items: Sequence[dict[str, str]]) -> str:
    """A breakdown as the textarea shows it: ``code;Name`` per line."""
    return "\n".join(f"{item['code']};{item['name']}" for item in items)


def parse_items(text: str) -> list[dict[str, str]]:
    """A breakdown from the textarea; ``ValidationError`` naming each wrong line."""
    items: list[dict[str, str]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code, separator, name = line.partition(";")
        code, name = code.strip(), name.strip()
        if not separator or not name:
            problems.append(
                _("Line %(n)s: write the code, a semicolon and the name (munnbind;Munnbind).")
                % {"n": number}
            )
            continue
        try:
            validate_slug(code)
        except ValidationError:
            problems.append(
                _(
                    "Line %(n)s: the code “%(code)s” may only hold letters a–z, digits, "
                    "hyphens and underscores."
                )
                % {"n": number, "code": code}
            )
            continue
        if len(code) > 60 or len(name) > 200:
            problems.append(
                _("Line %(n)s: at most 60 characters in the code and 200 in the name.")
                % {"n": number}
            )
            continue
        if code in seen:
            problems.append(
                _("Line %(n)s: the code “%(code)s” is used twice.") % {"n": number, "code": code}
            )
            continue
        seen.add(code)
        items.append({"code": code, "name": name})
    if problems:
        raise ValidationError(problems)
    return items


def item_codes(items: Sequence[dict[str, str]]) -> frozenset[str]:
    return frozenset(item["code"] for item in items)


# --- Base -------------------------------------------------------------------------------


class FingerprintedForm(GuardedModelForm):
    """An edit form that refuses to overwrite a change made meanwhile."""

    # The values the form was loaded with (see the module docstring).
    loaded = forms.IntegerField(widget=forms.HiddenInput, required=False)

    tracked: ClassVar[list[str]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conflicts: list[tuple[str, str]] = []
        if self.instance.pk is not None:
            self.initial.setdefault("loaded", fingerprint(self.instance, self.tracked))

    def shown(self, instance: Model, name: str) -> str:
        """A stored value as the conflict message lists it."""
        value = getattr(instance, name)
        if instance._meta.get_field(name).choices:  # type: ignore[union-attr]
            return str(getattr(instance, f"get_{name}_display")())
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, Decimal):
            return number_text(value)
        if isinstance(value, list):
            return ", ".join(f"{item['code']};{item['name']}" for item in value) or "–"
        if value is None or value == "":
            return "–"
        return str(value)

    def show_conflict(self, conflict: Conflict) -> None:
        """Show a save refused because someone else changed the record since
        the form was loaded: their values that differ from the ones typed,
        and the record's fingerprint now, so saving again is a choice made
        after seeing them. What the person typed is kept."""
        stored = conflict.stored
        self.conflicts = [
            (str(self.fields[name].label), self.shown(stored, name))
            for name in self.tracked
            if name in self.fields and not same_values(stored, self.instance, [name])
        ]
        data = self.data.copy()  # type: ignore[attr-defined]
        data[self.add_prefix("loaded")] = str(conflict.loaded)
        self.data = data
        self.add_error(None, str(CONFLICT))


# --- Indicators --------------------------------------------------------------------------


class IndicatorForm(FingerprintedForm):
    """An indicator, new or changed. The code and the value type are fixed
    once a report holds a value of it; items with values cannot be removed."""

    tracked = INDICATOR_FIELDS

    items = forms.CharField(
        label=gettext_lazy("Breakdown"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "Leave empty for one value. Otherwise one item per line: a code, a semicolon and "
            "the name, for example “munnbind;Munnbind”. The code may hold letters a–z, digits "
            "and hyphens. Items that reports hold values for cannot be removed; their names can "
            "be changed."
        ),
    )

    class Meta:
        model = Indicator
        fields = INDICATOR_FIELDS
        widgets = {"help_text": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "code": gettext_lazy(
                "Short and unique in the partnership, for example “oksygen”. Party systems "
                "send values under this code. It cannot be changed once a report holds a value."
            ),
            "help_text": gettext_lazy("Shown to the parties next to the field."),
            "value_type": gettext_lazy(
                "A level is chosen as good, challenging or critical and stored as 1, 2 or 3; "
                "yes/no is stored as 1 (yes) or 0 (no). The type cannot be changed once a "
                "report holds a value."
            ),
            "min_value": gettext_lazy("A value below it is refused."),
            "max_value": gettext_lazy("A value above it is refused."),
            "soft_min": gettext_lazy(
                "A value below it is accepted only with a comment. Inside the allowed range."
            ),
            "soft_max": gettext_lazy(
                "A value above it is accepted only with a comment. Inside the allowed range."
            ),
            "level2_at": gettext_lazy(
                "A value at or above the threshold reaches its level; with “lower is worse”, a "
                "value below it. For a level, the values are 1 good, 2 challenging, 3 critical; "
                "for yes/no, 1 yes and 0 no. Leave empty for no level."
            ),
            "lower_is_worse": gettext_lazy(
                "For stocks and the like: the thresholds then go down from level 2 to level 4."
            ),
            "relative_to": gettext_lazy(
                "The thresholds are then in per cent of the other indicator's value for the "
                "same item (occupied beds as a share of capacity). It must have the same "
                "breakdown."
            ),
            "active": gettext_lazy(
                "An indicator out of use is no longer asked for on any form; reports already "
                "made keep its values."
            ),
        }

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        indicator = self.instance
        self.used_items: frozenset[str] = frozenset()
        self.dependents: list[Indicator] = []
        if indicator.pk is not None:
            self.used_items = frozenset(
                Value.objects.filter(indicator=indicator)
                .order_by()
                .values_list("item", flat=True)
                .distinct()
            )
            self.dependents = list(
                Indicator.objects.filter(relative_to=indicator).exclude(pk=indicator.pk)
            )
            self.initial["items"] = items_text(indicator.items)
        if self.used_items:
            for name in ("code", "value_type"):
                self.fields[name].disabled = True
        others = Indicator.objects.filter(partnership=partnership, value_type__in=NUMERIC)
        if indicator.pk is not None:
            others = others.exclude(pk=indicator.pk)
        relative = self.fields["relative_to"]
        relative.queryset = others.order_by("name")  # type: ignore[attr-defined]
        relative.label_from_instance = lambda i: f"{i.name} ({i.code})"  # type: ignore[attr-defined]
        relative.empty_label = "–"  # type: ignore[attr-defined]
        for name in (*LIMITS, *THRESHOLDS):
            self.fields[name].widget.attrs["inputmode"] = "decimal"
            value = getattr(indicator, name)
            if value is not None:  # 85, not 85.000
                self.initial[name] = f"{value.normalize():f}"
        for name in ("level3_at", "level4_at"):
            self.fields[name].help_text = ""

    @property
    def used(self) -> bool:
        return bool(self.used_items)

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip()
        if self.instance.pk is not None:
            taken = Indicator.objects.filter(partnership=self.partnership, code=code).exclude(
                pk=self.instance.pk
            )
            if taken.exists():
                raise ValidationError(_("Another indicator has this code."))
        return code

    def clean_items(self) -> list[dict[str, str]]:
        return parse_items(self.cleaned_data.get("items") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        value_type = data.get("value_type") or self.instance.value_type
        items = data.get("items")
        if value_type == T.TEXT:
            for name in (*LIMITS, *THRESHOLDS, "relative_to"):
                if data.get(name) is not None:
                    self.add_error(name, _("A text has no limits, thresholds or share."))
        else:
            self._check_limits(data)
            self._check_thresholds(data, value_type)
        if items is not None:
            self._check_breakdown(data, value_type, items)
        return data

    def _check_limits(self, data: dict[str, Any]) -> None:
        """Lowest ≤ warn below ≤ warn above ≤ highest, where given."""
        given: list[tuple[str, Decimal]] = [
            (name, data[name]) for name in LIMITS if data.get(name) is not None
        ]
        for i, (low_name, low) in enumerate(given):
            for high_name, high in given[i + 1 :]:
                if low > high and high_name not in self.errors:
                    self.add_error(
                        high_name,
                        _("Must not be lower than “%(label)s” (%(value)s).")
                        % {"label": self.fields[low_name].label, "value": number_text(low)},
                    )

    def _check_thresholds(self, data: dict[str, Any], value_type: str) -> None:
        """Thresholds go up from level 2 to 4 (down when lower is worse) and
        lie within the values a level or a yes/no can take."""
        given: list[tuple[str, Decimal]] = [
            (name, data[name]) for name in THRESHOLDS if data.get(name) is not None
        ]
        bounds = {T.LEVEL: (1, 3), T.BOOLEAN: (0, 1)}.get(value_type)  # type: ignore[call-overload]
        for name, value in given:
            if bounds and not bounds[0] <= value <= bounds[1]:
                self.add_error(
                    name,
                    _("For a level, use 1 (good), 2 (challenging) or 3 (critical).")
                    if value_type == T.LEVEL
                    else _("For yes/no, use 1 (yes) or 0 (no)."),
                )
        lower_is_worse = data.get("lower_is_worse")
        for (_before, previous), (name, value) in itertools.pairwise(given):
            if name in self.errors:
                continue
            if lower_is_worse and not value < previous:
                self.add_error(
                    name,
                    _(
                        "When lower is worse, each level's threshold must be lower than the "
                        "one before (%(value)s)."
                    )
                    % {"value": number_text(previous)},
                )
            elif not lower_is_worse and not value > previous:
                self.add_error(
                    name,
                    _(
                        "When higher is worse, each level's threshold must be higher than the "
                        "one before (%(value)s)."
                    )
                    % {"value": number_text(previous)},
                )

    def _check_breakdown(
        self, data: dict[str, Any], value_type: str, items: list[dict[str, str]]
    ) -> None:
        codes = item_codes(items)
        kept = codes or frozenset({""})
        gone = sorted(self.used_items - kept)
        if gone:
            names = [_("the single value (no breakdown)") if code == "" else code for code in gone]
            self.add_error(
                "items",
                _("Reports hold values for %(items)s, so it cannot be removed.")
                % {"items": ", ".join(names)},
            )
        relative = data.get("relative_to")
        if relative is not None:
            if value_type not in NUMERIC:
                self.add_error("relative_to", _("Only a number can be a share of another."))
            elif item_codes(relative.items) != codes:
                self.add_error(
                    "relative_to",
                    _("“%(name)s” has another breakdown; a share needs the same items.")
                    % {"name": relative.name},
                )
        changed = [
            d.name
            for d in self.dependents
            if item_codes(d.items) != codes or value_type not in NUMERIC
        ]
        if changed:
            self.add_error(
                "items" if value_type in NUMERIC else "value_type",
                _(
                    "The thresholds of %(names)s are a share of this indicator, so it must stay a "
                    "number with the same breakdown. Change them first."
                )
                % {"names": ", ".join(changed)},
            )


# --- Report forms ------------------------------------------------------------------------


class ReportFormForm(FingerprintedForm):
    """A report form's name, period and deadlines. The code and the period
    type are fixed once a crisis uses the form."""

    tracked = REPORT_FORM_FIELDS

    class Meta:
        model = ReportForm
        fields = REPORT_FORM_FIELDS
        help_texts = {
            "code": gettext_lazy(
                "Short and unique in the partnership, for example “ukerapport”. Party systems "
                "read it; it cannot be changed once a crisis uses the form."
            ),
            "period_type": gettext_lazy(
                "How often the parties report. It cannot be changed once a crisis uses the form."
            ),
            "deadline_hours_kommune": gettext_lazy(
                "Counted from the end of the period: 36 is noon on the Tuesday after a week."
            ),
        }

    def __init__(self, *args: Any, partnership: Partnership, in_use: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.in_use = in_use
        if in_use:  # party systems and past periods depend on them
            self.fields["code"].disabled = True
            self.fields["period_type"].disabled = True
        for name in ("deadline_hours_kommune", "deadline_hours_hospital", "reminder_hours_before"):
            self.fields[name].validators.append(MaxValueValidator(MAX_HOURS))
            self.fields[name].widget.attrs.update(min=0, max=MAX_HOURS)
        self.fields["lock_after_days"].validators.append(MaxValueValidator(MAX_LOCK_DAYS))
        self.fields["lock_after_days"].widget.attrs.update(min=0, max=MAX_LOCK_DAYS)

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip()
        if self.instance.pk is not None:
            taken = ReportForm.objects.filter(partnership=self.partnership, code=code).exclude(
                pk=self.instance.pk
            )
            if taken.exists():
                raise ValidationError(_("Another report form has this code."))
        return code


# --- Lines ------------------------------------------------------------------------------


LINE_HELP = {
    "section": gettext_lazy("A heading the line is shown under, for example “Kapasitet”."),
    "key": gettext_lazy("Shown as a column of the shared picture, with its level."),
}


class LineForm(FingerprintedForm):
    """How a form asks for one of its indicators."""

    tracked = LINE_FIELDS

    class Meta:
        model = FormIndicator
        fields = LINE_FIELDS
        help_texts = LINE_HELP


class NewLineForm(GuardedModelForm):
    """An indicator added to a form (at the end)."""

    class Meta:
        model = FormIndicator
        fields = ["indicator", *LINE_FIELDS]
        labels = {"indicator": gettext_lazy("Indicator")}
        help_texts = LINE_HELP

    def __init__(self, *args: Any, form: ReportForm, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = Indicator.objects.filter(partnership_id=form.partnership_id, active=True)
        if not self.is_bound:
            # Offer the indicators not on the form yet. A posted one already
            # on it stays valid: the second click of a double submit.
            choices = choices.exclude(
                pk__in=FormIndicator.objects.filter(form=form).values("indicator_id")
            )
        field = self.fields["indicator"]
        field.queryset = choices.order_by("name")  # type: ignore[attr-defined]
        field.label_from_instance = lambda i: f"{i.name} ({i.code})"  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])
    # The order of the lines the page showed: a move on another order is refused.
    order = forms.IntegerField()


# --- Cross-field rules ------------------------------------------------------------------


class CrossRuleForm(GuardedModelForm):
    """A rule between two numbers of a form, per item where they share a
    breakdown (occupied ≤ capacity)."""

    class Meta:
        model = CrossRule
        fields = RULE_FIELDS
        labels = {
            "left": gettext_lazy("Value"),
            "operator": gettext_lazy("Must be"),
            "right": gettext_lazy("Compared with"),
            "severity": gettext_lazy("If the rule is broken"),
        }
        help_texts = {
            "message": gettext_lazy("Shown at the value when the rule is broken."),
        }

    def __init__(self, *args: Any, indicators: Sequence[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        numbers = [i.pk for i in indicators if i.value_type in NUMERIC]
        for name in ("left", "right"):
            field = self.fields[name]
            field.queryset = Indicator.objects.filter(pk__in=numbers).order_by("name")  # type: ignore[attr-defined]
            field.label_from_instance = lambda i: f"{i.name} ({i.code})"  # type: ignore[attr-defined]
        self.fields["severity"].choices = [  # type: ignore[attr-defined]
            (CrossRule.Severity.ERROR, _("Error: the report is refused")),
            (CrossRule.Severity.WARNING, _("Warning: accepted with a comment")),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        left, right = data.get("left"), data.get("right")
        if left is not None and right is not None:
            if left.pk == right.pk:
                self.add_error("right", _("Compare with another indicator."))
            elif item_codes(left.items) != item_codes(right.items):
                self.add_error(
                    "right",
                    _("“%(name)s” has another breakdown; a rule needs the same items.")
                    % {"name": right.name},
                )
        return data
