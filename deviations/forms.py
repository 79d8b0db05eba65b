from __future__ import annotations

import datetime
import functools
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from agreements.models import Clause
from core.forms import GuardedForm, VersionedFormMixin
from councils.models import Council
from deviations import services
from deviations.access import authored_filter
from deviations.models import SECTION_6_2_POINTS, Deviation, DeviationCategory, Guideline
from deviations.statistics import start_of_day
from partnerships.access import PartnershipAccess
from partnerships.models import Organisation, Partnership
from routines.models import Routine

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
    clause: forms.ModelChoiceField[Clause] = forms.ModelChoiceField(
        label=_("Clause of the guideline"),
        queryset=Clause.objects.none(),
        required=False,
        help_text=_("If you know it: the clause of the guideline in force that was not followed."),
    )
    routine: forms.ModelChoiceField[Routine] = forms.ModelChoiceField(
        label=_("Routine concerned"),
        queryset=Routine.objects.none(),
        required=False,
        help_text=_("If a samhandlingsrutine describes what should have happened."),
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
        clauses: Any = None,
        routines: Any = None,
        **kwargs: Any,
    ) -> None:
        clauses = clauses if clauses is not None else Clause.objects.none()
        routines = routines if routines is not None else Routine.objects.none()
        super().__init__(*args, **kwargs)
        self.fields["version"].required = False
        reporting = self.fields["reporting_organisation"]
        reporting.queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in own]
        ).order_by("name")
        receivers = [o.pk for o in parties]
        if len(own) == 1:
            # The one party the person reports for: chosen already, with no
            # empty choice to fall back to, and not a party to report to.
            reporting.empty_label = None  # type: ignore[attr-defined]
            reporting.initial = own[0].pk
            receivers = [pk for pk in receivers if pk != own[0].pk]
        self.fields["receiving_organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=receivers
        ).order_by("name")
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        self.fields["guideline"].queryset = guidelines  # type: ignore[attr-defined]
        clause = self.fields["clause"]
        clause.queryset = clauses  # type: ignore[attr-defined]
        clause.label_from_instance = _clause_label  # type: ignore[attr-defined]
        self.fields["routine"].queryset = routines  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        reporting = data.get("reporting_organisation")
        receiving = data.get("receiving_organisation")
        if reporting is not None and receiving is not None and reporting.pk == receiving.pk:
            # Someone who reports for several parties chose the same on both.
            self.add_error(
                "receiving_organisation", _("A deviation goes to another party than your own.")
            )
        return data

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
            "clause": deviation.clause_id,
            "routine": deviation.routine_id,
            "section_point": deviation.section_point,
            "description": deviation.description,
            "immediate_measures": deviation.immediate_measures,
            "suggested_improvement": deviation.suggested_improvement,
            "consequence": deviation.consequence,
            "external_reference": deviation.external_reference,
            "version": deviation.version,
        }


def _clause_label(clause: Clause) -> str:
    agreement = clause.agreement_version.agreement
    return f"{agreement.number or agreement.title}: {clause}"


def clause_choices(partnership: Partnership) -> QuerySet[Clause]:
    """The clauses in force of the agreements the partnership's guidelines
    refer to (one query when listed)."""
    from agreements.models import AgreementVersion

    return (
        Clause.objects.filter(
            agreement_version__status=AgreementVersion.Status.IN_FORCE,
            agreement_version__agreement__deviation_guidelines__partnership=partnership,
            agreement_version__agreement__deviation_guidelines__active=True,
        )
        .select_related("agreement_version__agreement")
        .order_by("agreement_version__agreement__number", "position")
        .distinct()
    )


def routine_choices(partnership: Partnership) -> QuerySet[Routine]:
    return Routine.objects.filter(partnership=partnership).order_by("number", "title")


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
    """Give the deviation to a unit or a person of the receiving party.
    ``people`` are the ones who may be chosen, already read (no query here)."""

    unit = forms.CharField(label=_("Unit"), max_length=200, required=False)
    person = forms.TypedChoiceField(label=_("Person"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {user.pk: user for user in people}
        self.fields["person"].choices = [  # type: ignore[attr-defined]
            ("", "–"),
            *((user.pk, str(user)) for user in people),
        ]

    def clean_person(self) -> User | None:
        pk = self.cleaned_data.get("person")
        return None if pk is None else self.people[pk]


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


class DeviationFilterForm(GuardedForm):
    """The list's filter, and the same filter for its exports (the export
    links carry the list's query string). Every field is optional; bad input
    is a field error, never a server error. The choices of parties and
    categories are read once, and only when needed: to draw the form or to
    check a value given (one query each)."""

    OPEN, ALL = "open", "all"
    REPORTED, RECEIVED = "reported", "received"

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(OPEN, _("Not closed")), (ALL, _("All")), *Deviation.Status.choices],
    )
    role = forms.ChoiceField(
        label=_("Reported"),
        required=False,
        choices=[
            ("", _("By and to my party")),
            (REPORTED, _("By my party")),
            (RECEIVED, _("To my party")),
        ],
    )
    party = forms.TypedChoiceField(
        # Reporting or receiving: the deviations between this party and any other.
        label=_("Party involved"),
        coerce=int,
        empty_value=None,
        required=False,
    )
    category = forms.TypedChoiceField(
        label=_("Category"), coerce=int, empty_value=None, required=False
    )
    start = forms.DateField(label=_("Reported from"), required=False, widget=DATE)
    end = forms.DateField(label=_("Reported until"), required=False, widget=DATE)
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)

    def __init__(
        self, data: QueryDict, *, partnership: Partnership, default_status: str = ALL
    ) -> None:
        data = data.copy()
        if not data.get("status"):
            # The list shows what is not closed unless asked; an export
            # without a status has everything.
            data["status"] = default_status
        super().__init__(data)
        self.query_data = data
        self.default_status = default_status

        @functools.cache
        def parties() -> list[tuple[Any, Any]]:
            found = services.parties(partnership)
            return [("", _("All parties")), *((o.pk, o.name) for o in found)]

        @functools.cache
        def categories() -> list[tuple[Any, Any]]:
            found = DeviationCategory.objects.filter(partnership=partnership)
            return [("", _("All categories")), *((c.pk, str(c)) for c in found)]

        self.fields["party"].choices = parties  # type: ignore[attr-defined]
        self.fields["category"].choices = categories  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and start > end:
            self.add_error("end", _("The start date must be before the end date."))
        return data

    def apply(
        self,
        rows: QuerySet[Deviation],
        *,
        access: PartnershipAccess,
        own: frozenset[int],
        today: datetime.date,
    ) -> QuerySet[Deviation]:
        """``rows`` narrowed by every field that is valid (no query)."""
        data = getattr(self, "cleaned_data", {})
        status = data.get("status") or self.default_status
        if status == self.OPEN:
            rows = rows.exclude(status=Deviation.Status.CLOSED)
        elif status != self.ALL:
            rows = rows.filter(status=status)
        role = data.get("role")
        if role == self.REPORTED:
            rows = rows.filter(Q(reporting_organisation_id__in=own) | authored_filter(access))
        elif role == self.RECEIVED:
            rows = rows.filter(receiving_organisation_id__in=own)
        if (party := data.get("party")) is not None:
            rows = rows.filter(
                Q(reporting_organisation_id=party) | Q(receiving_organisation_id=party)
            )
        if (category := data.get("category")) is not None:
            rows = rows.filter(category_id=category)
        # The dates are those of the report (submitted), in local time.
        if (start := data.get("start")) is not None:
            rows = rows.filter(submitted_at__gte=start_of_day(start))
        if (end := data.get("end")) is not None:
            rows = rows.filter(submitted_at__lt=start_of_day(end + datetime.timedelta(days=1)))
        if data.get("overdue"):
            rows = rows.filter(status__in=Deviation.OPEN_STATUSES, response_deadline__lt=today)
        return rows

    def query(self) -> str:
        """The filter as a query string, for the export links (no page)."""
        data = self.query_data.copy()
        data.pop("page", None)
        return data.urlencode()
