"""The forms of the action plan: a progress report, and a plan, goal and
measure as the secretariat writes them."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from agreements.models import Agreement
from agreements.publication import current_parties
from core.forms import GuardedForm, VersionedFormMixin
from councils.models import Case, Decision
from followups.forms import DateInput
from followups.models import FollowUp
from indicators.models import Indicator
from partnerships.models import Organisation, Partnership
from plans.models import ActionPlan, Goal, Measure, PriorityGroup, Project
from routines.forms import decision_label, insiders


class ProgressForm(VersionedFormMixin, GuardedForm):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    progress = forms.IntegerField(
        label=_("Progress (per cent)"),
        min_value=0,
        max_value=100,
        help_text=_("How far the measure has come, from 0 to 100."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Measure.Status.choices)
    text = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Shown on the public page of the plan with the date. Never write anything "
            "that identifies a patient."
        ),
    )
    organisation = forms.ModelChoiceField(
        label=_("For party"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=None,
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, parties: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[p.pk for p in parties]).order_by(
            "name"
        )
        if len(parties) <= 1:
            field.widget = forms.HiddenInput()
            if parties:
                self.initial.setdefault("organisation", parties[0].pk)

    def clean_date(self) -> datetime.date:
        date: datetime.date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("A progress report cannot be dated in the future."))
        return date


class PlanForm(VersionedFormMixin, GuardedForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    first_year = forms.IntegerField(label=_("First year"), min_value=2000, max_value=2100)
    last_year = forms.IntegerField(label=_("Last year"), min_value=2000, max_value=2100)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=ActionPlan.Status.choices)
    decision = forms.ModelChoiceField(
        label=_("Adopted by the council's decision"),
        queryset=Decision.objects.none(),
        required=False,
        help_text=_("The public page links to the case when it is public."),
    )
    adopted_on = forms.DateField(label=_("Adopted on"), required=False, widget=DateInput)
    report_every_days = forms.IntegerField(
        label=_("Progress reported every (days)"), min_value=7, max_value=366
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].required = False
        field = self.fields["decision"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Decision.objects.filter(treatment__meeting__council__partnership=partnership)
            .select_related("treatment__case", "treatment__meeting__council")
            .order_by("-treatment__meeting__starts_at", "-pk")
        )
        field.label_from_instance = decision_label  # type: ignore[method-assign, assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_year"), data.get("last_year")
        if first is not None and last is not None and last < first:
            self.add_error("last_year", _("The last year cannot come before the first."))
        if data.get("status") == ActionPlan.Status.ADOPTED and not data.get("adopted_on"):
            self.add_error("adopted_on", _("Give the date the plan was adopted."))
        return data


class GoalForm(VersionedFormMixin, GuardedForm):
    priority_group = forms.ChoiceField(label=_("Priority group"), choices=PriorityGroup.choices)
    title = forms.CharField(label=_("Goal"), max_length=300)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    weight = forms.IntegerField(
        label=_("Weight"),
        min_value=1,
        max_value=100,
        help_text=_(
            "How much the goal counts in its group and in the plan "
            "(1 unless the plan says otherwise)."
        ),
    )
    position = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=999,
        help_text=_("Where it comes in the list: lower numbers first."),
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].required = False


def _several(label: Promise, model: type[Any]) -> forms.ModelMultipleChoiceField:
    """A list to choose several of (its choices are set by the form)."""
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=model.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (Cmd on a Mac) to choose more than one."),
    )


class MeasureForm(VersionedFormMixin, GuardedForm):
    title = forms.CharField(label=_("Measure"), max_length=300)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    parent = forms.ModelChoiceField(
        label=_("Part of measure"),
        queryset=Measure.objects.none(),
        required=False,
        empty_label=_("None: directly under the goal"),
    )
    responsible_parties = forms.ModelMultipleChoiceField(
        label=_("Responsible parties"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    responsible_person = forms.ModelChoiceField(
        label=_("Responsible person"), queryset=User.objects.none(), required=False
    )
    starts_on = forms.DateField(label=_("Start"), required=False, widget=DateInput)
    ends_on = forms.DateField(label=_("End"), required=False, widget=DateInput)
    status = forms.ChoiceField(label=_("Status"), choices=Measure.Status.choices)
    weight = forms.IntegerField(
        label=_("Weight"),
        min_value=1,
        max_value=100,
        help_text=_(
            "How much the measure counts in what it is part of (1 unless the plan says otherwise)."
        ),
    )
    position = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=999,
        help_text=_("Where it comes in the list: lower numbers first."),
    )
    indicators = forms.ModelMultipleChoiceField(
        label=_("Indicators it is to move"),
        queryset=Indicator.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Shown beside the measure, with the partnership's figures."),
    )
    cases = _several(_("Council cases it concerns"), Case)
    decisions = _several(_("Decisions it follows up"), Decision)
    followups = _several(_("Follow-ups it concerns"), FollowUp)
    agreements = forms.ModelMultipleChoiceField(
        label=_("Agreements it concerns"),
        queryset=Agreement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        goal: Goal,
        partnership: Partnership,
        measure: Measure | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].required = False
        parent = self.fields["parent"]
        assert isinstance(parent, forms.ModelChoiceField)
        candidates = Measure.objects.filter(goal=goal).order_by("position", "pk")
        if measure is not None:
            # Not itself, nor a measure under it: a measure cannot be part of itself.
            candidates = candidates.exclude(pk__in=[measure.pk, *descendants(measure)])
        parent.queryset = candidates
        parties = self.fields["responsible_parties"]
        assert isinstance(parties, forms.ModelMultipleChoiceField)
        parties.queryset = Organisation.objects.filter(
            pk__in=[p.pk for p in current_parties(partnership)]
        ).order_by("name")
        people = self.fields["responsible_person"]
        assert isinstance(people, forms.ModelChoiceField)
        people.queryset = insiders(partnership)
        people.label_from_instance = lambda user: user.full_name  # type: ignore[method-assign, assignment]
        _link_choices(self, partnership)

    def clean(self) -> dict[str, Any]:
        return _dates_in_order(self, super().clean() or {})


def _link_choices(form: forms.Form, partnership: Partnership) -> None:
    """What a measure may concern: the partnership's own cases, decisions,
    follow-ups and agreements (another partnership's is an invalid choice),
    and the catalogue's indicators."""

    def own(item: Any) -> str:
        # A checkbox's label is the partnership's text: marked with its
        # language on a page in another (WCAG 3.1.2).
        language = partnership.content_language
        if language == (get_language() or "").split("-")[0]:
            return str(item)
        return format_html('<span lang="{}">{}</span>', language, str(item))

    choices: dict[str, tuple[Any, Any]] = {
        "indicators": (Indicator.objects.all(), own),
        "cases": (
            Case.objects.filter(partnership=partnership).order_by("-pk"),
            lambda case: f"{case.number} {case.title}",
        ),
        "decisions": (
            Decision.objects.filter(treatment__case__partnership=partnership)
            .select_related("treatment__case", "treatment__meeting__council")
            .order_by("-pk"),
            decision_label,
        ),
        "followups": (
            FollowUp.objects.filter(partnership=partnership).order_by("-pk"),
            lambda followup: followup.title,
        ),
        "agreements": (Agreement.objects.filter(partnership=partnership), own),
    }
    for name, (queryset, label) in choices.items():
        field = form.fields[name]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = queryset
        field.label_from_instance = label  # type: ignore[method-assign]


def descendants(measure: Measure) -> list[int]:
    """The ids of every measure under ``measure`` (one query per level)."""
    found: list[int] = []
    level = [measure.pk]
    while level:
        level = list(Measure.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        found.extend(level)
    return found


class ProjectForm(VersionedFormMixin, GuardedForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    owner = forms.ModelChoiceField(label=_("Project owner"), queryset=Organisation.objects.none())
    parties = forms.ModelMultipleChoiceField(
        label=_("Parties taking part"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    starts_on = forms.DateField(label=_("Start"), required=False, widget=DateInput)
    ends_on = forms.DateField(label=_("End"), required=False, widget=DateInput)
    status = forms.ChoiceField(label=_("Status"), choices=Project.Status.choices)
    funding = forms.IntegerField(
        label=_("Funding (NOK)"), required=False, min_value=0, max_value=10**12
    )
    funding_source = forms.CharField(label=_("Source of funding"), required=False, max_length=300)
    measure = forms.ModelChoiceField(
        label=_("The measure it serves"),
        queryset=Measure.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    results = forms.CharField(
        label=_("Results"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    public = forms.BooleanField(
        label=_("Public"),
        required=False,
        help_text=_("Shown with its status reports on the public pages of the action plan."),
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].required = False
        parties = Organisation.objects.filter(
            pk__in=[p.pk for p in current_parties(partnership)]
        ).order_by("name")
        for name in ("owner", "parties"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = parties
        measure = self.fields["measure"]
        assert isinstance(measure, forms.ModelChoiceField)
        measure.queryset = (
            Measure.objects.filter(goal__plan__partnership=partnership)
            .select_related("goal__plan")
            .order_by("-goal__plan__first_year", "goal__position", "position", "pk")
        )
        measure.label_from_instance = lambda m: f"{m.goal.plan.period}: {m.title}"  # type: ignore[method-assign, assignment]

    def clean(self) -> dict[str, Any]:
        return _dates_in_order(self, super().clean() or {})


class ProjectReportForm(VersionedFormMixin, GuardedForm):
    period = forms.CharField(
        label=_("Period"),
        max_length=40,
        help_text=_("What the report covers, for example “1st half of 2026”."),
    )
    date = forms.DateField(label=_("Date"), widget=DateInput)
    status = forms.ChoiceField(label=_("Status"), choices=Project.Status.choices)
    text = forms.CharField(
        label=_("Status report"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Shown on the public page when the project is public. Never write anything "
            "that identifies a patient."
        ),
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def clean_date(self) -> datetime.date:
        date: datetime.date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("A status report cannot be dated in the future."))
        return date


def _dates_in_order(form: forms.Form, data: dict[str, Any]) -> dict[str, Any]:
    """A measure or project does not end before it starts."""
    start, end = data.get("starts_on"), data.get("ends_on")
    if start and end and end < start:
        form.add_error("ends_on", _("The end cannot come before the start."))
    return data
