"""The consultation pages under ``/<slug>/intern/avtaler/``.

Every insider reads a consultation and its answers; the secretariat
(``MANAGE_AGREEMENTS``) sends a draft on consultation, marks answers read
and reminds the parties that have not answered; a party's coordinator or
leader (``ANSWER_CONSULTATION`` for that party) answers for it, and the
secretariat may for anyone. Items of another partnership are 404; the rules
live in :mod:`agreements.consultations`.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements import consultations, services
from agreements.forms import ConsultationAnswerForm, ConsultationForm
from agreements.models import (
    AgreementVersion,
    Clause,
    ClauseComment,
    Consultation,
    ConsultationAnswer,
)
from agreements.views import _agreement_crumb, _crumbs, _stored, _version, remind_and_say
from core.forms import VersionedFormMixin, rebind_after_conflict
from core.own import Own
from core.pages import person
from core.services import EditConflict, error_text
from partnerships.access import PartnershipAccess, request_access
from partnerships.capabilities import Capability
from partnerships.views import Crumb, insider_view


def _consultation(access: PartnershipAccess, pk: int) -> Consultation:
    """The round with its version and agreement (one query)."""
    return get_object_or_404(
        Consultation.objects.select_related("agreement_version__agreement"),
        pk=pk,
        partnership=access.partnership,
    )


def _round_crumbs(request: HttpRequest, consultation: Consultation, *extra: Crumb) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    version = consultation.agreement_version
    crumbs: list[Crumb] = []
    if version is not None:
        crumbs = [
            _agreement_crumb(version.agreement, slug),
            (Own(version.label), reverse("agreements:version", args=[slug, version.pk])),
        ]
    here = (_("Consultation"), reverse("agreements:consultation", args=[slug, consultation.pk]))
    return _crumbs(request, *crumbs, here if extra else (here[0], None), *extra)


def _clauses(consultation: Consultation) -> list[Clause]:
    if consultation.agreement_version_id is None:
        return []
    return list(consultation.agreement_version.clauses.all())  # type: ignore[union-attr]


@insider_view
def open_round(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """Send a draft on consultation: the parties, the deadline, the question."""
    access = request_access(request)
    version = _version(access, pk)
    access.require(Capability.MANAGE_AGREEMENTS)
    if version.status != AgreementVersion.Status.DRAFT:
        messages.error(request, _("Only a draft goes on consultation."))
        return redirect("agreements:version", partnership_slug, pk)
    parties = services.parties_of(version.agreement)
    data = request.POST if request.method == "POST" else None
    form = ConsultationForm(data, parties=parties, initial={"version": version.version})
    if request.method == "POST" and form.is_valid():
        try:
            consultation = consultations.open_consultation(
                version,
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
            messages.success(request, _("The version was sent on consultation to the parties."))
            return redirect("agreements:consultation", partnership_slug, consultation.pk)
    return render(
        request,
        "agreements/manage/consultation_form.html",
        {
            "form": form,
            "version": version,
            "breadcrumbs": _crumbs(
                request,
                _agreement_crumb(version.agreement, partnership_slug),
                (
                    Own(version.label),
                    reverse("agreements:version", args=[partnership_slug, version.pk]),
                ),
                (_("Send on consultation"), None),
            ),
        },
        status=400 if form.errors else 200,
    )


@insider_view
def consultation(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """The round: who has answered, and the answers side by side per clause.

    Queries: the round, the addressed parties, the answers (with their
    authors and documents) and their comments, the clauses — a fixed number
    whatever the number of parties, answers and clauses."""
    access = request_access(request)
    found = _consultation(access, pk)
    rows = consultations.overview(found, access)
    clauses = _clauses(found)
    # The comments per clause, in the order of the parties.
    by_clause: dict[int, list[tuple[str, ClauseComment]]] = {c.pk: [] for c in clauses}
    for row in rows:
        if row.answer is not None:
            for comment in row.answer.comments.all():
                by_clause.setdefault(comment.clause_id, []).append((row.party.name, comment))
    can_manage = access.can(Capability.MANAGE_AGREEMENTS)
    answered = sum(1 for row in rows if row.answer is not None)
    return render(
        request,
        "agreements/manage/consultation.html",
        {
            "consultation": found,
            "version": found.agreement_version,
            "rows": rows,
            "answered": answered,
            "missing": len(rows) - answered,
            "clauses": [(c, by_clause[c.pk]) for c in clauses if by_clause.get(c.pk)],
            "uncommented": [c for c in clauses if not by_clause.get(c.pk)],
            "can_manage": can_manage,
            "breadcrumbs": _round_crumbs(request, found),
        },
    )


@insider_view
def answer(
    request: HttpRequest, partnership_slug: str, pk: int, organisation_pk: int
) -> HttpResponse:
    """One party's answer, written by its coordinator or leader (or the
    secretariat); it can be changed while the round is open."""
    access = request_access(request)
    found = _consultation(access, pk)
    addressed = found.addressed.select_related("organisation").filter(
        organisation_id=organisation_pk
    )
    party = next((a.organisation for a in addressed), None)
    if party is None:
        raise Http404
    if not (
        access.can(Capability.MANAGE_AGREEMENTS)
        or access.can_for(Capability.ANSWER_CONSULTATION, party.pk)
    ):
        raise PermissionDenied
    clauses = _clauses(found)
    existing = (
        ConsultationAnswer.objects.filter(consultation=found, organisation=party)
        .prefetch_related("comments")
        .select_related("document")
        .first()
    )

    def make(data: QueryDict | None, current: ConsultationAnswer | None) -> ConsultationAnswerForm:
        initial: dict[str, object] = {}
        if current is not None:
            initial = {
                "version": current.version,
                "position": current.position,
                "text": current.text,
            }
            initial |= {f"clause_{c.clause_id}": c.text for c in current.comments.all()}
        return ConsultationAnswerForm(
            data,
            request.FILES if data is not None else None,
            clauses=clauses,
            initial=initial,
        )

    form = make(request.POST if request.method == "POST" else None, existing)
    current = None
    if request.method == "POST" and not found.is_open:
        form.add_error(None, _("The consultation is closed; answers can no longer be changed."))
    elif request.method == "POST" and form.is_valid():
        document = _stored(request, form)
        if not form.errors:
            try:
                consultations.answer(
                    found,
                    party,
                    form.cleaned_data["version"],
                    position=form.cleaned_data["position"],
                    text=form.cleaned_data["text"],
                    comments=form.comments(),
                    document=document,
                    by=person(request),
                )
            except EditConflict as conflict:
                consultations.discard(document)
                current = ConsultationAnswer.objects.get(consultation=found, organisation=party)
                form = rebind_after_conflict(lambda d: make(d, copy.copy(current)), form, conflict)
            except ValidationError as error:
                consultations.discard(document)
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("%(party)s's answer was sent to the secretariat.") % {"party": party.name},
                )
                return redirect("agreements:consultation", partnership_slug, found.pk)
    return render(
        request,
        "agreements/manage/consultation_answer.html",
        {
            "form": form,
            "consultation": found,
            "party": party,
            "existing": existing,
            "current": current,
            "breadcrumbs": _round_crumbs(request, found, (party.name, None)),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@insider_view
def mark_read(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    found = get_object_or_404(
        ConsultationAnswer.objects.select_related("consultation", "organisation"),
        pk=pk,
        consultation__partnership=access.partnership,
    )
    access.require(Capability.MANAGE_AGREEMENTS)
    form = VersionedFormMixin(request.POST)
    if form.is_valid():
        try:
            consultations.mark_read(found, form.cleaned_data["version"], by=person(request))
        except EditConflict as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                _("%(party)s's answer is marked read.") % {"party": found.organisation.name},
            )
    else:
        messages.error(request, _("The answer changed meanwhile. Read it again."))
    return redirect("agreements:consultation", partnership_slug, found.consultation_id)


@require_POST
@insider_view
def remind(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    found = _consultation(access, pk)
    access.require(Capability.MANAGE_AGREEMENTS)
    remind_and_say(request, lambda: consultations.remind(found))
    return redirect("agreements:consultation", partnership_slug, pk)
