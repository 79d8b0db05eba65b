from __future__ import annotations

import datetime
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core import richtext
from core.forms import GuardedForm, GuardedModelForm, VersionedFormMixin
from core.models import Visibility
from councils import case_templates
from councils.models import Appointment, Case, Council, Meeting, Treatment
from councils.services import Direction
from partnerships.models import Organisation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class MeetingDetailsForm(GuardedForm):
    """When and where a meeting is: for planning it and for changing it."""

    date = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Starts at"), widget=TIME)
    end_time = forms.TimeField(label=_("Ends at"), widget=TIME, required=False)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Optional, for example “Joint meeting PSU and ASU”."),
    )
    location = forms.CharField(label=_("Place"), max_length=300, required=False)
    video_url = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")
    papers_deadline = forms.DateField(
        label=_("Deadline for case papers"), widget=DATE, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The meeting must end after it starts."))
        deadline, day = data.get("papers_deadline"), data.get("date")
        if deadline and day and deadline > day:
            self.add_error("papers_deadline", _("The deadline must be before the meeting."))
        return data

    def moments(self) -> tuple[datetime.datetime, datetime.datetime | None]:
        zone = ZoneInfo(settings.TIME_ZONE)
        day = self.cleaned_data["date"]
        start = datetime.datetime.combine(day, self.cleaned_data["start_time"], zone)
        end_time = self.cleaned_data.get("end_time")
        return start, datetime.datetime.combine(day, end_time, zone) if end_time else None

    def details(self) -> dict[str, Any]:
        """The meeting's fields as ``services.update_meeting`` takes them."""
        starts_at, ends_at = self.moments()
        data = self.cleaned_data
        return {
            "starts_at": starts_at,
            "ends_at": ends_at,
            "title": data["title"],
            "location": data["location"],
            "video_url": data["video_url"],
            "papers_deadline": data["papers_deadline"],
        }


class MeetingForm(MeetingDetailsForm):
    joint_with = forms.ModelMultipleChoiceField(
        label=_("Joint meeting with"),
        queryset=Council.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, others: QuerySet[Council], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["joint_with"].queryset = others  # type: ignore[attr-defined]


class MeetingEditForm(VersionedFormMixin, MeetingDetailsForm):
    """The details of a planned meeting, from the version the person saw."""

    @staticmethod
    def initial_for(meeting: Meeting) -> dict[str, Any]:
        starts = timezone.localtime(meeting.starts_at)
        ends = timezone.localtime(meeting.ends_at) if meeting.ends_at else None
        return {
            "date": starts.date(),
            "start_time": starts.time(),
            "end_time": ends.time() if ends else None,
            "title": meeting.title,
            "location": meeting.location,
            "video_url": meeting.video_url,
            "papers_deadline": meeting.papers_deadline,
            "version": meeting.version,
        }


class MoveAgendaItemForm(GuardedForm):
    """One press of "move up" or "move down", with where the item was on the
    page (so a double submit moves it once)."""

    direction = forms.ChoiceField(choices=[(d, d) for d in (Direction.UP, Direction.DOWN)])
    position = forms.IntegerField(min_value=0)


class CasePaperEditor(forms.Textarea):
    """The case paper's editor (councils/static/councils/case-paper-editor.js)
    over a textarea that holds the HTML and is what the form sends; without
    the script the textarea is all there is."""

    template_name = "councils/widgets/case_paper_editor.html"

    class Media:
        css = {"all": ["councils/case-paper-editor.css"]}
        js = [forms.Script("councils/case-paper-editor.js", type="module")]


class CasePaperField(forms.CharField):
    """A part of the case paper: stored as sanitised HTML (plain text becomes
    paragraphs), and refused when its text — not only its markup — holds a
    personal identity number."""

    widget = CasePaperEditor
    default_validators = [richtext.validate_no_identity_number_in_text]

    def to_python(self, value: Any) -> str:
        return richtext.to_html(super().to_python(value))

    def run_validators(self, value: Any) -> None:
        """One message when both the markup (checked as all free text is) and
        its text hold the number."""
        try:
            super().run_validators(value)
        except ValidationError as error:
            unique: dict[tuple[str | None, str], ValidationError] = {}
            for item in error.error_list:
                unique.setdefault((item.code, str(item.message)), item)
            raise ValidationError(list(unique.values())) from None


class CaseTemplateForm(forms.Form):
    """The template a new case starts from (a GET form above the case form)."""

    mal = forms.ChoiceField(
        label=_("Template"),
        required=False,
        choices=[("", _("No template")), *((t.key, t.label) for t in case_templates.TEMPLATES)],
        help_text=_(
            "Fills the case paper with headings and prompts to write over. Text already "
            "written on this page is replaced."
        ),
    )


class CaseForm(VersionedFormMixin, GuardedModelForm):
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Case
        fields = [
            "council",
            "title",
            "visibility",
            "public_title",
            "legal_basis",
            "background",
            "assessment",
            "proposed_decision",
        ]
        field_classes = {
            "background": CasePaperField,
            "assessment": CasePaperField,
            "proposed_decision": CasePaperField,
        }
        widgets = {
            "background": CasePaperEditor(attrs={"rows": 12}),
            "assessment": CasePaperEditor(attrs={"rows": 12}),
            "proposed_decision": CasePaperEditor(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, councils: QuerySet[Council], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils  # type: ignore[attr-defined]
        self.fields["version"].required = False
        if not self.is_bound and self.instance.pk is None:
            self.initial.setdefault("client_key", uuid.uuid4())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("visibility") == Visibility.RESTRICTED:
            if not data.get("legal_basis"):
                self.add_error(
                    "legal_basis",
                    _("An exempt case needs its legal basis, for example “offentleglova § 14”."),
                )
            if not data.get("public_title"):
                self.add_error(
                    "public_title",
                    _("An exempt case needs a public title for the public agenda."),
                )
        return data


class AgendaItemForm(GuardedForm):
    case = forms.ModelChoiceField(label=_("Case"), queryset=Case.objects.none())
    kind = forms.ChoiceField(
        label=_("Handling"),
        choices=[c for c in Treatment.Kind.choices if c[0] != Treatment.Kind.STANDING],
    )

    def __init__(self, *args: Any, cases: QuerySet[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["case"]
        field.queryset = cases  # type: ignore[attr-defined]
        field.label_from_instance = lambda c: f"{c.number} {c.title}"  # type: ignore[attr-defined]


class AppointmentForm(GuardedForm):
    person: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Person"), queryset=User.objects.none()
    )
    role = forms.ChoiceField(label=_("Role"), choices=Appointment.Role.choices)
    position_title = forms.CharField(
        label=_("Position"),
        max_length=200,
        required=False,
        help_text=_("For example ordfører or klinikksjef."),
    )
    has_vote = forms.BooleanField(label=_("Right to vote"), required=False, initial=True)
    on_behalf_of = forms.ChoiceField(label=_("On behalf of"))
    valid_from = forms.DateField(label=_("From"), widget=DATE)

    def __init__(
        self,
        *args: Any,
        people: QuerySet[Any],
        constituencies: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        person.queryset = people  # type: ignore[attr-defined]
        person.label_from_instance = lambda u: f"{u.full_name} ({u.email})"  # type: ignore[attr-defined]
        self.fields["on_behalf_of"].choices = [("", "—"), *constituencies]  # type: ignore[attr-defined]


class DecisionForm(VersionedFormMixin, GuardedForm):
    adopted_as_recommended = forms.BooleanField(
        label=_("Adopted as recommended"), required=False, initial=True
    )
    adopted_text = forms.CharField(
        label=_("Decision as adopted"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only when the meeting changed the recommendation."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].required = False


class FollowUpFromDecisionForm(GuardedForm):
    title = forms.CharField(label=_("What is to be done"), max_length=200)
    responsible_organisation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Responsible party"), queryset=Organisation.objects.none(), required=False
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE, required=False)
    client_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, organisations: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_organisation"].queryset = organisations  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4())


class MinutesApprovalForm(VersionedFormMixin, GuardedForm):
    approved_on = forms.DateField(label=_("Approved on"), widget=DATE)
    approved_by = forms.CharField(
        label=_("Approved by"),
        max_length=300,
        help_text=_("The meeting that approved them, or the names of those who signed."),
    )


class AttachmentForm(GuardedForm):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the file name."),
    )
    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from councils.attachments import allowed_extensions

        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Allowed types: %(types)s. At most %(max)s MB. The file is checked for "
            "personal identity numbers."
        ) % {"types": allowed_extensions(), "max": settings.SAMSPILL_ATTACHMENT_MAX_MB}
        self.fields["file"].widget.attrs["accept"] = ",".join(allowed_extensions().split(", "))
