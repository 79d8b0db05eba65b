"""Crisis forms: opening a crisis, a party's report (one field per value,
built from the report form's lines), declaring a level, unlocking.

Every free-text field passes the identity-number guard (``GuardedForm``);
the report's values are checked again, with the form's rules, by
:func:`crisis.services.save_report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import GuardedForm, VersionedFormMixin
from councils.models import Council
from crisis import levels
from crisis.models import LEVELS, FormIndicator, Indicator, ReportForm
from crisis.services import UNLOCK_HOURS, keys_of
from partnerships.models import Partnership, Region

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
T = Indicator.ValueType
NUMERIC = (T.INTEGER, T.DECIMAL, T.PERCENT)
LEVEL_CHOICES = [(code, levels.ANSWERS[n]) for n, code in levels.ANSWER_CODES.items()]
YES_NO_CHOICES = [("ja", _("Yes")), ("nei", _("No"))]


class OpenCrisisForm(GuardedForm):
    name = forms.CharField(label=_("Name of the crisis"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    form: forms.ModelChoiceField[ReportForm] = forms.ModelChoiceField(
        label=_("Report form"), queryset=ReportForm.objects.none(), empty_label=None
    )
    starts_on = forms.DateField(
        label=_("First reporting period"),
        widget=DATE,
        help_text=_("For a weekly form, the period starts on the Monday of the week you choose."),
    )
    regions: forms.ModelMultipleChoiceField[Region] = forms.ModelMultipleChoiceField(
        label=_("Regions"),
        queryset=Region.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Choose none for the whole partnership. Hospitals report in every crisis; "
            "kommuner in the regions chosen."
        ),
    )
    council: forms.ModelChoiceField[Council] = forms.ModelChoiceField(
        label=_("Coordination group"),
        queryset=Council.objects.none(),
        required=False,
        empty_label="–",
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form"].queryset = ReportForm.objects.filter(  # type: ignore[attr-defined]
            partnership=partnership
        ).order_by("name")
        self.fields["regions"].queryset = Region.objects.filter(  # type: ignore[attr-defined]
            partnership=partnership
        ).order_by("name")
        self.fields["council"].queryset = Council.objects.filter(  # type: ignore[attr-defined]
            partnership=partnership, kind=Council.Kind.COORDINATION
        ).order_by("name")
        self.fields["council"].label_from_instance = lambda council: council.name  # type: ignore[attr-defined]


def value_name(key: str) -> str:
    """The form field of a value key (prefixed, so no indicator code can
    take the name of another field)."""
    return f"value.{key}"


def comment_name(key: str) -> str:
    return f"comment.{key}"


class ReportValuesForm(VersionedFormMixin, GuardedForm):
    """A party's report: one field per value key of the lines it fills, and
    a comment per numeric value. No field is required here: a draft may be
    incomplete; submitting checks completeness in the service."""

    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        lines: Sequence[FormIndicator],
        read_only: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        self.keys: list[str] = []
        for line in self.lines:
            indicator = line.indicator
            items = {i["code"]: i["name"] for i in indicator.items}
            for key, item in keys_of(line):
                self.keys.append(key)
                label = f"{indicator.name} – {items[item]}" if item else indicator.name
                self.fields[value_name(key)] = _value_field(indicator, label)
                if indicator.value_type in NUMERIC:
                    self.fields[comment_name(key)] = forms.CharField(
                        label=_("Comment: %(name)s") % {"name": label},
                        max_length=500,
                        required=False,
                    )
        if read_only:
            for field in self.fields.values():
                field.disabled = True

    def raw_values(self) -> dict[str, Any]:
        """The values as the service takes them, by key (valid form only)."""
        return {key: self.cleaned_data.get(value_name(key)) or "" for key in self.keys}

    def comments(self) -> dict[str, str]:
        return {
            key: self.cleaned_data.get(comment_name(key)) or ""
            for key in self.keys
            if comment_name(key) in self.fields
        }

    def typed(self) -> tuple[dict[str, str], dict[str, str]]:
        """What the person typed, valid or not (to find soft warnings)."""
        raw = {key: str(self.data.get(value_name(key), "")) for key in self.keys}
        comments = {key: str(self.data.get(comment_name(key), "")) for key in self.keys}
        return raw, comments


def _value_field(indicator: Indicator, label: str) -> forms.Field:
    """The field for one value (the indicator's help is shown once per
    indicator by the page, not per item)."""
    if indicator.value_type == T.LEVEL:
        return forms.ChoiceField(
            label=label,
            choices=LEVEL_CHOICES,
            widget=forms.RadioSelect,
            required=False,
        )
    if indicator.value_type == T.BOOLEAN:
        return forms.ChoiceField(
            label=label,
            choices=YES_NO_CHOICES,
            widget=forms.RadioSelect,
            required=False,
        )
    if indicator.value_type == T.TEXT:
        return forms.CharField(
            label=label,
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
        )
    return forms.CharField(
        label=label,
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class NoChangeForm(GuardedForm):
    """The version the person saw, for "no change since the last report"."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)


class DeclareLevelForm(VersionedFormMixin, GuardedForm):
    level = forms.TypedChoiceField(
        label=_("Declared level"),
        choices=[("", _("None: the computed level counts")), *LEVELS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when you declare a level: why it differs from the computed one."),
    )


class UnlockForm(GuardedForm):
    reason = forms.CharField(
        label=_("Reason for opening the report again"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = _(
            "The party can change the report for %(hours)s hours. The unlock is logged."
        ) % {"hours": UNLOCK_HOURS}
