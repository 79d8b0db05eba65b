from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import GuardedForm, GuardedModelForm, VersionedFormMixin
from followups.models import FollowUp
from partnerships.access import memberships_in, participating_organisations
from partnerships.models import Organisation, Partnership


class DateInput(forms.DateInput):
    """The browser's own date picker; the value travels as ISO 8601."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class _FollowUpFieldsForm(GuardedModelForm):
    class Meta:
        model = FollowUp
        fields = [
            "title",
            "description",
            "responsible_organisation",
            "responsible_person",
            "deadline",
            "review_date",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "deadline": DateInput(),
            "review_date": DateInput(),
        }

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = self.fields["responsible_organisation"]
        organisations.queryset = participating_organisations(partnership).order_by("name")  # type: ignore[attr-defined]
        people = self.fields["responsible_person"]
        people.queryset = (  # type: ignore[attr-defined]
            User.objects.filter(
                is_active=True, memberships__in=memberships_in(partnership).current()
            )
            .distinct()
            .order_by("full_name")
        )
        people.label_from_instance = lambda u: f"{u.full_name} ({u.email})"  # type: ignore[attr-defined]


class FollowUpCreateForm(_FollowUpFieldsForm):
    # Made when the empty form is shown and kept across re-renders, so that
    # submitting the same form twice creates one follow-up.
    client_key = forms.UUIDField(widget=forms.HiddenInput)


class FollowUpEditForm(VersionedFormMixin, _FollowUpFieldsForm):
    pass


class LogEntryForm(GuardedForm):
    text = forms.CharField(label=_("Remark"), widget=forms.Textarea(attrs={"rows": 4}))
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("How far the follow-up has come, from 0 to 100."),
    )
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput())


class StatusForm(VersionedFormMixin, GuardedForm):
    """One small form per status the follow-up may move to next."""

    status = forms.ChoiceField(choices=FollowUp.Status.choices, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, target: str, **kwargs: Any) -> None:
        # Several of these forms share a page: ids must stay unique.
        kwargs.setdefault("auto_id", f"id_status_{target}_%s")
        kwargs.setdefault("initial", {})["status"] = target
        super().__init__(*args, **kwargs)
        self.target = target
        self.target_label = dict(FollowUp.Status.choices)[target]
        self.fields["comment"].label = _("Comment on the change to “%(status)s”") % {
            "status": self.target_label
        }


class FilterForm(GuardedForm):
    """The overview's filters (GET). Every field is optional; the status
    defaults to the open follow-ups."""

    OPEN = "open"
    ALL = "all"

    status = forms.ChoiceField(label=_("Status"), required=False)
    origin = forms.ChoiceField(label=_("Origin"), required=False)
    group = forms.ChoiceField(label=_("Council or group"), required=False)
    organisation = forms.ChoiceField(label=_("Responsible party"), required=False)
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)

    def __init__(
        self,
        *args: Any,
        organisations: list[Organisation],
        groups: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (self.OPEN, _("Open (planned or in progress)")),
            (self.ALL, _("All statuses")),
            *FollowUp.Status.choices,
        ]
        self.fields["origin"].choices = [("", _("All origins")), *FollowUp.Origin.choices]  # type: ignore[attr-defined]
        self.fields["group"].choices = [("", _("All")), *((g, g) for g in groups)]  # type: ignore[attr-defined]
        self.fields["organisation"].choices = [  # type: ignore[attr-defined]
            ("", _("All parties")),
            *((str(o.pk), o.name) for o in organisations),
        ]
