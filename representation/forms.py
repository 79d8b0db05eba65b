from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import GuardedForm
from core.models import Visibility
from councils.models import Appointment, Case
from followups.forms import DateInput
from representation.services import NOT_SHAREABLE

WHOLE_AGENDA = ""


class OpenRoundForm(GuardedForm):
    seat = forms.TypedChoiceField(label=_("On behalf of"), coerce=int)
    case = forms.ChoiceField(
        label=_("What you want input on"),
        required=False,
        help_text=_(
            "Cases internal to the council or exempt from public access cannot be shared "
            "with your constituency."
        ),
    )
    deadline = forms.DateField(
        label=_("Deadline for input"),
        widget=DateInput(),
        help_text=_("At the latest the day of the meeting."),
    )
    message = forms.CharField(
        label=_("Message or question"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Do not write anything that identifies a patient."),
    )
    # Made when the empty form is shown and kept across re-renders, so that
    # submitting the same form twice opens one round.
    client_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, seats: list[Appointment], cases: list[Case], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seat"].choices = [  # type: ignore[attr-defined]
            (s.pk, f"{s.council} – {s.constituency} ({s.get_role_display()})") for s in seats
        ]
        choices: list[tuple[str, str]] = [(WHOLE_AGENDA, str(_("The whole agenda")))]
        for case in cases:
            label = f"{case.number} {case.title}"
            if case.visibility in NOT_SHAREABLE:
                label += " (" + str(Visibility(case.visibility).label).lower() + ")"
            choices.append((str(case.pk), label))
        self.fields["case"].choices = choices  # type: ignore[attr-defined]


class AnswerForm(GuardedForm):
    text = forms.CharField(
        label=_("Your input"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Only the representative and you can read it. Do not write anything that "
            "identifies a patient."
        ),
    )
    # Empty for a first answer; the version being edited otherwise.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class ReportBackForm(GuardedForm):
    summary = forms.CharField(
        label=_("Summary for your constituency"),
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Drafted from the meeting's decisions. Cases internal to the council or exempt "
            "from public access are named by their public title only."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
