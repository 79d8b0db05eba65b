"""Forms of the internal routine pages."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from agreements.models import Agreement, Clause
from agreements.publication import current_parties
from core.forms import GuardedForm, VersionedFormMixin
from councils.forms import CasePaperEditor, CasePaperField
from councils.models import Council, Decision
from followups.forms import DateInput
from followups.models import FollowUp
from partnerships.access import memberships_in
from partnerships.models import Partnership, PartnershipRole
from routines.models import RoutineReview

COUNCIL, PARTY = "council", "party"


def insiders(partnership: Partnership) -> QuerySet[User]:
    """Active people with a role in the partnership today (one query)."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(memberships__in=memberships_in(partnership).current())
            | Q(
                partnership_roles__in=PartnershipRole.objects.current().filter(
                    partnership=partnership
                )
            )
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def clause_choices(partnership: Partnership) -> list[tuple[str, list[tuple[str, str]]]]:
    """The clauses of the partnership's agreements, grouped by agreement,
    each once (by its key, named as its newest version words it), as
    ``"<agreement id>:<key>"`` (one query)."""
    groups: dict[int, tuple[str, dict[str, str]]] = {}
    for clause in (
        Clause.objects.filter(agreement_version__agreement__partnership=partnership)
        .select_related("agreement_version__agreement")
        .order_by("agreement_version__created", "agreement_version_id", "position", "pk")
    ):
        agreement = clause.agreement_version.agreement
        _name, keys = groups.setdefault(agreement.pk, (str(agreement), {}))
        keys[clause.key] = str(clause)
    return [
        (name, [(f"{pk}:{key}", heading) for key, heading in keys.items()])
        for pk, (name, keys) in sorted(groups.items(), key=lambda item: item[1][0])
    ]


class RoutineForm(VersionedFormMixin, GuardedForm):
    """A routine's place, title, owner, responsible person and interval. The
    owner is one choice among councils and parties, so a routine always has
    exactly one."""

    agreement = forms.ModelChoiceField(
        label=_("Agreement or guideline"), queryset=Agreement.objects.none()
    )
    clause = forms.ChoiceField(
        label=_("Clause"),
        required=False,
        help_text=_("The clause of the agreement the routine puts into practice, if one."),
    )
    number = forms.CharField(label=_("Number"), max_length=20, required=False)
    title = forms.CharField(label=_("Title"), max_length=300)
    owner = forms.ChoiceField(
        label=_("Owner"),
        help_text=_("The council or the party that keeps the routine."),
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsible person"), queryset=User.objects.none(), required=False
    )
    review_interval_months = forms.IntegerField(
        label=_("Review interval (months)"),
        min_value=1,
        max_value=120,
        initial=24,
        help_text=_("The next review is this long after a version comes in force."),
    )
    # Made when the empty form is shown and kept across re-renders, so that
    # sending the new-routine form twice creates one routine.
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].required = False
        self.fields["agreement"].queryset = Agreement.objects.filter(  # type: ignore[attr-defined]
            partnership=partnership
        )
        self.fields["clause"].choices = [  # type: ignore[attr-defined]
            ("", _("The agreement as a whole")),
            *clause_choices(partnership),
        ]
        self.councils = {c.pk: c for c in Council.objects.filter(partnership=partnership)}
        self.parties = {p.pk: p for p in current_parties(partnership)}
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            ("", "---------"),
            (_("Councils"), [(f"{COUNCIL}:{pk}", c.name) for pk, c in self.councils.items()]),
            (_("Parties"), [(f"{PARTY}:{pk}", p.name) for pk, p in self.parties.items()]),
        ]
        people = self.fields["responsible"]
        people.queryset = insiders(partnership)  # type: ignore[attr-defined]
        people.label_from_instance = lambda u: f"{u.full_name} ({u.email})"  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(routine: Any) -> dict[str, Any]:
        """The form's values for an existing routine."""
        owner = (
            f"{COUNCIL}:{routine.owner_council_id}"
            if routine.owner_council_id
            else f"{PARTY}:{routine.owner_party_id}"
        )
        return {
            "version": routine.version,
            "agreement": routine.agreement_id,
            "clause": f"{routine.agreement_id}:{routine.clause_key}" if routine.clause_key else "",
            "number": routine.number,
            "title": routine.title,
            "owner": owner,
            "responsible": routine.responsible_id,
            "review_interval_months": routine.review_interval_months,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agreement, clause = data.get("agreement"), data.get("clause") or ""
        data["clause_key"] = ""
        if clause and agreement is not None:
            pk, _sep, key = clause.partition(":")
            if pk != str(agreement.pk):
                self.add_error("clause", _("The clause is not in the chosen agreement."))
            else:
                data["clause_key"] = key
        kind, _sep, pk = (data.get("owner") or "").partition(":")
        data["owner_council"] = self.councils.get(int(pk)) if kind == COUNCIL else None
        data["owner_party"] = self.parties.get(int(pk)) if kind == PARTY else None
        return data

    def routine_fields(self) -> dict[str, Any]:
        """The cleaned values as :func:`routines.services.change_routine`
        takes them."""
        data = self.cleaned_data
        return {
            "agreement": data["agreement"],
            "clause_key": data["clause_key"],
            "number": data["number"],
            "title": data["title"],
            "owner_council": data["owner_council"],
            "owner_party": data["owner_party"],
            "responsible": data["responsible"],
            "review_interval_months": data["review_interval_months"],
        }


class VersionForm(VersionedFormMixin, GuardedForm):
    """A draft's name, text and where the revision came from."""

    label = forms.CharField(
        label=_("Name of the version"),
        max_length=60,
        help_text=_("For example the year and a number: 2026-2."),
    )
    text = CasePaperField(
        label=_("Text"), required=False, widget=CasePaperEditor(attrs={"rows": 14})
    )
    summary = forms.CharField(
        label=_("What changed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown with the version on the public page once it is in force."),
    )
    decision = forms.ModelChoiceField(
        label=_("Revised after decision"), queryset=Decision.objects.none(), required=False
    )
    followup = forms.ModelChoiceField(
        label=_("Revised after follow-up"), queryset=FollowUp.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Reason for the revision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What led to it: deviations, a review, new national guidance."),
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].required = False
        decisions = self.fields["decision"]
        decisions.queryset = (  # type: ignore[attr-defined]
            Decision.objects.filter(treatment__meeting__council__partnership=partnership)
            .select_related("treatment__case", "treatment__meeting__council")
            .order_by("-treatment__meeting__starts_at", "treatment__position", "pk")
        )
        decisions.label_from_instance = decision_label  # type: ignore[attr-defined]
        followups = self.fields["followup"]
        followups.queryset = FollowUp.objects.filter(  # type: ignore[attr-defined]
            partnership=partnership
        ).order_by("-created", "-pk")
        # Two follow-ups may have one title (the same routine revised twice):
        # where each came from tells them apart.
        followups.label_from_instance = (  # type: ignore[attr-defined]
            lambda f: f"{f.title} ({f.source_label})" if f.source_label else f.title
        )

    def version_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in ("label", "text", "summary", "decision", "followup", "reason")
        }


def decision_label(decision: Decision) -> str:
    """A decision by its case (public title for an exempt case), council and
    meeting day: what the select and the version page show."""
    treatment = decision.treatment
    meeting = treatment.meeting
    council = meeting.council
    day = date_format(timezone.localtime(meeting.starts_at).date(), "SHORT_DATE_FORMAT")
    case = treatment.case
    what = f"{case.number} {case.title_for_public}" if case else str(treatment)
    return f"{council.short_name or council.name} {day}: {what}"


class InForceForm(VersionedFormMixin, GuardedForm):
    in_force_from = forms.DateField(label=_("In force from"), widget=DateInput())


class ReviewForm(GuardedForm):
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DateInput())
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=RoutineReview.Outcome.choices, widget=forms.RadioSelect
    )
    next_review = forms.DateField(
        label=_("Next review"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "When the routine is unchanged. A routine that needs a revision keeps its date "
            "until the new version is in force."
        ),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        reviewed, following = data.get("reviewed_on"), data.get("next_review")
        if isinstance(reviewed, datetime.date) and reviewed > timezone.localdate():
            self.add_error("reviewed_on", _("A review cannot be recorded before it is held."))
        if data.get("outcome") == RoutineReview.Outcome.UNCHANGED:
            if following is None and "next_review" not in self.errors:
                self.add_error("next_review", _("Say when the routine is reviewed next."))
            elif (
                isinstance(reviewed, datetime.date)
                and isinstance(following, datetime.date)
                and following <= reviewed
            ):
                self.add_error("next_review", _("The next review must come after this review."))
        return data
