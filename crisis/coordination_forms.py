"""Forms of the coordination pages: generating the meeting's agenda, the
crisis log and its follow-ups, resource requests and offers. Every free-text
field passes the identity-number guard (``GuardedForm``)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import GuardedForm, VersionedFormMixin
from crisis.models import ResourceRequest
from partnerships.models import Organisation, Region

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class KeyedForm(GuardedForm):
    """A form that creates something: a hidden idempotency key, new on each
    fresh form, so a double submit creates it once."""

    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4())


def at(day: datetime.date, time: datetime.time | None) -> datetime.datetime:
    """A date and time of day in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, time or datetime.time(0, 0)))


class GenerateAgendaForm(KeyedForm):
    period = forms.TypedChoiceField(
        label=_("Reporting period"), coerce=datetime.date.fromisoformat, choices=[]
    )
    region: forms.ModelChoiceField[Region] = forms.ModelChoiceField(
        label=_("Regional meeting for"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=_("The whole crisis (all regions)"),
        help_text=_("Choose a region for a regional meeting during a local outbreak."),
    )
    date = forms.DateField(label=_("Meeting date"), widget=DATE)
    time = forms.TimeField(label=_("Starts at"), widget=TIME)

    def __init__(
        self,
        *args: Any,
        periods: list[datetime.date],
        regions: Any,
        label: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [  # type: ignore[attr-defined]
            (start.isoformat(), label(start)) for start in reversed(periods)
        ]
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        if not self.is_bound:
            if periods:
                self.initial.setdefault("period", periods[-1].isoformat())
            self.initial.setdefault("date", timezone.localdate())
            self.initial.setdefault("time", datetime.time(10, 0))

    @property
    def starts_at(self) -> datetime.datetime:
        return at(self.cleaned_data["date"], self.cleaned_data["time"])


class LogEntryForm(KeyedForm):
    occurred_on = forms.DateField(label=_("Date"), widget=DATE)
    occurred_time = forms.TimeField(label=_("Time"), widget=TIME, required=False)
    text = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A significant event, decision or message in the crisis."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            now = timezone.localtime()
            self.initial.setdefault("occurred_on", now.date())
            self.initial.setdefault("occurred_time", now.time().replace(second=0, microsecond=0))

    @property
    def occurred_at(self) -> datetime.datetime:
        return at(self.cleaned_data["occurred_on"], self.cleaned_data["occurred_time"])


class LogFollowUpForm(KeyedForm):
    title = forms.CharField(label=_("Action to follow up"), max_length=200)
    responsible_organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Responsible party"), queryset=Organisation.objects.none(), required=False
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE, required=False)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_organisation"].queryset = organisations  # type: ignore[attr-defined]


class ResourceRequestForm(KeyedForm):
    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Requesting party"), queryset=Organisation.objects.none()
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ResourceRequest.Kind.choices)
    description = forms.CharField(
        label=_("What is needed"), widget=forms.Textarea(attrs={"rows": 3})
    )
    quantity = forms.CharField(
        label=_("How much"),
        max_length=100,
        required=False,
        help_text=_("For example 2,000 face masks or two nurses for two weeks."),
    )
    needed_by = forms.DateField(label=_("Needed by"), widget=DATE, required=False)

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in organisations]
        ).order_by("name")
        if len(organisations) == 1 and not self.is_bound:
            self.initial.setdefault("organisation", organisations[0].pk)


class OfferForm(VersionedFormMixin, GuardedForm):
    offering_organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Offered by"), queryset=Organisation.objects.none()
    )
    offer = forms.CharField(
        label=_("What you offer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What, how much and when it can be delivered."),
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offering_organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in organisations]
        ).order_by("name")
        if len(organisations) == 1 and not self.is_bound:
            self.initial.setdefault("offering_organisation", organisations[0].pk)
