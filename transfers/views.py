"""The task transfer pages under ``/<slug>/intern/oppgaveoverforing/``.

Who may do what is in :mod:`transfers.access`; the rules live in
:mod:`transfers.services`. Items of another partnership are 404, writes an
insider may not do 403; a form sent back with its errors is a 400 that keeps
what was typed.
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements import consultations
from agreements.models import AgreementVersion
from core.forms import VersionedFormMixin, rebind_after_conflict
from core.own import Own
from core.pages import person, posted
from core.services import EditConflict, error_text, history_for
from councils.models import Decision
from partnerships.access import PartnershipAccess, request_access
from partnerships.capabilities import Capability
from partnerships.models import Organisation
from partnerships.views import Crumb, insider_view, staff_crumbs
from transfers import services
from transfers.access import Rights, get_transfer_for_user, may_assess_for
from transfers.forms import AssessmentForm, CaseForm, ConsultationForm, OutcomeForm, TransferForm
from transfers.models import ASPECTS, ConsequenceAssessment, TaskTransfer

Kind = TaskTransfer.Kind
Status = TaskTransfer.Status


def _crumbs(request: HttpRequest, *extra: Crumb) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    return staff_crumbs(
        request, (_("Task transfers"), reverse("transfers:index", args=[slug])), *extra
    )


def _transfer_crumb(transfer: TaskTransfer) -> Crumb:
    return (
        Own(transfer.title),
        reverse("transfers:transfer", args=[transfer.partnership.slug, transfer.pk]),
    )


def _proposers(access: PartnershipAccess) -> list[Organisation]:
    """The parties this person proposes or registers for: any, for the
    secretariat; otherwise those where their own role gives the right."""
    found = services.parties(access.partnership)
    if access.can(Capability.MANAGE_AGREEMENTS):
        return found
    own = access.parties_where(Capability.PROPOSE_TASK_TRANSFER)
    return [p for p in found if p.pk in own]


@insider_view
def index(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Proposals and registrations, each by status (one query, with the
    three parties of each)."""
    access = request_access(request)
    access.require(Capability.VIEW_INTERNAL)
    order = {status: i for i, status in enumerate(Status.values)}
    found = sorted(
        TaskTransfer.objects.filter(partnership=access.partnership).select_related(
            "from_party", "to_party", "proposing_party"
        ),
        key=lambda t: (order[t.status], -t.created.timestamp(), -t.pk),
    )
    may_propose = access.can(Capability.MANAGE_AGREEMENTS) or bool(
        access.parties_where(Capability.PROPOSE_TASK_TRANSFER)
    )
    return render(
        request,
        "transfers/index.html",
        {
            "sections": [
                (
                    "proposals",
                    _("Proposals"),
                    [t for t in found if t.kind == Kind.PROPOSAL],
                ),
                (
                    "unagreed",
                    _("Tasks moved without agreement"),
                    [t for t in found if t.kind == Kind.UNAGREED],
                ),
            ],
            "may_propose": may_propose,
            "breadcrumbs": staff_crumbs(request, (_("Task transfers"), None)),
        },
    )


@insider_view
def propose(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    return _new(request, Kind.PROPOSAL)


@insider_view
def register(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    return _new(request, Kind.UNAGREED)


def _new(request: HttpRequest, kind: str) -> HttpResponse:
    access = request_access(request)
    access.require(Capability.VIEW_INTERNAL)
    proposers = _proposers(access)
    if not proposers:
        raise PermissionDenied
    form = TransferForm(
        posted(request),
        kind=kind,
        parties=services.parties(access.partnership),
        proposers=proposers,
    )
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.create(
                access.partnership,
                kind,
                by=person(request),
                proposing_party=form.cleaned_data["proposing_party"],
                assessment=form.aspects(),
                client_key=form.cleaned_data["client_key"],
                **form.facts(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The proposal was made. The secretariat sends it on consultation to the parties.")
                if kind == Kind.PROPOSAL
                else _(
                    "The task transfer was registered. The secretariat takes it to the council."
                ),
            )
            return redirect("transfers:transfer", access.partnership.slug, transfer.pk)
    heading = (
        _("Propose a task transfer")
        if kind == Kind.PROPOSAL
        else _("Register a task moved without agreement")
    )
    return render(
        request,
        "transfers/transfer_form.html",
        {
            "form": form,
            "kind": kind,
            "heading": heading,
            "breadcrumbs": _crumbs(request, (heading, None)),
        },
        status=400 if form.errors else 200,
    )


@insider_view
def edit(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """The facts, while the transfer is proposed or registered."""
    access = request_access(request)
    transfer, may = get_transfer_for_user(access, pk)
    may.require(may.change and transfer.is_editable)
    parties = services.parties(access.partnership)

    def make(data: QueryDict | None, instance: TaskTransfer) -> TransferForm:
        return TransferForm(
            data,
            kind=transfer.kind,
            parties=parties,
            proposers=None,
            assess=False,
            initial={
                "version": instance.version,
                **{name: getattr(instance, name) for name in services.FACTS},
            },
        )

    form = make(posted(request), transfer)
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            services.change(transfer, form.cleaned_data["version"] or 0, **form.facts())
        except EditConflict as conflict:
            current, _may = get_transfer_for_user(access, pk)
            form = rebind_after_conflict(lambda d: make(d, copy.copy(current)), form, conflict)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The task transfer was saved."))
            return redirect("transfers:transfer", partnership_slug, pk)
    return render(
        request,
        "transfers/transfer_form.html",
        {
            "form": form,
            "kind": transfer.kind,
            "transfer": transfer,
            "current": current,
            "heading": _("Change the task transfer"),
            "breadcrumbs": _crumbs(request, _transfer_crumb(transfer), (_("Change"), None)),
        },
        status=400 if form.errors else 200,
    )


def _columns(
    access: PartnershipAccess,
    transfer: TaskTransfer,
    addressed: list[Organisation],
    assessments: list[ConsequenceAssessment],
) -> list[tuple[Organisation, ConsequenceAssessment | None, bool]]:
    """The affected parties, the two of the transfer first: each with its
    assessment (or none yet) and whether this person may write it now."""
    by_party = {a.organisation_id: a for a in assessments}
    found: dict[int, Organisation] = {}
    for party in [
        transfer.from_party,
        transfer.to_party,
        transfer.proposing_party,
        *sorted(addressed, key=lambda p: p.name),
    ]:
        found.setdefault(party.pk, party)
    return [
        (
            party,
            by_party.get(party.pk),
            transfer.is_assessable and may_assess_for(access, party.pk),
        )
        for party in found.values()
    ]


@insider_view
def transfer_page(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """The facts, the assessments side by side, the consultation, the case
    and its decision, and what the person may do next.

    Queries: the transfer with its parties, consultation, case, decision and
    agreement version (1); the assessments with their authors (1); with a
    consultation, its addressed parties and their answers (2); for those who
    read the audit trail, its history (1 + one per kind of link changed) —
    a fixed number whatever the number of parties, answers and assessments."""
    access = request_access(request)
    transfer, may = get_transfer_for_user(access, pk)
    assessments = list(transfer.assessments.select_related("written_by"))
    rows = consultations.overview(transfer.consultation) if transfer.consultation else []
    columns = _columns(access, transfer, [r.party for r in rows], assessments)
    answered_all = all(r.answer is not None for r in rows)
    return render(
        request,
        "transfers/transfer.html",
        {
            "transfer": transfer,
            "may": may,
            "columns": columns,
            "aspect_rows": [
                (label, [getattr(a, name) if a else "" for _p, a, _m in columns])
                for name, label in ASPECTS
            ],
            "rows": rows,
            "answered": sum(1 for r in rows if r.answer is not None),
            "actions": _actions(transfer, may, answered_all),
            "history": history_for(transfer) if access.can(Capability.VIEW_AUDIT) else None,
            "breadcrumbs": _crumbs(request, (Own(transfer.title), None)),
        },
    )


def _actions(transfer: TaskTransfer, may: Rights, answered_all: bool) -> dict[str, bool]:
    steps = services.next_steps(transfer)
    return {
        "edit": may.change and transfer.is_editable,
        "consult": may.manage and Status.CONSULTATION in steps,
        "case": may.manage and services.ready_for_council(transfer, answered_all=answered_all),
        "case_waits": may.manage
        and Status.FOR_DECISION in steps
        and transfer.case_id is None
        and not services.ready_for_council(transfer, answered_all=answered_all),
        "outcome": may.manage
        and (bool(steps & services.OUTCOMES) or transfer.status == Status.AGREED),
        "withdraw": may.change and Status.WITHDRAWN in steps,
    }


@insider_view
def assessment(
    request: HttpRequest, partnership_slug: str, pk: int, organisation_pk: int
) -> HttpResponse:
    """One affected party's consequence assessment, written by its
    coordinator or leader (or the secretariat) until the council has the case."""
    access = request_access(request)
    transfer, _may = get_transfer_for_user(access, pk)
    if organisation_pk not in services.affected_party_ids(transfer):
        raise Http404
    if not may_assess_for(access, organisation_pk):
        raise PermissionDenied
    if not transfer.is_assessable:
        raise Http404  # nothing to write any more: the page does not offer it
    party = Organisation.objects.get(pk=organisation_pk)
    existing = ConsequenceAssessment.objects.filter(transfer=transfer, organisation=party).first()

    def make(data: QueryDict | None, current: ConsequenceAssessment | None) -> AssessmentForm:
        initial: dict[str, Any] = {}
        if current is not None:
            initial = {"version": current.version} | {
                name: getattr(current, name) for name, _label in ASPECTS
            }
        return AssessmentForm(data, initial=initial)

    form = make(posted(request), existing)
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            services.assess(
                transfer, party, form.cleaned_data["version"], by=person(request), **form.aspects()
            )
        except EditConflict as conflict:
            current = ConsequenceAssessment.objects.get(transfer=transfer, organisation=party)
            form = rebind_after_conflict(lambda d: make(d, current), form, conflict)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(party)s's consequence assessment was saved.") % {"party": party.name},
            )
            return redirect("transfers:transfer", partnership_slug, pk)
    return render(
        request,
        "transfers/assessment_form.html",
        {
            "form": form,
            "transfer": transfer,
            "party": party,
            "current": current,
            "breadcrumbs": _crumbs(request, _transfer_crumb(transfer), (party.name, None)),
        },
        status=400 if form.errors else 200,
    )


@insider_view
def consultation(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """Send a proposal on consultation: the deadline, the question, and the
    parties besides the two of the transfer."""
    access = request_access(request)
    transfer, may = get_transfer_for_user(access, pk)
    may.require(may.manage)
    if Status.CONSULTATION not in services.next_steps(transfer):
        messages.error(
            request, _("Only a proposal that has not been sent on goes on consultation.")
        )
        return redirect("transfers:transfer", partnership_slug, pk)
    others = [
        p
        for p in services.parties(access.partnership)
        if p.pk not in (transfer.from_party_id, transfer.to_party_id)
    ]
    form = ConsultationForm(
        posted(request),
        others=others,
        initial={
            "version": transfer.version,
            "message": services.consultation_message(transfer),
            "deadline": timezone.localdate() + datetime.timedelta(days=42),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.send_on_consultation(
                transfer,
                form.cleaned_data["version"],
                deadline=form.cleaned_data["deadline"],
                message=form.cleaned_data["message"],
                parties=form.cleaned_data["parties"],
                by=person(request),
                client_key=form.cleaned_data["client_key"],
            )
        except (ValidationError, EditConflict) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The proposal was sent on consultation to the parties."))
            return redirect("transfers:transfer", partnership_slug, pk)
    return render(
        request,
        "transfers/consultation_form.html",
        {
            "form": form,
            "transfer": transfer,
            "breadcrumbs": _crumbs(
                request, _transfer_crumb(transfer), (_("Send on consultation"), None)
            ),
        },
        status=400 if form.errors else 200,
    )


@insider_view
def case(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """Make the council's case: ASU or PSU, and a coming meeting if chosen."""
    access = request_access(request)
    transfer, may = get_transfer_for_user(access, pk)
    may.require(may.manage)
    if transfer.case_id is not None:
        return redirect("councils:case", partnership_slug, transfer.case_id)
    if Status.FOR_DECISION not in services.next_steps(transfer):
        raise Http404  # not on its way to a council: the page does not offer it
    form = CaseForm(
        posted(request),
        councils=services.deciding_councils(access.partnership),
        meetings=services.open_meetings(access.partnership),
    )
    if request.method == "POST" and form.is_valid():
        try:
            made, _created = services.prepare_case(
                transfer,
                council=form.cleaned_data["council"],
                meeting=form.cleaned_data["meeting"],
                by=person(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The case was made. Check its paper before the notice goes out.")
            )
            return redirect("councils:case", partnership_slug, made.pk)
    return render(
        request,
        "transfers/case_form.html",
        {
            "form": form,
            "transfer": transfer,
            "ready": services.ready_for_council(transfer),
            "breadcrumbs": _crumbs(request, _transfer_crumb(transfer), (_("To the council"), None)),
        },
        status=400 if form.errors else 200,
    )


@insider_view
def outcome(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """The council's outcome with its decision; for an agreed transfer, the
    agreement version that describes it (also afterwards)."""
    access = request_access(request)
    transfer, may = get_transfer_for_user(access, pk)
    may.require(may.manage)
    steps = sorted(services.next_steps(transfer) & services.OUTCOMES)
    if not steps and transfer.status != Status.AGREED:
        raise Http404  # nothing to record
    decisions = Decision.objects.filter(treatment__case_id=transfer.case_id or 0).select_related(
        "treatment__meeting__council"
    )
    versions = (
        AgreementVersion.objects.filter(agreement__partnership=access.partnership)
        .select_related("agreement")
        .order_by("agreement__position", "agreement__title", "-created")
    )

    def make(data: QueryDict | None, instance: TaskTransfer) -> OutcomeForm:
        return OutcomeForm(
            data,
            steps=steps,
            decisions=decisions,
            versions=versions,
            initial={
                "version": instance.version,
                "agreement_version": instance.agreement_version_id,
                "decision": decisions[0].pk if len(decisions) == 1 else None,
            },
        )

    form = make(posted(request), transfer)
    current = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if steps:
                services.record_outcome(
                    transfer,
                    data["version"],
                    outcome=data["outcome"],
                    decision=data["decision"],
                    agreement_version=data.get("agreement_version"),
                    by=person(request),
                )
            else:
                services.describe_in(transfer, data["version"], data["agreement_version"])
        except EditConflict as conflict:
            current, _may = get_transfer_for_user(access, pk)
            form = rebind_after_conflict(lambda d: make(d, current), form, conflict)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The outcome was recorded."))
            return redirect("transfers:transfer", partnership_slug, pk)
    return render(
        request,
        "transfers/outcome_form.html",
        {
            "form": form,
            "transfer": transfer,
            "current": current,
            "no_decision": bool(steps) and not decisions,
            "heading": _("Record the council's outcome")
            if steps
            else _("The agreement version that describes it"),
            "breadcrumbs": _crumbs(request, _transfer_crumb(transfer), (_("Outcome"), None)),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@insider_view
def withdraw(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    transfer, may = get_transfer_for_user(access, pk)
    may.require(may.change)
    form = VersionedFormMixin(request.POST)
    if not form.is_valid():
        messages.error(request, _("The transfer changed meanwhile. Read it again."))
    else:
        try:
            services.withdraw(transfer, form.cleaned_data["version"], by=person(request))
        except (ValidationError, EditConflict) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The task transfer was withdrawn."))
    return redirect("transfers:transfer", partnership_slug, pk)
