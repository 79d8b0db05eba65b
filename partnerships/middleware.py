from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from partnerships.access import PartnershipAccess
from partnerships.models import Partnership


class PartnershipMiddleware:
    """Resolve ``/<partnership_slug>/…`` once per request.

    Attaches ``request.partnership`` and ``request.access`` (what this person
    may do in it) before the view runs, so views never look them up again.
    An unknown slug is a plain 404.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        slug = view_kwargs.get("partnership_slug")
        if slug is None:
            return None
        partnership = Partnership.objects.filter(slug=slug).first()
        if partnership is None:
            raise Http404
        request.partnership = partnership  # type: ignore[attr-defined]
        request.access = PartnershipAccess.for_user(partnership, request.user)  # type: ignore[attr-defined]
        return None
