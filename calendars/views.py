"""A person's own calendar feed and the page where they manage its secret
link.

The feed is fetched by calendar programs, which do not log in: the secret
link is the only key, and a wrong or revoked one is a plain 404. The page is
for the logged-in person and concerns only their own link.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts.models import User
from calendars import services


def ical_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _crumbs() -> list[tuple[str, str | None]]:
    return [(_("My page"), reverse("accounts:profile")), (_("Calendar feed"), None)]


def _page(request: HttpRequest, new_url: str = "") -> HttpResponse:
    user = cast(User, request.user)  # login_required
    return render(
        request,
        "calendars/manage.html",
        {
            "token": services.active_token(user),
            "new_url": new_url,
            "breadcrumbs": _crumbs(),
        },
    )


@require_safe
@login_required
def manage(request: HttpRequest) -> HttpResponse:
    """What the feed is, whether a link exists, and the buttons to make a
    new one or revoke it (one query after the person)."""
    return _page(request)


@never_cache
@require_POST
@login_required
def create_link(request: HttpRequest) -> HttpResponse:
    """Make a new link (revoking the old) and show it, this once. The answer
    is the page itself, not a redirect: the token is kept nowhere to show it
    again, and ``never_cache`` keeps it out of the browser's cache."""
    token = services.create_token(cast(User, request.user))
    return _page(request, new_url=services.personal_feed_url(token))


@require_POST
@login_required
def revoke_link(request: HttpRequest) -> HttpResponse:
    if services.revoke_tokens(cast(User, request.user)):
        messages.success(request, _("The calendar link is revoked. It no longer works."))
    return redirect("calendars:manage")


@require_safe
def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The person's meetings, for whoever holds the secret link (two queries:
    the link with its person, and the meetings; a third once a day to record
    the use)."""
    user = services.user_for_token(token)
    if user is None:
        raise Http404
    response = ical_response(services.personal_feed(user), "samspill.ics")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
