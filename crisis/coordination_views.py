"""What the coordination pages share: the crisis's breadcrumbs, form errors
from a service's ``ValidationError``, and whether the person manages the
crisis. The pages themselves are :mod:`crisis.agenda_views` (the coordination
meeting), :mod:`crisis.log_views` (the crisis log) and
:mod:`crisis.resource_views` (resource requests)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from core.own import Own
from core.services import error_text
from crisis.models import Crisis
from partnerships.access import PartnershipAccess, request_access
from partnerships.capabilities import Capability
from partnerships.views import Crumb, staff_crumbs

PAGE_SIZE = 50


def _link(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a page another part of the module has not built
        return None


def _crumbs(request: HttpRequest, crisis: Crisis, *extra: Crumb) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    crumbs = [
        (_("Crisis preparedness"), _link("crisis:index", slug)),
        (Own(crisis.name), _link("crisis:crisis", slug, crisis.pk)),
    ]
    return staff_crumbs(request, *[c for c in crumbs if c[1]], *extra)


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error_text(error))


def _manages(access: PartnershipAccess) -> bool:
    return access.can(Capability.MANAGE_CRISIS)
