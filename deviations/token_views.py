"""The page where a party's coordinators (and the secretariat) issue and
revoke API tokens for their own deviation system."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts.models import User
from core.forms import GuardedForm
from deviations import tokens
from deviations.access import parties_in_charge
from deviations.models import OrganisationToken
from partnerships.access import PartnershipAccess, request_access
from partnerships.models import Organisation
from partnerships.views import Crumb, insider_view, staff_crumbs


class TokenForm(GuardedForm):
    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=gettext_lazy("Party"), queryset=Organisation.objects.none()
    )
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, for example “Synergi-integrasjon”."),
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in organisations]
        ).order_by("name")
        if len(organisations) == 1 and not self.is_bound:
            self.initial.setdefault("organisation", organisations[0].pk)
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4())


def _crumbs(request: HttpRequest) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    return staff_crumbs(
        request,
        (_("Deviations"), reverse("deviations:list", args=[slug])),
        (_("API tokens"), None),
    )


def _organisations(access: PartnershipAccess) -> list[Organisation]:
    """The parties this person issues tokens to; 403 if none (outsiders got
    404 from ``insider_view`` already)."""
    organisations = parties_in_charge(access)
    if not organisations:
        raise PermissionDenied
    return organisations


def _page(
    request: HttpRequest,
    organisations: list[Organisation],
    *,
    form: TokenForm | None = None,
    new_token: str = "",
    new_row: OrganisationToken | None = None,
    status: int = 200,
) -> HttpResponse:
    access = request_access(request)
    return render(
        request,
        "deviations/tokens.html",
        {
            "form": form or TokenForm(organisations=organisations),
            "tokens": tokens.visible_tokens(access, organisations),
            "new_token": new_token,
            "new_row": new_row,
            "breadcrumbs": _crumbs(request),
        },
        status=status,
    )


@require_safe
@insider_view
def token_list(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """The tokens of the person's parties (all parties for the secretariat)
    and the form to issue one (constant queries, see test_tokens)."""
    return _page(request, _organisations(request_access(request)))


@never_cache
@require_POST
@insider_view
def token_create(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Issue a token and show it, this once. The answer is the page itself,
    not a redirect: the token is kept nowhere to show it again, and
    ``never_cache`` keeps it out of the browser's cache. A second submit of
    the same form (same client key) makes no second token."""
    access = request_access(request)
    organisations = _organisations(access)
    form = TokenForm(request.POST, organisations=organisations)
    if not form.is_valid():
        return _page(request, organisations, form=form, status=400)
    made = tokens.issue_token_once(
        access,
        form.cleaned_data["organisation"],
        name=form.cleaned_data["name"],
        by=cast(User, request.user),
        client_key=form.cleaned_data["client_key"],
        session=request.session,
    )
    if made is None:
        flash.info(
            request,
            _(
                "This form was already sent and the token made then was shown then. "
                "If you did not copy it, revoke it and make a new one."
            ),
        )
        return redirect("deviations:tokens", partnership_slug)
    row, token = made
    return _page(request, organisations, new_token=token, new_row=row)


@require_POST
@insider_view
def token_revoke(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    access = request_access(request)
    organisations = _organisations(access)
    # Another party's token, or another partnership's: 404, as if missing.
    row = get_object_or_404(
        OrganisationToken,
        pk=pk,
        partnership=access.partnership,
        organisation__in=[o.pk for o in organisations],
    )
    if tokens.revoke_token(row):
        flash.success(
            request, _("The token “%(name)s” is revoked. It no longer works.") % {"name": row.name}
        )
    return redirect("deviations:tokens", partnership_slug)
