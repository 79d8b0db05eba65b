"""Forms of the internal agreement pages."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from agreements.models import (
    Agreement,
    AgreementLevel,
    AgreementVersion,
    Clause,
    ConsultationAnswer,
    LegalPoint,
    Ratification,
)
from core.forms import GuardedForm, GuardedModelForm, VersionedFormMixin
from councils.forms import CasePaperEditor, CasePaperField
from councils.models import Council, Decision, Meeting
from partnerships.models import Organisation


class AgreementForm(VersionedFormMixin, GuardedModelForm):
    class Meta:
        model = Agreement
        fields = ["level", "number", "title", "all_parties", "parties", "yields_to", "owner"]
        widgets = {"parties": forms.CheckboxSelectMultiple}

    def __init__(
        self,
        *args: Any,
        levels: QuerySet[AgreementLevel],
        parties: list[Organisation],
        agreements: QuerySet[Agreement],
        councils: QuerySet[Council],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].required = False
        self.fields["level"].queryset = levels  # type: ignore[attr-defined]
        self.fields["parties"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[p.pk for p in parties]
        ).order_by("name")
        self.fields["parties"].help_text = _("Only for an agreement that binds some parties.")
        others = agreements.exclude(pk=self.instance.pk) if self.instance.pk else agreements
        self.fields["yields_to"].queryset = others  # type: ignore[attr-defined]
        self.fields["owner"].queryset = councils  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("all_parties") and not data.get("parties"):
            self.add_error(
                "parties", _("Choose the parties it binds, or tick “binds all parties”.")
            )
        return data


# Norwegian letters as they are written in addresses (slugify drops them).
_NORWEGIAN = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A"})


def unique_slug(title: str, taken: set[str]) -> str:
    """An address name from the title, not one of ``taken``."""
    base = slugify(title.translate(_NORWEGIAN))[:50].strip("-") or "avtale"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


class NewVersionForm(GuardedForm):
    label = forms.CharField(
        label=_("Name of the version"),
        max_length=60,
        help_text=_("For example the year it is meant to come in force: 2027."),
    )


class ClauseForm(VersionedFormMixin, GuardedForm):
    number = forms.CharField(label=_("Number"), max_length=20, required=False)
    heading = forms.CharField(label=_("Heading"), max_length=300)
    text = CasePaperField(
        label=_("Text"), required=False, widget=CasePaperEditor(attrs={"rows": 10})
    )
    points = forms.TypedMultipleChoiceField(
        label=_("Points of § 6-2 the clause covers"),
        choices=LegalPoint.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].required = False


class MoveOnForm(VersionedFormMixin, GuardedForm):
    to = forms.ChoiceField(label=_("Next step"), choices=AgreementVersion.Status.choices)
    decision = forms.ModelChoiceField(
        label=_("The council's decision"),
        queryset=Decision.objects.none(),
        required=False,
        help_text=_("Needed when the council has adopted the version: its decision on the case."),
    )
    in_force_from = forms.DateField(
        label=_("In force from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Needed when the version comes in force; may be set when it goes out."),
    )

    def __init__(
        self, *args: Any, steps: set[str], decisions: QuerySet[Decision], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in AgreementVersion.Status.choices if value in steps
        ]
        self.fields["decision"].queryset = decisions  # type: ignore[attr-defined]
        self.fields["decision"].label_from_instance = _decision_label  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("to") == AgreementVersion.Status.ADOPTED and not data.get("decision"):
            self.add_error("decision", _("Choose the council's decision that adopted it."))
        return data


def _decision_label(decision: Decision) -> str:
    meeting = decision.treatment.meeting
    day = timezone.localtime(meeting.starts_at)
    return f"{meeting.council.name} {day:%d.%m.%Y}: {decision.adopted_text[:80]}"


class ConsultationForm(VersionedFormMixin, GuardedForm):
    """Send a draft on consultation to the parties."""

    deadline = forms.DateField(label=_("Answer by"), widget=forms.DateInput(attrs={"type": "date"}))
    message = forms.CharField(
        label=_("What the parties are asked"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Sent with a link to the version; the parties answer in Samspill."),
    )
    parties = forms.ModelMultipleChoiceField(
        label=_("Parties"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, parties: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[p.pk for p in parties]
        ).order_by("name")
        self.fields["parties"].initial = [p.pk for p in parties]
        self.fields["client_key"].initial = uuid.uuid4()


class ConsultationAnswerForm(VersionedFormMixin, GuardedForm):
    """A party's answer: its position, general text, a comment per clause
    (fields ``clause_<id>``) and a document."""

    position = forms.ChoiceField(
        label=_("The party's position"),
        choices=ConsultationAnswer.Position.choices,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("The party's answer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    document = forms.FileField(label=_("Document"), required=False)

    def __init__(self, *args: Any, clauses: list[Clause], **kwargs: Any) -> None:
        from councils.attachments import allowed_extensions

        super().__init__(*args, **kwargs)
        self.fields["version"].required = False
        self.clauses = clauses
        for clause in clauses:
            self.fields[f"clause_{clause.pk}"] = forms.CharField(
                label=_("Comment on %(clause)s") % {"clause": clause},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        # The clause fields came after the mixin's guard: guard them too.
        self._guard_added()
        self.fields["document"].help_text = _(
            "Allowed types: %(types)s. At most %(max)s MB. The file is checked for "
            "personal identity numbers."
        ) % {"types": allowed_extensions(), "max": settings.SAMSPILL_ATTACHMENT_MAX_MB}

    def _guard_added(self) -> None:
        from core.validators import validate_no_identity_number

        for clause in self.clauses:
            field = self.fields[f"clause_{clause.pk}"]
            if validate_no_identity_number not in field.validators:
                field.validators.append(validate_no_identity_number)

    def comment_fields(self) -> list[tuple[Clause, forms.BoundField]]:
        return [(c, self[f"clause_{c.pk}"]) for c in self.clauses]

    def comments(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"clause_{c.pk}") or "" for c in self.clauses}


class CaseForm(GuardedForm):
    """Prepare the owner council's case that adopts the version."""

    meeting = forms.ModelChoiceField(
        label=_("Put it on the agenda of"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=_("No meeting yet"),
    )

    def __init__(self, *args: Any, meetings: QuerySet[Meeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings  # type: ignore[attr-defined]
        self.fields["meeting"].label_from_instance = (  # type: ignore[attr-defined]
            lambda m: f"{m.council.name} {timezone.localtime(m.starts_at):%d.%m.%Y}"
        )


class TerminationForm(GuardedForm):
    organisation = forms.ModelChoiceField(label=_("Party"), queryset=Organisation.objects.none())
    notice_given_on = forms.DateField(
        label=_("Notice given on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Bound until"),
        help_text=_("The last day the agreement binds the party, after the notice period."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, parties: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[p.pk for p in parties]
        ).order_by("name")
        if len(parties) == 1:
            field.initial = parties[0].pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        notice, ends = data.get("notice_given_on"), data.get("ends_on")
        if notice and ends and ends < notice:
            self.add_error("ends_on", _("The last binding day cannot come before the notice."))
        return data


class DirectorateForm(VersionedFormMixin, GuardedForm):
    sent_on = forms.DateField(
        label=_("Link sent to Helsedirektoratet on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class RatificationForm(VersionedFormMixin, GuardedModelForm):
    class Meta:
        model = Ratification
        fields = [
            "outcome",
            "body",
            "body_name",
            "case_number",
            "meeting_date",
            "changes",
            "effective_from",
        ]
        widgets = {
            "outcome": forms.RadioSelect,
            "meeting_date": forms.DateInput(attrs={"type": "date"}),
            "effective_from": forms.DateInput(attrs={"type": "date"}),
            "changes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "changes": _("When the party adopted it with changes: what it changed."),
            "effective_from": _("Leave empty when it binds from the version's in-force date."),
        }

    document = forms.FileField(
        label=_("Signed document"),
        required=False,
        help_text=_("The protocol extract or letter with the body's decision."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("outcome") == Ratification.Outcome.ADOPTED_WITH_CHANGES
            and not (data.get("changes") or "").strip()
        ):
            self.add_error("changes", _("Say what the party changed."))
        meeting, effective = data.get("meeting_date"), data.get("effective_from")
        if (
            isinstance(meeting, datetime.date)
            and isinstance(effective, datetime.date)
            and effective < meeting
        ):
            self.add_error(
                "effective_from", _("It cannot bind the party before the meeting that adopted it.")
            )
        return data
