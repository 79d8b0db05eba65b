"""The internal agreement pages under ``/<slug>/intern/avtaler/``.

Every insider reads every agreement and version, drafts included; the
secretariat (``MANAGE_AGREEMENTS``) drafts and moves versions on and
records any party's ratification; a party's coordinator or leader
(``RECORD_RATIFICATION``) records their own party's. Items of another
partnership are 404; the rules live in :mod:`agreements.services`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from agreements import services
from agreements.consultations import discard, store_document
from agreements.forms import (
    AgreementForm,
    CaseForm,
    ClauseForm,
    DirectorateForm,
    MoveOnForm,
    NewVersionForm,
    RatificationForm,
    TerminationForm,
    unique_slug,
)
from agreements.models import (
    Agreement,
    AgreementLevel,
    AgreementVersion,
    Clause,
    Document,
    Ratification,
)
from core.forms import rebind_after_conflict
from core.own import Own
from core.pages import person, posted
from core.services import EditConflict, error_text, history_for, save_versioned
from councils.models import Council, Decision, Meeting
from partnerships.access import PartnershipAccess, request_access
from partnerships.capabilities import Capability
from partnerships.models import Organisation
from partnerships.views import Crumb, insider_view, staff_crumbs

Status = AgreementVersion.Status


def _crumbs(request: HttpRequest, *extra: Crumb) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    return staff_crumbs(
        request, (_("Agreements"), reverse("agreements:index", args=[slug])), *extra
    )


def _agreement(access: PartnershipAccess, pk: int) -> Agreement:
    return get_object_or_404(
        Agreement.objects.select_related("level", "owner", "yields_to"),
        pk=pk,
        partnership=access.partnership,
    )


def _version(access: PartnershipAccess, pk: int) -> AgreementVersion:
    return get_object_or_404(
        AgreementVersion.objects.select_related(
            "agreement__level", "previous", "case", "adopted_by__treatment__meeting__council"
        ),
        pk=pk,
        agreement__partnership=access.partnership,
    )


def _clause(access: PartnershipAccess, pk: int) -> Clause:
    return get_object_or_404(
        Clause.objects.select_related("agreement_version__agreement"),
        pk=pk,
        agreement_version__agreement__partnership=access.partnership,
    )


def _agreement_crumb(agreement: Agreement, slug: str) -> Crumb:
    return (Own(str(agreement)), reverse("agreements:agreement", args=[slug, agreement.pk]))


@insider_view
def index(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Every agreement by level with its versions and where each one is."""
    access = request_access(request)
    agreements = (
        Agreement.objects.filter(partnership=access.partnership)
        .select_related("level")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=AgreementVersion.objects.annotate(
                    adopted=Count(
                        "ratifications",
                        filter=Q(ratifications__outcome__in=Ratification.BINDING),
                    )
                ).order_by("created", "pk"),
            )
        )
    )
    levels: dict[AgreementLevel, list[Agreement]] = {}
    for agreement in agreements:
        levels.setdefault(agreement.level, []).append(agreement)
    return render(
        request,
        "agreements/manage/index.html",
        {
            "levels": sorted(levels.items(), key=lambda item: (item[0].position, item[0].name)),
            "can_manage": access.can(Capability.MANAGE_AGREEMENTS),
            "to_record": services.ratifications_to_record(access),
            "breadcrumbs": staff_crumbs(request, (_("Agreements"), None)),
        },
    )


def _agreement_form(
    access: PartnershipAccess, data: QueryDict | None, instance: Agreement | None = None
) -> AgreementForm:
    partnership = access.partnership
    target = instance or Agreement(partnership=partnership)
    return AgreementForm(
        data,
        instance=target,
        initial={"version": target.version},
        levels=AgreementLevel.objects.filter(partnership=partnership),
        parties=services.parties_of(Agreement(partnership=partnership, all_parties=True)),
        agreements=Agreement.objects.filter(partnership=partnership),
        councils=Council.objects.filter(partnership=partnership),
    )


@insider_view
def agreement_new(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    access = request_access(request)
    access.require(Capability.MANAGE_AGREEMENTS)
    form = _agreement_form(access, posted(request))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            agreement = form.save(commit=False)
            taken = set(
                Agreement.objects.filter(partnership=access.partnership).values_list(
                    "slug", flat=True
                )
            )
            agreement.slug = unique_slug(f"{agreement.number} {agreement.title}", taken)
            agreement.save()
            form.save_m2m()
        messages.success(request, _("The agreement was created. Write its first version."))
        return redirect("agreements:agreement", partnership_slug, agreement.pk)
    return render(
        request,
        "agreements/manage/agreement_form.html",
        {
            "form": form,
            "heading": _("New agreement"),
            "breadcrumbs": _crumbs(request, (_("New agreement"), None)),
        },
        status=400 if form.errors else 200,
    )


@insider_view
def agreement_edit(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    agreement = _agreement(access, pk)  # 404 before 403: not this partnership's
    access.require(Capability.MANAGE_AGREEMENTS)
    saved = copy.copy(agreement)
    form = _agreement_form(access, posted(request), agreement)
    current = None
    if request.method == "POST" and form.is_valid():
        fields = ["level", "number", "title", "all_parties", "yields_to", "owner"]
        try:
            with transaction.atomic():
                save_versioned(form.instance, form.cleaned_data["version"] or 0, fields)
                form.instance.parties.set(form.cleaned_data["parties"])
        except EditConflict as conflict:
            current = _agreement(access, pk)
            form = rebind_after_conflict(
                lambda d: _agreement_form(access, d, copy.copy(current)), form, conflict
            )
        else:
            messages.success(request, _("The agreement was saved."))
            return redirect("agreements:agreement", partnership_slug, pk)
    return render(
        request,
        "agreements/manage/agreement_form.html",
        {
            "form": form,
            "current": current,
            "heading": _("Edit agreement"),
            "breadcrumbs": _crumbs(
                request, _agreement_crumb(saved, partnership_slug), (_("Edit"), None)
            ),
        },
        status=400 if form.errors else 200,
    )


@insider_view
def agreement_page(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    return _agreement_page(request, access, _agreement(access, pk), NewVersionForm())


def _agreement_page(
    request: HttpRequest,
    access: PartnershipAccess,
    agreement: Agreement,
    version_form: NewVersionForm,
    status: int = 200,
) -> HttpResponse:
    """The agreement with its versions, notices and the new-version form (as
    sent back with its errors, or empty)."""
    own = access.parties_where(Capability.RECORD_RATIFICATION)
    return render(
        request,
        "agreements/manage/agreement.html",
        {
            "agreement": agreement,
            "versions": list(agreement.versions.order_by("-created", "-pk")),
            "parties": list(agreement.parties.order_by("name")),
            "can_manage": access.can(Capability.MANAGE_AGREEMENTS),
            # Only a coordinator or leader of a bound party needs the parties counted.
            "can_terminate": access.can(Capability.MANAGE_AGREEMENTS)
            or bool(own and _terminating_parties(access, agreement)),
            "terminations": list(
                agreement.terminations.select_related("organisation").order_by("ends_on")
            ),
            "version_form": version_form,
            "history": history_for(agreement) if access.can(Capability.VIEW_AUDIT) else None,
            "breadcrumbs": _crumbs(request, (Own(str(agreement)), None)),
        },
        status=status,
    )


def _terminating_parties(access: PartnershipAccess, agreement: Agreement) -> list[Organisation]:
    """The parties this person may give notice for: any, for the secretariat;
    otherwise those where they record ratifications."""
    parties = services.parties_of(agreement)
    if access.can(Capability.MANAGE_AGREEMENTS):
        return parties
    own = access.parties_where(Capability.RECORD_RATIFICATION)
    return [p for p in parties if p.pk in own]


@insider_view
def agreement_terminate(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """Record a party's notice (oppsigelse) of the agreement."""
    access = request_access(request)
    agreement = _agreement(access, pk)
    parties = _terminating_parties(access, agreement)
    if not parties:
        raise PermissionDenied
    form = TerminationForm(posted(request), parties=parties)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_termination(
                agreement,
                data["organisation"],
                notice_given_on=data["notice_given_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
                by=person(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The notice was recorded."))
            return redirect("agreements:agreement", partnership_slug, pk)
    return render(
        request,
        "agreements/manage/termination_form.html",
        {
            "form": form,
            "agreement": agreement,
            "breadcrumbs": _crumbs(
                request, _agreement_crumb(agreement, partnership_slug), (_("Notice"), None)
            ),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@insider_view
def version_directorate(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """§ 6-4: record the day the link was sent to Helsedirektoratet."""
    access = request_access(request)
    version = _version(access, pk)
    access.require(Capability.MANAGE_AGREEMENTS)
    form = DirectorateForm(request.POST)
    if form.is_valid():
        try:
            services.record_sent_to_directorate(
                version, form.cleaned_data["version"], form.cleaned_data["sent_on"]
            )
        except (ValidationError, EditConflict) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The day the link was sent is recorded."))
    else:
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    return redirect("agreements:version", partnership_slug, pk)


@require_POST
@insider_view
def version_new(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """A new draft, based on the latest version (its clauses copied)."""
    access = request_access(request)
    agreement = _agreement(access, pk)  # 404 before 403: not this partnership's
    access.require(Capability.MANAGE_AGREEMENTS)
    form = NewVersionForm(request.POST)
    if form.is_valid():
        latest = agreement.versions.order_by("-created", "-pk").first()
        try:
            version = services.new_version(
                agreement, form.cleaned_data["label"], by=person(request), based_on=latest
            )
        except ValidationError as error:
            form.add_error("label", error)
        else:
            messages.success(request, _("The draft was made from the latest version."))
            return redirect("agreements:version", partnership_slug, version.pk)
    return _agreement_page(request, access, agreement, form, status=400)


def _ratification_rows(
    version: AgreementVersion, access: PartnershipAccess
) -> list[tuple[Organisation, Ratification | None, bool]]:
    """Each party the version binds, its ratification (or none yet), and
    whether this person may record it."""
    by_party = {r.organisation_id: r for r in version.ratifications.all()}
    return [
        (
            party,
            by_party.get(party.pk),
            access.can(Capability.MANAGE_AGREEMENTS)
            or access.can_for(Capability.RECORD_RATIFICATION, party.pk),
        )
        for party in services.parties_of(version.agreement)
    ]


def _summary(
    rows: list[tuple[Organisation, Ratification | None, bool]], version: AgreementVersion
) -> dict[str, int]:
    Outcome = Ratification.Outcome
    counts = {outcome.value: 0 for outcome in Outcome}
    for _party, ratification, _may in rows:
        counts[ratification.outcome if ratification else Outcome.PENDING] += 1
    counts["parties"] = len(rows)
    counts["adopted_all"] = counts[Outcome.ADOPTED] + counts[Outcome.ADOPTED_WITH_CHANGES]
    started = version.sent_to_parties_on
    counts["pending_days"] = (
        (timezone.localdate() - started).days if started and counts[Outcome.PENDING] else 0
    )
    return counts


@insider_view
def version_page(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    version = _version(access, pk)
    clauses = list(version.clauses.prefetch_related("coverage", "joint_measures"))
    can_manage = access.can(Capability.MANAGE_AGREEMENTS)
    rows = (
        _ratification_rows(version, access)
        if version.status in services.RATIFIABLE and version.agreement.level.ratified
        else []
    )
    steps = _steps(version)
    return render(
        request,
        "agreements/manage/version.html",
        {
            "version": version,
            "agreement": version.agreement,
            "clauses": clauses,
            "can_manage": can_manage,
            "can_edit": can_manage and version.is_editable,
            "move_form": _move_form(version, None) if can_manage and steps else None,
            "asks_decision": Status.ADOPTED in steps,
            "consultations": list(
                version.consultations.annotate(answered=Count("answers")).order_by("-opened_at")
            ),
            "can_consult": can_manage and version.status == Status.DRAFT,
            "case_form": CaseForm(meetings=_open_meetings(version))
            if can_manage and _may_prepare_case(version)
            else None,
            "rows": rows,
            "summary": _summary(rows, version) if rows else None,
            "directorate_form": DirectorateForm(
                initial={"version": version.version, "sent_on": version.sent_to_directorate_on}
            )
            if can_manage and version.is_public
            else None,
            "history": history_for(version) if access.can(Capability.VIEW_AUDIT) else None,
            "breadcrumbs": _crumbs(
                request,
                _agreement_crumb(version.agreement, partnership_slug),
                (Own(version.label), None),
            ),
        },
    )


def _steps(version: AgreementVersion) -> set[str]:
    """Where the move-on form may take the version: consultation has its
    own form (parties and deadline), and adoption needs the council case."""
    steps = services.TRANSITIONS[version.status] - {Status.CONSULTATION}
    if version.case_id is None:
        steps -= {Status.ADOPTED}
    return steps


def _move_form(version: AgreementVersion, data: QueryDict | None) -> MoveOnForm:
    return MoveOnForm(
        data,
        steps=_steps(version),
        decisions=Decision.objects.filter(treatment__case=version.case).select_related(
            "treatment__meeting__council"
        ),
        initial={"version": version.version},
    )


def _may_prepare_case(version: AgreementVersion) -> bool:
    return (
        version.case_id is None
        and version.status in (Status.DRAFT, Status.CONSULTATION)
        and version.agreement.owner_id is not None
    )


def _open_meetings(version: AgreementVersion) -> Any:
    """Coming meetings of the owner council whose agenda is still open."""
    from councils.services import AGENDA_OPEN

    return Meeting.objects.filter(
        council=version.agreement.owner,
        status__in=AGENDA_OPEN,
        starts_at__gte=timezone.now(),
    ).select_related("council")


@require_POST
@insider_view
def version_case(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """Prepare the owner council's case that adopts the version."""
    access = request_access(request)
    version = _version(access, pk)
    access.require(Capability.MANAGE_AGREEMENTS)
    form = CaseForm(request.POST, meetings=_open_meetings(version))
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
        return redirect("agreements:version", partnership_slug, pk)
    try:
        case, created = services.prepare_case(
            version, by=person(request), meeting=form.cleaned_data["meeting"]
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("agreements:version", partnership_slug, pk)
    if created:
        messages.success(
            request, _("The case was made. Check its paper before the notice goes out.")
        )
    return redirect("councils:case", partnership_slug, case.pk)


@require_POST
@insider_view
def version_remind(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """Remind the parties that have not yet recorded their body's decision."""
    access = request_access(request)
    version = _version(access, pk)
    access.require(Capability.MANAGE_AGREEMENTS)
    remind_and_say(request, lambda: services.remind_ratification(version))
    return redirect("agreements:version", partnership_slug, pk)


def remind_and_say(request: HttpRequest, remind: Callable[[], list[Organisation]]) -> None:
    """Send a reminder (of a consultation or a ratification) and say to how
    many parties it went, or why none."""
    try:
        reminded = remind()
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s party was reminded.", "%(count)s parties were reminded.", len(reminded)
            )
            % {"count": len(reminded)},
        )


@insider_view
def document(request: HttpRequest, partnership_slug: str, pk: int) -> StreamingHttpResponse:
    """A party's consultation document or signed ratification record."""
    from councils.documents import attachment_response

    access = request_access(request)
    found = get_object_or_404(Document, pk=pk, partnership=access.partnership)
    return attachment_response(found)  # type: ignore[arg-type]


@require_POST
@insider_view
def version_move_on(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    version = _version(access, pk)
    access.require(Capability.MANAGE_AGREEMENTS)
    form = _move_form(version, request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
        return redirect("agreements:version", partnership_slug, pk)
    try:
        services.move_on(
            version,
            form.cleaned_data["version"],
            form.cleaned_data["to"],
            in_force_from=form.cleaned_data["in_force_from"],
            decision=form.cleaned_data["decision"],
        )
    except (ValidationError, EditConflict) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The version was moved on."))
    return redirect("agreements:version", partnership_slug, pk)


def _clause_page(
    request: HttpRequest,
    version: AgreementVersion,
    form: ClauseForm,
    clause: Clause | None,
    current: Clause | None = None,
) -> HttpResponse:
    slug = request_access(request).partnership.slug
    return render(
        request,
        "agreements/manage/clause_form.html",
        {
            "form": form,
            "version": version,
            "clause": clause,
            "current": current,
            "breadcrumbs": _crumbs(
                request,
                _agreement_crumb(version.agreement, slug),
                (Own(version.label), reverse("agreements:version", args=[slug, version.pk])),
                (Own(str(clause)) if clause else _("New clause"), None),
            ),
        },
        status=400 if form.errors else 200,
    )


@insider_view
def clause_new(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    version = _version(access, pk)
    access.require(Capability.MANAGE_AGREEMENTS)
    if not version.is_editable:
        raise Http404  # nothing to add to: the page does not offer it
    form = ClauseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_clause(
                version,
                number=data["number"],
                heading=data["heading"],
                text=data["text"],
                points=data["points"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The clause was added."))
            return redirect("agreements:version", partnership_slug, version.pk)
    return _clause_page(request, version, form, None)


@insider_view
def clause_edit(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    clause = _clause(access, pk)
    access.require(Capability.MANAGE_AGREEMENTS)
    version = clause.agreement_version
    if not version.is_editable:
        raise PermissionDenied
    initial = {
        "version": clause.version,
        "number": clause.number,
        "heading": clause.heading,
        "text": clause.text,
        "points": list(clause.coverage.values_list("point", flat=True)),
    }
    form = ClauseForm(posted(request), initial=initial)
    current = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_clause(
                clause,
                data["version"] or 0,
                number=data["number"],
                heading=data["heading"],
                text=data["text"],
                points=data["points"],
            )
        except EditConflict as conflict:
            current = _clause(access, pk)
            form = rebind_after_conflict(lambda d: ClauseForm(d), form, conflict)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The clause was saved."))
            return redirect("agreements:version", partnership_slug, version.pk)
    return _clause_page(request, version, form, clause, current)


@require_POST
@insider_view
def clause_remove(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    clause = _clause(access, pk)
    access.require(Capability.MANAGE_AGREEMENTS)
    version_pk = clause.agreement_version_id
    try:
        services.remove_clause(clause)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The clause was removed."))
    return redirect("agreements:version", partnership_slug, version_pk)


def _stored(request: HttpRequest, form: Any) -> Document | None:
    """The form's checked ``document`` stored, or None; a refused file is
    the field's error."""
    upload = form.cleaned_data.get("document")
    if not upload:
        return None
    try:
        return store_document(request_access(request).partnership, upload, by=person(request))
    except ValidationError as error:
        form.add_error("document", error)
        return None


@insider_view
def ratification(
    request: HttpRequest, partnership_slug: str, pk: int, organisation_pk: int
) -> HttpResponse:
    """One party's ratification of one version: recorded by the party's
    coordinator or leader, or by the secretariat for anyone."""
    access = request_access(request)
    version = _version(access, pk)
    party = next(
        (p for p in services.parties_of(version.agreement) if p.pk == organisation_pk), None
    )
    if party is None or version.status not in services.RATIFIABLE:
        raise Http404
    if not (
        access.can(Capability.MANAGE_AGREEMENTS)
        or access.can_for(Capability.RECORD_RATIFICATION, party.pk)
    ):
        raise PermissionDenied
    existing = Ratification.objects.filter(agreement_version=version, organisation=party).first()

    def make(data: QueryDict | None, instance: Ratification | None = existing) -> RatificationForm:
        target = instance or Ratification(agreement_version=version, organisation=party)
        return RatificationForm(
            data,
            request.FILES if data is not None else None,
            instance=target,
            initial={"version": target.version if instance else None},
        )

    form = make(posted(request), copy.copy(existing) if existing else None)
    current = None
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in RatificationForm.Meta.fields}
        expected = form.cleaned_data["version"]
        document = _stored(request, form)
        if not form.errors:
            if document is not None:
                data["document"] = document
            try:
                services.record_ratification(version, party, expected, by=person(request), **data)
            except EditConflict as conflict:
                discard(document)
                current = Ratification.objects.get(agreement_version=version, organisation=party)
                form = rebind_after_conflict(lambda d: make(d, copy.copy(current)), form, conflict)
            except ValidationError as error:
                discard(document)
                form.add_error(None, error)
            else:
                messages.success(request, _("The ratification was recorded."))
                return redirect("agreements:version", partnership_slug, version.pk)
    return render(
        request,
        "agreements/manage/ratification_form.html",
        {
            "form": form,
            "version": version,
            "party": party,
            "current": current,
            "breadcrumbs": _crumbs(
                request,
                _agreement_crumb(version.agreement, partnership_slug),
                (
                    Own(version.label),
                    reverse("agreements:version", args=[partnership_slug, version.pk]),
                ),
                (party.name, None),
            ),
        },
        status=400 if form.errors else 200,
    )
