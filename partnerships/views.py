"""The partnership's internal area: people, roles, parties and their contacts.

Every view gets ``request.partnership`` and ``request.access`` from
:class:`partnerships.middleware.PartnershipMiddleware` and fetches objects
through the helpers in :mod:`partnerships.access` (404 for outsiders, 403 for
insiders without the capability).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import AcceptInvitationForm
from accounts.models import User
from accounts.services import complete_login, requires_two_factor, start_pending_login
from accounts.views import sso_links
from core.forms import invalid_filter_response, rebind_after_conflict
from core.services import EditConflict, error_text, history_for
from partnerships import exports, register, services, workqueue
from partnerships.access import (
    can_edit_contact,
    get_invitation_for_user,
    get_membership_for_user,
    get_organisation_for_user,
    get_partnership_role_for_user,
    memberships_in,
    participating_organisations,
    request_access,
)
from partnerships.capabilities import Capability
from partnerships.forms import (
    ContactForm,
    GrantRoleForm,
    InviteForm,
    MembershipRoleForm,
    PeopleFilterForm,
    VersionOnlyForm,
)
from partnerships.models import Contact, Invitation, Membership, Participation, PartnershipRole

View = Callable[..., HttpResponseBase]


def insider_view(view: View) -> View:
    """Log-in required, then 404 unless the person has a role in the partnership."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        request.access.require_insider()  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


Crumb = tuple[str, str | None]


def staff_crumbs(request: HttpRequest, *extra: Crumb) -> list[Crumb]:
    """Breadcrumbs of the internal area: partnership › Internal › …; the last
    crumb is the current page (no link)."""
    partnership = request_access(request).partnership
    crumbs: list[Crumb] = [
        (partnership.name, reverse("portal:home", args=[partnership.slug])),
        (_("Internal"), reverse("staff:home", args=[partnership.slug])),
        *extra,
    ]
    crumbs[-1] = (crumbs[-1][0], None)
    return crumbs


@insider_view
def home(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    access = request_access(request)
    my_orgs = (
        participating_organisations(access.partnership)
        .filter(pk__in=access.organisation_ids)
        .order_by("name")
    )
    crumbs = staff_crumbs(request)
    # Members of a party that lets all members report see the deviations link
    # too (the work areas are apps of their own; imported here, not at the top).
    from deviations.access import member_reporting_ids

    return render(
        request,
        "partnerships/home.html",
        {
            "my_organisations": my_orgs,
            "reports_deviations": bool(member_reporting_ids(access)),
            "queue": workqueue.collect(access, request.user),
            "breadcrumbs": crumbs,
        },
    )


@insider_view
def people(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """The register: everyone with a role or a seat in the partnership today,
    one row per person with all their roles (see :mod:`partnerships.register`),
    filtered, and the open invitations for those who manage people.

    Queries: the register's (participations with organisations, partnership
    roles, memberships, councils, seats) and the open invitations.
    """
    access = request_access(request)
    access.require(Capability.VIEW_PEOPLE)
    form = PeopleFilterForm(request.GET, register=register.collect(access))
    # A value that is not valid is marked at its field; the others still apply.
    valid = form.is_valid()
    can_manage = access.can(Capability.MANAGE_PEOPLE)
    invitations = []
    if can_manage:
        invitations = list(
            Invitation.objects.filter(
                partnership=access.partnership,
                status=Invitation.Status.PENDING,
                expires__gt=timezone.now(),
            ).select_related("organisation")
        )
    return render(
        request,
        "partnerships/people.html",
        {
            "form": form,
            "entries": form.entries(),
            "export_query": form.query() if valid else None,
            "invitations": invitations,
            "can_manage": can_manage,
            "breadcrumbs": staff_crumbs(request, (_("People"), None)),
        },
        status=200 if valid else 400,
    )


@insider_view
def people_export(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """The register's rows under the page's filter as an Excel workbook (the
    register's queries, none more). A filter that is not valid is a 400 saying
    why."""
    access = request_access(request)
    access.require(Capability.VIEW_PEOPLE)
    found = register.collect(access)
    form = PeopleFilterForm(request.GET, register=found)
    if not form.is_valid():
        return invalid_filter_response(form)
    response = HttpResponse(
        exports.xlsx_bytes(form.entries(), found.kinds), content_type=exports.CONTENT_TYPE
    )
    name = f"personer-{access.partnership.slug}-{timezone.localdate().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@insider_view
def invite(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    access = request_access(request)
    access.require(Capability.MANAGE_PEOPLE)
    organisations = participating_organisations(access.partnership).order_by("name")
    initial = {}
    if request.GET.get("organisasjon", "").isdigit():
        initial["organisation"] = int(request.GET["organisasjon"])
    form = InviteForm(request.POST or None, organisations=organisations, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, created = services.invite(
                partnership=access.partnership,
                organisation=form.cleaned_data["organisation"],
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            if created:
                messages.success(
                    request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
                )
            else:
                messages.info(
                    request,
                    _("%(email)s was already invited; the invitation was sent again.")
                    % {"email": invitation.email},
                )
            return redirect("staff:people", partnership_slug)
    return render(
        request,
        "partnerships/invite.html",
        {
            "form": form,
            "breadcrumbs": staff_crumbs(
                request,
                (_("People"), reverse("staff:people", args=[partnership_slug])),
                (_("Invite"), None),
            ),
        },
    )


@require_POST
@insider_view
def revoke_invitation(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    invitation = get_invitation_for_user(request_access(request), pk)
    services.revoke_invitation(invitation)
    messages.success(
        request, _("The invitation to %(email)s was revoked.") % {"email": invitation.email}
    )
    return redirect("staff:people", partnership_slug)


@insider_view
def membership_detail(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    membership = get_membership_for_user(access, pk)
    form = MembershipRoleForm(
        request.POST or None, initial={"role": membership.role, "version": membership.version}
    )
    end_form = VersionOnlyForm(initial={"version": membership.version})
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "end":
            end_form = VersionOnlyForm(request.POST)
            if end_form.is_valid():
                try:
                    services.end_membership(membership, end_form.cleaned_data["version"])
                except EditConflict as conflict:
                    membership.refresh_from_db()
                    end_form = rebind_after_conflict(VersionOnlyForm, end_form, conflict)
                else:
                    messages.success(request, _("The membership has ended."))
                    return redirect("staff:people", partnership_slug)
            form = MembershipRoleForm(
                initial={"role": membership.role, "version": membership.version}
            )
        elif form.is_valid():
            try:
                services.change_membership_role(
                    membership, form.cleaned_data["role"], form.cleaned_data["version"]
                )
            except EditConflict as conflict:
                membership.refresh_from_db()
                form = rebind_after_conflict(MembershipRoleForm, form, conflict)
            else:
                messages.success(request, _("The role was changed."))
                return redirect("staff:membership", partnership_slug, membership.pk)
    return render(
        request,
        "partnerships/membership.html",
        {
            "membership": membership,
            "form": form,
            "end_form": end_form,
            "history": history_for(membership) if access.can(Capability.VIEW_AUDIT) else None,
            "breadcrumbs": staff_crumbs(
                request,
                (_("People"), reverse("staff:people", args=[partnership_slug])),
                (membership.user.full_name, None),
            ),
        },
    )


@insider_view
def roles(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    access = request_access(request)
    access.require(Capability.MANAGE_PARTNERSHIP_ROLES)
    people = (
        User.objects.filter(
            is_active=True,
            memberships__in=memberships_in(access.partnership).current(),
        )
        .distinct()
        .order_by("full_name")
    )
    form = GrantRoleForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        services.grant_partnership_role(
            access.partnership, form.cleaned_data["user"], form.cleaned_data["role"]
        )
        messages.success(request, _("The role was given."))
        return redirect("staff:roles", partnership_slug)
    current = (
        PartnershipRole.objects.current()
        .filter(partnership=access.partnership)
        .select_related("user")
        .order_by("role", "user__full_name")
    )
    return render(
        request,
        "partnerships/roles.html",
        {
            "form": form,
            "current_roles": list(current),
            "breadcrumbs": staff_crumbs(request, (_("Partnership roles"), None)),
        },
    )


@require_POST
@insider_view
def revoke_role(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    role = get_partnership_role_for_user(request_access(request), pk)
    try:
        services.revoke_partnership_role(role)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The role was ended."))
    return redirect("staff:roles", partnership_slug)


@insider_view
def organisations(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Parties and observers with their number of current members (one query
    for the participations with organisation and region, one for the counts)."""
    access = request_access(request)
    access.require(Capability.VIEW_PEOPLE)
    participations = list(
        Participation.objects.current()
        .filter(partnership=access.partnership)
        .select_related("organisation", "region")
        .order_by("role", "organisation__name")
    )
    today = timezone.localdate()
    counts = dict(
        Membership.objects.filter(
            organisation_id__in=[p.organisation_id for p in participations],
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today), valid_from__lte=today)
        .values_list("organisation_id")
        .annotate(n=Count("id"))
        .values_list("organisation_id", "n")
    )
    for participation in participations:
        participation.member_count = counts.get(participation.organisation_id, 0)  # type: ignore[attr-defined]
    return render(
        request,
        "partnerships/organisations.html",
        {
            "participations": participations,
            "breadcrumbs": staff_crumbs(request, (_("Parties and observers"), None)),
        },
    )


@insider_view
def organisation_detail(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    organisation = get_organisation_for_user(access, pk)
    members = (
        Membership.objects.current()
        .filter(organisation=organisation)
        .select_related("user")
        .order_by("user__full_name")
    )
    contact = getattr(organisation, "contact", None)
    return render(
        request,
        "partnerships/organisation.html",
        {
            "organisation": organisation,
            "contact": contact,
            "members": list(members),
            "can_edit_contact": can_edit_contact(access, organisation),
            "can_manage": access.can(Capability.MANAGE_PEOPLE),
            "history": history_for(organisation) if access.can(Capability.VIEW_AUDIT) else None,
            "contact_history": (
                history_for(contact) if contact and access.can(Capability.VIEW_AUDIT) else None
            ),
            "breadcrumbs": staff_crumbs(
                request,
                (
                    _("Parties and observers"),
                    reverse("staff:organisations", args=[partnership_slug]),
                ),
                (organisation.name, None),
            ),
        },
    )


@insider_view
def edit_contact(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    organisation = get_organisation_for_user(access, pk)
    if not can_edit_contact(access, organisation):
        raise PermissionDenied
    contact = getattr(organisation, "contact", None) or Contact(organisation=organisation)
    current = None
    form = ContactForm(request.POST or None, instance=contact, initial={"version": contact.version})
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ContactForm.Meta.fields}
        try:
            if contact.pk is None:
                form.save()
            else:
                services.update_contact(contact, data, form.cleaned_data["version"])
        except EditConflict as conflict:
            current = Contact.objects.get(pk=contact.pk)
            # The form gets its own copy: validating writes the typed values
            # into its instance, and `current` must keep the saved ones.
            form = rebind_after_conflict(
                lambda data: ContactForm(data, instance=Contact.objects.get(pk=contact.pk)),
                form,
                conflict,
            )
        else:
            messages.success(request, _("The contact details were saved."))
            return redirect("staff:organisation", partnership_slug, organisation.pk)
    return render(
        request,
        "partnerships/contact_form.html",
        {
            "form": form,
            "organisation": organisation,
            "current": current,
            "breadcrumbs": staff_crumbs(
                request,
                (
                    _("Parties and observers"),
                    reverse("staff:organisations", args=[partnership_slug]),
                ),
                (organisation.name, reverse("staff:organisation", args=[partnership_slug, pk])),
                (_("Contact details"), None),
            ),
        },
    )


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Public link from the invitation e-mail (lives under /konto/)."""
    invitation = services.invitation_by_token(token)
    if invitation is None:
        return render(request, "partnerships/invitation_invalid.html", status=404)
    # An account closed by the retention rules (see partnerships/retention.py)
    # is taken up again as a new person would: a name and a new password.
    existing = User.objects.filter(email=invitation.email, is_active=True).first()
    if existing is not None:
        # Someone who already has an account accepts while logged in as themselves.
        if not request.user.is_authenticated:
            messages.info(request, _("Log in to accept the invitation."))
            return redirect(reverse("accounts:login") + "?next=" + request.path)
        if request.user.pk != existing.pk:
            return render(request, "partnerships/invitation_invalid.html", status=404)
        if request.method == "POST":
            services.accept_invitation(invitation, user=existing)
            messages.success(
                request,
                _("You are now a member of %(org)s.") % {"org": invitation.organisation.name},
            )
            return redirect("staff:home", invitation.partnership.slug)
        return render(
            request,
            "partnerships/invitation_accept.html",
            {
                "invitation": invitation,
                "form": None,
                "providers": sso_links(request, invitasjon=token),
            },
        )
    form = AcceptInvitationForm(
        request.POST or None, email=invitation.email, initial={"full_name": invitation.full_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                invitation,
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if requires_two_factor(user):
                start_pending_login(request, user)
                return redirect("accounts:two_factor_setup")
            complete_login(request, user)
            messages.success(
                request,
                _("Welcome! You are now a member of %(org)s.")
                % {"org": invitation.organisation.name},
            )
            return redirect("staff:home", invitation.partnership.slug)
    return render(
        request,
        "partnerships/invitation_accept.html",
        {"invitation": invitation, "form": form, "providers": sso_links(request, invitasjon=token)},
    )
