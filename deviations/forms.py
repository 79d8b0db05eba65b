from __future__ import annotations

import datetime
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import GuardedForm, VersionedFormMixin
from councils.models import Council
from deviations.models import SECTION_6_2_POINTS, Deviation, DeviationCategory, Guideline
from partnerships.models import Organisation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class DeviationForm(VersionedFormMixin, GuardedForm):
    """The report. Every free-text field passes the identity-number guard."""

    reporting_organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Reporting party"), queryset=Organisation.objects.none()
    )
    receiving_organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Reported to"), queryset=Organisation.objects.none()
    )
    receiving_unit = forms.CharField(
        label=_("Unit or service at the receiving party"), max_length=200, required=False
    )
    occurred_on = forms.DateField(label=_("Date of the event"), widget=DATE)
    occurred_time = forms.TimeField(label=_("Time of the event"), widget=TIME, required=False)
    category: forms.ModelChoiceField[DeviationCategory] = forms.ModelChoiceField(
        label=_("Category"), queryset=DeviationCategory.objects.none()
    )
    guideline: forms.ModelChoiceField[Guideline] = forms.ModelChoiceField(
        label=_("Guideline breached"), queryset=Guideline.objects.none(), required=False
    )
    section_point = forms.TypedChoiceField(
        label=_("§ 6-2 point"),
        choices=[("", "–"), *SECTION_6_2_POINTS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    description = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Describe the event without anything that identifies the patient: no name, "
            "no personal identity number, no date of birth."
        ),
    )
    immediate_measures = forms.CharField(
        label=_("Immediate measures taken"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    suggested_improvement = forms.CharField(
        label=_("Suggested improvement"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    consequence = forms.ChoiceField(
        label=_("Consequence for the patient"),
        choices=Deviation.Consequence.choices,
        widget=forms.RadioSelect,
    )
    external_reference = forms.CharField(
        label=_("Reference in your own system"),
        max_length=100,
        required=False,
        help_text=_(
            "The number of the report in your own deviation system (for example Synergi), "
            "where the patient can be identified."
        ),
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        own: list[Organisation],
        parties: list[Organisation],
        categories: Any,
        guidelines: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].required = False
        self.fields["reporting_organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in own]
        ).order_by("name")
        self.fields["receiving_organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in parties]
        ).order_by("name")
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        self.fields["guideline"].queryset = guidelines  # type: ignore[attr-defined]
        if len(own) == 1 and not self.is_bound:
            self.initial.setdefault("reporting_organisation", own[0].pk)
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4())

    def report_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        zone = ZoneInfo(settings.TIME_ZONE)
        day = data.pop("occurred_on")
        time = data.pop("occurred_time")
        moment = datetime.datetime.combine(day, time or datetime.time(0, 0))
        data["occurred_at"] = moment.replace(tzinfo=zone)
        for key in ("version", "client_key"):
            data.pop(key, None)
        return data

    @classmethod
    def initial_from(cls, deviation: Deviation) -> dict[str, Any]:
        local = timezone.localtime(deviation.occurred_at)
        return {
            "reporting_organisation": deviation.reporting_organisation_id,
            "receiving_organisation": deviation.receiving_organisation_id,
            "receiving_unit": deviation.receiving_unit,
            "occurred_on": local.date(),
            "occurred_time": local.time().replace(second=0, microsecond=0),
            "category": deviation.category_id,
            "guideline": deviation.guideline_id,
            "section_point": deviation.section_point,
            "description": deviation.description,
            "immediate_measures": deviation.immediate_measures,
            "suggested_improvement": deviation.suggested_improvement,
            "consequence": deviation.consequence,
            "external_reference": deviation.external_reference,
            "version": deviation.version,
        }


class AnswerForm(VersionedFormMixin, GuardedForm):
    cause = forms.CharField(label=_("Cause"), widget=forms.Textarea(attrs={"rows": 4}))
    measures = forms.CharField(
        label=_("Measures"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What your party does so that it does not happen again."),
    )


class MessageForm(GuardedForm):
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))
    # Made once per form shown: a double click or a resent request is one message.
    client_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4())


class AssignForm(VersionedFormMixin, GuardedForm):
    unit = forms.CharField(label=_("Unit"), max_length=200, required=False)
    person: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Person"),
        queryset=None,
        required=False,  # type: ignore[arg-type]
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class EscalateForm(GuardedForm):
    council: forms.ModelChoiceField[Council] = forms.ModelChoiceField(
        label=_("Council"), queryset=Council.objects.none()
    )

    def __init__(self, *args: Any, councils: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils  # type: ignore[attr-defined]


class MeasureForm(GuardedForm):
    title = forms.CharField(label=_("Measure to follow up"), max_length=200)
    responsible_organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Responsible party"), queryset=Organisation.objects.none()
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE, required=False)
    client_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_organisation"].queryset = organisations  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4())
