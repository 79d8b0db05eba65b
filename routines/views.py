"""The internal routine pages under ``/<slug>/intern/rutiner/``.

Every insider reads every routine and version, drafts included; who may
write what is :mod:`routines.access` (the secretariat everything, the owner
party's coordinators and leaders their party's routines, the responsible
person drafts and reviews). Items of another partnership are 404; the rules
live in :mod:`routines.services`.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements.forms import unique_slug
from core.forms import rebind_after_conflict
from core.own import Own
from core.pages import person, posted
from core.services import EditConflict, history_for
from partnerships.access import PartnershipAccess, request_access
from partnerships.capabilities import Capability
from partnerships.views import Crumb, insider_view, staff_crumbs
from routines import publication, services
from routines.access import Rights, get_routine_for_user, get_version_for_user
from routines.forms import InForceForm, ReviewForm, RoutineForm, VersionForm, decision_label
from routines.models import Routine, RoutineVersion
from routines.panels import panels_for

Status = RoutineVersion.Status


def _refused(form: Any, error: ValidationError) -> None:
    """A refusal from the services at the fields it names (when the form has
    them), otherwise above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _crumbs(request: HttpRequest, *extra: Crumb) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    return staff_crumbs(request, (_("Routines"), reverse("routines:index", args=[slug])), *extra)


def _routine_crumb(routine: Routine) -> Crumb:
    return (
        Own(str(routine)),
        reverse("routines:routine", args=[routine.partnership.slug, routine.pk]),
    )


def _version_crumb(version: RoutineVersion) -> Crumb:
    slug = version.routine.partnership.slug
    return (Own(version.label), reverse("routines:version", args=[slug, version.pk]))


@insider_view
def index(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Every routine by agreement, with its owner, version in force, drafts
    and next review (three queries: the routines with their agreement,
    owner and responsible person; their versions)."""
    access = request_access(request)
    routines = (
        Routine.objects.filter(partnership=access.partnership)
        .select_related("agreement__level", "owner_council", "owner_party", "responsible")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=RoutineVersion.objects.order_by("created", "pk"),
                to_attr="all_versions",
            )
        )
        .order_by(
            "agreement__level__position",
            "agreement__position",
            "agreement__number",
            "agreement__title",
            "number",
            "title",
            "pk",
        )
    )
    groups: dict[int, tuple[Any, list[dict[str, Any]]]] = {}
    for routine in routines:
        versions: list[RoutineVersion] = routine.all_versions  # type: ignore[attr-defined]
        groups.setdefault(routine.agreement_id, (routine.agreement, []))[1].append(
            {
                "routine": routine,
                "in_force": next((v for v in versions if v.status == Status.IN_FORCE), None),
                "drafts": sum(1 for v in versions if v.status == Status.DRAFT),
            }
        )
    return render(
        request,
        "routines/manage/index.html",
        {
            "groups": list(groups.values()),
            "today": timezone.localdate(),
            "can_manage": access.can(Capability.MANAGE_ROUTINES),
            "breadcrumbs": staff_crumbs(request, (_("Routines"), None)),
        },
    )


def _routine_form(
    access: PartnershipAccess, data: QueryDict | None, initial: dict[str, Any]
) -> RoutineForm:
    return RoutineForm(data, initial=initial, partnership=access.partnership)


@insider_view
def routine_new(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    access = request_access(request)
    access.require(Capability.MANAGE_ROUTINES)
    form = _routine_form(access, posted(request), {"client_key": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["client_key"]
        existing = services.find_by_client_key(access.partnership, key) if key else None
        if existing is not None:
            messages.info(request, _("This routine had already been created."))
            return redirect("routines:routine", partnership_slug, existing.pk)
        fields = form.routine_fields()
        taken = set(
            Routine.objects.filter(partnership=access.partnership).values_list("slug", flat=True)
        )
        try:
            routine = services.create_routine(
                access.partnership,
                slug=unique_slug(fields["title"], taken),
                client_key=key,
                **fields,
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The routine was created. Write its first version."))
            return redirect("routines:routine", partnership_slug, routine.pk)
    return render(
        request,
        "routines/manage/routine_form.html",
        {
            "form": form,
            "heading": _("New routine"),
            "breadcrumbs": _crumbs(request, (_("New routine"), None)),
        },
        status=400 if form.errors else 200,
    )


@insider_view
def routine_edit(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    routine, rights = get_routine_for_user(access, pk)  # 404 before 403
    rights.require(rights.edit)
    saved = copy.copy(routine)
    form = _routine_form(access, posted(request), RoutineForm.initial_for(routine))
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            services.change_routine(
                routine, form.cleaned_data["version"] or 0, **form.routine_fields()
            )
        except EditConflict as conflict:
            current, _rights = get_routine_for_user(access, pk)
            form = rebind_after_conflict(lambda d: _routine_form(access, d, {}), form, conflict)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The routine was saved."))
            return redirect("routines:routine", partnership_slug, pk)
    return render(
        request,
        "routines/manage/routine_form.html",
        {
            "form": form,
            "current": current,
            "heading": _("Edit routine"),
            "breadcrumbs": _crumbs(request, _routine_crumb(saved), (_("Edit"), None)),
        },
        status=400 if form.errors else 200,
    )


@insider_view
def routine_page(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """The routine with its versions, reviews and history. Queries: the
    routine (1), its versions (1), its reviews with who made them (1), the
    clause it names (1, when it names one), the history (``history_for``,
    for those who read the audit trail)."""
    access = request_access(request)
    routine, rights = get_routine_for_user(access, pk)
    today = timezone.localdate()
    versions = list(routine.versions.order_by("-created", "-pk"))
    reviews = list(routine.reviews.select_related("by").order_by("-reviewed_on", "-pk"))
    clauses = publication.clauses_for([routine], today, public=False)
    in_force = next((v for v in versions if v.status == Status.IN_FORCE), None)
    drafts = [v for v in versions if v.status == Status.DRAFT]
    latest_review = reviews[0] if reviews else None
    return render(
        request,
        "routines/manage/routine.html",
        {
            "routine": routine,
            "rights": rights,
            "versions": versions,
            "in_force": in_force,
            "drafts": drafts,
            "reviews": reviews,
            # The last review asked for a revision that is not in force yet.
            "revision_asked": latest_review is not None
            and latest_review.outcome == latest_review.Outcome.NEEDS_REVISION
            and (
                in_force is None
                or in_force.in_force_from is None
                or in_force.in_force_from <= latest_review.reviewed_on
            ),
            "clause": publication.clause_of(routine, clauses),
            "today": today,
            "panels": panels_for(routine, access),
            "history": history_for(routine) if access.can(Capability.VIEW_AUDIT) else None,
            "breadcrumbs": _crumbs(request, (Own(str(routine)), None)),
        },
    )


def _version_form(
    access: PartnershipAccess, data: QueryDict | None, initial: dict[str, Any]
) -> VersionForm:
    return VersionForm(data, initial=initial, partnership=access.partnership)


def _next_label(routine: Routine) -> str:
    """A name for a new version: the year, and a number when the year has one."""
    year = str(timezone.localdate().year)
    taken = set(routine.versions.values_list("label", flat=True))
    label, n = year, 2
    while label in taken:
        label, n = f"{year}-{n}", n + 1
    return label


@insider_view
def version_new(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """A new draft, starting from the text in force (or the newest draft)."""
    access = request_access(request)
    routine, rights = get_routine_for_user(access, pk)
    rights.require(rights.draft)
    based_on = services.in_force(routine) or routine.versions.order_by("-created", "-pk").first()
    initial = {
        "client_key": uuid.uuid4(),
        "label": _next_label(routine),
        "text": based_on.text if based_on else "",
    }
    form = _version_form(access, posted(request), initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.new_version(
                routine,
                by=person(request),
                client_key=form.cleaned_data["client_key"],
                **form.version_fields(),
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("routines:version", partnership_slug, version.pk)
    return render(
        request,
        "routines/manage/version_form.html",
        {
            "form": form,
            "routine": routine,
            "based_on": based_on,
            "heading": _("New version"),
            "breadcrumbs": _crumbs(request, _routine_crumb(routine), (_("New version"), None)),
        },
        status=400 if form.errors else 200,
    )


def _version_page(
    request: HttpRequest,
    version: RoutineVersion,
    rights: Rights,
    in_force_form: InForceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """A version with its text and origin, and the form to put a draft in
    force (as sent back with its errors, or empty)."""
    access = request_access(request)
    draft = version.is_editable
    if in_force_form is None and draft and rights.put_in_force:
        in_force_form = InForceForm(
            initial={"version": version.version, "in_force_from": timezone.localdate()}
        )
    return render(
        request,
        "routines/manage/version.html",
        {
            "version": version,
            "routine": version.routine,
            "rights": rights,
            "can_edit": draft and rights.draft,
            "in_force_form": in_force_form if draft and rights.put_in_force else None,
            "decision_label": decision_label(version.decision) if version.decision else "",
            "history": history_for(version) if access.can(Capability.VIEW_AUDIT) else None,
            "breadcrumbs": _crumbs(
                request, _routine_crumb(version.routine), (Own(version.label), None)
            ),
        },
        status=status,
    )


@insider_view
def version_page(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    version, rights = get_version_for_user(access, pk)
    return _version_page(request, version, rights)


@insider_view
def version_edit(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    version, rights = get_version_for_user(access, pk)
    rights.require(rights.draft and version.is_editable)
    initial = {
        "version": version.version,
        "label": version.label,
        "text": version.text,
        "summary": version.summary,
        "decision": version.decision_id,
        "followup": version.followup_id,
        "reason": version.reason,
    }
    form = _version_form(access, posted(request), initial)
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            services.change_draft(
                version, form.cleaned_data["version"] or 0, **form.version_fields()
            )
        except EditConflict as conflict:
            current, _rights = get_version_for_user(access, pk)
            form = rebind_after_conflict(lambda d: _version_form(access, d, {}), form, conflict)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("routines:version", partnership_slug, pk)
    return render(
        request,
        "routines/manage/version_form.html",
        {
            "form": form,
            "routine": version.routine,
            "version": version,
            "current": current,
            "heading": _("Edit draft"),
            "breadcrumbs": _crumbs(
                request, _routine_crumb(version.routine), _version_crumb(version), (_("Edit"), None)
            ),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@insider_view
def version_in_force(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """Put a draft in force from a date; the version in force is replaced."""
    access = request_access(request)
    version, rights = get_version_for_user(access, pk)
    rights.require(rights.put_in_force)
    form = InForceForm(request.POST)
    if form.is_valid():
        try:
            services.put_in_force(
                version, form.cleaned_data["version"], form.cleaned_data["in_force_from"]
            )
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The version is in force."))
            return redirect("routines:routine", partnership_slug, version.routine_id)
    # Sent back with its errors: the page as it is now, the form as it was sent.
    version, rights = get_version_for_user(access, pk)
    return _version_page(request, version, rights, form, status=400)


@insider_view
def review_new(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """Record a review: unchanged (the next review moves on) or in need of a
    revision (recorded; the page then invites a new draft)."""
    access = request_access(request)
    routine, rights = get_routine_for_user(access, pk)
    rights.require(rights.review)
    today = timezone.localdate()
    initial = {
        "client_key": uuid.uuid4(),
        "reviewed_on": today,
        "next_review": services.add_months(today, routine.review_interval_months),
    }
    form = ReviewForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.record_review(
                routine,
                reviewed_on=data["reviewed_on"],
                outcome=data["outcome"],
                note=data["note"],
                next_review=data["next_review"],
                by=person(request),
                client_key=data["client_key"],
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            if review.outcome == review.Outcome.NEEDS_REVISION:
                messages.success(
                    request, _("The review was recorded. Make a new version with the revision.")
                )
            else:
                messages.success(request, _("The review was recorded."))
            return redirect("routines:routine", partnership_slug, pk)
    return render(
        request,
        "routines/manage/review_form.html",
        {
            "form": form,
            "routine": routine,
            "has_in_force": services.in_force(routine) is not None,
            "breadcrumbs": _crumbs(request, _routine_crumb(routine), (_("Review"), None)),
        },
        status=400 if form.errors else 200,
    )
