"""Forms of the task transfer pages. Every free-text field passes the
identity-number guard (``core.forms.GuardedForm``)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import AgreementVersion
from core.forms import GuardedForm, VersionedFormMixin
from councils.models import Council, Decision, Meeting
from partnerships.models import Organisation
from transfers.models import ASPECTS, TaskTransfer

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

ASPECT_HELP = {
    "economy": _("Costs and income, for whom, and how they are covered."),
    "personnel_and_competence": _("Staff, skills and training the task needs."),
    "capacity": _("Places, time and volume: can the party take the task on?"),
    "patient_safety": _("Risks for the patients, and how they are met."),
    "legal_basis": _("The law and agreements that place the responsibility."),
    "ict": _("Records, messages and other ICT the task depends on."),
}


def _parties_field(label: Any, parties: list[Organisation]) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    field: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        label=label,
        queryset=Organisation.objects.filter(pk__in=[p.pk for p in parties]).order_by("name"),
    )
    return field


def _aspect(name: str) -> forms.CharField:
    return forms.CharField(
        label=dict(ASPECTS)[name],
        required=False,
        help_text=ASPECT_HELP[name],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssessmentFields(GuardedForm):
    """The six headings of a consequence assessment as text fields."""

    economy = _aspect("economy")
    personnel_and_competence = _aspect("personnel_and_competence")
    capacity = _aspect("capacity")
    patient_safety = _aspect("patient_safety")
    legal_basis = _aspect("legal_basis")
    ict = _aspect("ict")

    def __init__(self, *args: Any, required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, _label in ASPECTS:
            self.fields[name].required = required

    def aspect_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _label in ASPECTS]

    def aspects(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name, _label in ASPECTS}


class TransferForm(VersionedFormMixin, AssessmentFields):
    """A new proposal or registration (with the party's own assessment), or
    a change to one (``assess=False``: the facts only)."""

    field_order = [
        "proposing_party",
        "title",
        "task",
        "from_party",
        "to_party",
        "patients",
        "from_date",
        *(name for name, _label in ASPECTS),
    ]

    proposing_party = forms.ModelChoiceField(label=_("Party"), queryset=Organisation.objects.none())
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        help_text=_("Short, as it will be the title of the council's case."),
    )
    task = forms.CharField(
        label=_("The task that moves"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is done today, by whom, and what changes."),
    )
    from_party = forms.ModelChoiceField(label=_("From party"), queryset=Organisation.objects.none())
    to_party = forms.ModelChoiceField(label=_("To party"), queryset=Organisation.objects.none())
    patients = forms.CharField(
        label=_("Which patients"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The patient group, never a patient: no names or identity numbers."),
    )
    from_date = forms.DateField(label=_("From"), widget=DATE)
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        kind: str,
        parties: list[Organisation],
        proposers: list[Organisation] | None,
        assess: bool = True,
        **kwargs: Any,
    ) -> None:
        proposal = kind == TaskTransfer.Kind.PROPOSAL
        super().__init__(*args, required=proposal and assess, **kwargs)
        self.fields["version"].required = False
        self.fields["from_party"] = _parties_field(_("From party"), parties)
        self.fields["to_party"] = _parties_field(_("To party"), parties)
        if proposers is None:  # a change: the party stays the one that proposed
            del self.fields["proposing_party"]
        else:
            field = _parties_field(_("Proposed by") if proposal else _("Registered by"), proposers)
            field.help_text = _("The party you act for: one of the two parties of the transfer.")
            if len(proposers) == 1:
                field.initial = proposers[0].pk
            self.fields["proposing_party"] = field
        if not assess:
            for name, _label in ASPECTS:
                del self.fields[name]
        if proposal:
            self.fields["from_date"].label = _("Moves from")
            self.fields["from_date"].help_text = _("The first day the other party does the task.")
        else:
            self.fields["from_date"].label = _("Moved on")
            self.fields["from_date"].help_text = _(
                "When the task moved, as far as the party knows."
            )
            self.fields["task"].label = _("The task that moved")
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source, target = data.get("from_party"), data.get("to_party")
        if source and target and source == target:
            self.add_error("to_party", _("A task moves between two different parties."))
        party = data.get("proposing_party")
        if party and source and target and party not in (source, target):
            self.add_error(
                "proposing_party", _("The party must be one of the two parties of the transfer.")
            )
        return data

    def facts(self) -> dict[str, Any]:
        names = ["title", "task", "from_party", "to_party", "patients", "from_date"]
        return {name: self.cleaned_data[name] for name in names}


class AssessmentForm(VersionedFormMixin, AssessmentFields):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not any(v.strip() for v in self.aspects().values()):
            raise forms.ValidationError(_("Write the assessment under at least one heading."))
        return data


class ConsultationForm(VersionedFormMixin, GuardedForm):
    """Send a proposal on consultation: the two parties of the transfer
    always, and the others chosen."""

    deadline = forms.DateField(label=_("Answer by"), widget=DATE)
    message = forms.CharField(
        label=_("What the parties are asked"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The parties answer in Samspill and write their own consequence assessment."),
    )
    parties = forms.ModelMultipleChoiceField(
        label=_("Other parties to ask"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The two parties of the transfer are always asked."),
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, others: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[p.pk for p in others]
        ).order_by("name")
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4())


def _meeting_label(meeting: Meeting) -> str:
    return f"{meeting.council.short_name} {timezone.localtime(meeting.starts_at):%d.%m.%Y}"


class CaseForm(GuardedForm):
    """The council that decides, and a coming meeting if one is chosen."""

    council = forms.ModelChoiceField(label=_("Council"), queryset=Council.objects.none())
    meeting = forms.ModelChoiceField(
        label=_("Put it on the agenda of"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=_("No meeting yet"),
        help_text=_("A coming meeting of the council chosen, whose agenda is still open."),
    )

    def __init__(
        self, *args: Any, councils: QuerySet[Council], meetings: QuerySet[Meeting], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils  # type: ignore[attr-defined]
        self.fields["meeting"].queryset = meetings  # type: ignore[attr-defined]
        self.fields["meeting"].label_from_instance = _meeting_label  # type: ignore[attr-defined]
        first = councils.first()
        if first is not None:
            self.fields["council"].initial = first.pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        council, meeting = data.get("council"), data.get("meeting")
        if council and meeting and meeting.council_id != council.pk:
            self.add_error("meeting", _("Choose a meeting of the council chosen."))
        return data


def _decision_label(decision: Decision) -> str:
    meeting = decision.treatment.meeting
    return f"{_meeting_label(meeting)}: {decision.adopted_text[:80]}"


def _version_label(version: AgreementVersion) -> str:
    return f"{version.agreement} ({version.label}) – {version.get_status_display()}"


class OutcomeForm(VersionedFormMixin, GuardedForm):
    """The council's outcome, with its decision, and the agreement version
    that describes an agreed transfer (``steps`` empty: the version only)."""

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=TaskTransfer.Status.choices, widget=forms.RadioSelect
    )
    decision = forms.ModelChoiceField(
        label=_("The council's decision"),
        queryset=Decision.objects.none(),
        help_text=_("The decision made on the transfer's case."),
    )
    agreement_version = forms.ModelChoiceField(
        label=_("Described in agreement version"),
        queryset=AgreementVersion.objects.none(),
        required=False,
        help_text=_(
            "The version of the agreement that describes the transfer now it is agreed. "
            "It can be added later."
        ),
    )

    def __init__(
        self,
        *args: Any,
        steps: list[str],
        decisions: QuerySet[Decision],
        versions: QuerySet[AgreementVersion],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if steps:
            self.fields["outcome"].choices = [  # type: ignore[attr-defined]
                (value, label) for value, label in TaskTransfer.Status.choices if value in steps
            ]
            self.fields["decision"].queryset = decisions  # type: ignore[attr-defined]
            self.fields["decision"].label_from_instance = _decision_label  # type: ignore[attr-defined]
            if TaskTransfer.Status.AGREED not in steps:
                del self.fields["agreement_version"]
        else:
            del self.fields["outcome"], self.fields["decision"]
        if "agreement_version" in self.fields:
            field = self.fields["agreement_version"]
            field.queryset = versions  # type: ignore[attr-defined]
            field.label_from_instance = _version_label  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("agreement_version") and data.get("outcome", "agreed") != "agreed":
            self.add_error(
                "agreement_version", _("Only an agreed transfer is described in the agreement.")
            )
        return data
