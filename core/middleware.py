"""Refuse bad input at the edge, and keep personal pages out of caches.

:class:`RefuseBadInputMiddleware` answers before any view runs:

- 400 for a NUL character in the address or the query string ("hn%00t"):
  PostgreSQL cannot store it and no page needs it;
- 413 for a body larger than Django would read (``DATA_UPLOAD_MAX_MEMORY_SIZE``,
  or the attachment limit for a file upload), told by ``Content-Length`` before
  anything is read, or by Django's own check while a body is read;
- 400 for a NUL in a JSON body, written raw or as ``\\u0000``. Forms refuse NUL themselves, field by
  field (Django's ``CharField`` does), so what was typed is kept.

:class:`NoStoreMiddleware` marks every answer to a logged-in person, or to a
party's API token, ``Cache-Control: no-store``: a shared computer's browser or
a proxy must not keep a copy of an internal page or an export.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

Handler = Callable[[HttpRequest], HttpResponse]


def _refuse(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _body_limit(request: HttpRequest) -> int | None:
    base = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if base is None:
        return None
    if request.content_type == "multipart/form-data":
        # Files are not counted in DATA_UPLOAD_MAX_MEMORY_SIZE; the largest
        # attachment is, with room for the form's other fields.
        return base + settings.SAMSPILL_ATTACHMENT_MAX_MB * 1024 * 1024
    return base


class RefuseBadInputMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or b"\x00" in unquote_to_bytes(query):
            return _refuse(request, 400, _("The address holds a character that is not allowed."))
        limit = _body_limit(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refuse(request, 400, _("The request's length is not a number."))
        if limit is not None and length > limit:
            return _too_large(request)
        if request.content_type == "application/json" and length:
            try:
                body = request.body
            except RequestDataTooBig:
                return _too_large(request)
            if b"\x00" in body or b"\\u0000" in body.lower():
                return _refuse(request, 400, _("The text holds a NUL character (\\u0000)."))
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return _too_large(request)
        return None


def _too_large(request: HttpRequest) -> HttpResponse:
    return _refuse(request, 413, _("The request is too large."))


class NoStoreMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        personal = bool(user and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META
        if personal and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response
