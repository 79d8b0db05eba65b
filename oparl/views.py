"""OParl 1.1 endpoints under ``/oparl/v1.1/`` (module doc of
:mod:`oparl.records` for the mapping). Read only, for everyone: the same
public record as the public pages. Plain Django views: OParl's own
specification is the schema (Samspill's own API and its OpenAPI schema are
under ``/api/``)."""

from __future__ import annotations

import datetime
import json
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_safe

from oparl import records
from partnerships.models import Partnership

ERROR = "https://schema.oparl.org/1.1/Error"


def _json(data: Any, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
        status=status,
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(status: int, message: str) -> HttpResponse:
    return _json({"type": ERROR, "message": message}, status=status)


def _not_found() -> HttpResponse:
    return _error(404, "Not found.")


class BadFilter(ValueError):
    pass


def _filters(request: HttpRequest) -> dict[str, datetime.datetime]:
    found = {}
    for name in records.FILTERS:
        raw = request.GET.get(name)
        if raw is None:
            continue
        try:
            value = parse_datetime(raw)
        except ValueError:
            value = None
        if value is None or value.tzinfo is None:
            raise BadFilter(name)
        found[name] = value
    return found


def _keep(item: dict[str, Any], filters: dict[str, datetime.datetime]) -> bool:
    """The objects' times are given to the second, so a limit is compared
    to the second too."""
    for name, given in filters.items():
        limit = given.replace(microsecond=0)
        field, _sep, side = name.partition("_")
        raw = item.get(field)
        value = parse_datetime(raw) if raw else None
        if value is None:
            return False
        if side == "since" and value < limit:
            return False
        if side == "until" and value > limit:
            return False
    return True


def _page(request: HttpRequest, items: list[dict[str, Any]], address: str) -> HttpResponse:
    """An external list (OParl 2.5): ``data``, ``pagination`` and ``links``;
    the filters carried into every link."""
    try:
        filters = _filters(request)
    except BadFilter as bad:
        return _error(400, f"{bad}: expected a date and time with a time zone (RFC 3339).")
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 0
    if number < 1:
        return _error(400, "page: expected a whole number from 1.")
    kept = [item for item in items if _keep(item, filters)]
    per_page = records.PER_PAGE
    total_pages = max(1, -(-len(kept) // per_page))
    if number > total_pages:
        return _not_found()
    carried = {name: request.GET[name] for name in records.FILTERS if name in request.GET}

    def link(page: int) -> str:
        query = urlencode({**carried, "page": page}) if page > 1 or carried else ""
        return f"{address}?{query}" if query else address

    links = {"first": link(1), "self": link(number), "last": link(total_pages)}
    if number > 1:
        links["prev"] = link(number - 1)
    if number < total_pages:
        links["next"] = link(number + 1)
    start = (number - 1) * per_page
    return _json(
        {
            "data": kept[start : start + per_page],
            "pagination": {
                "totalElements": len(kept),
                "elementsPerPage": per_page,
                "currentPage": number,
                "totalPages": total_pages,
            },
            "links": links,
        }
    )


@require_safe
def system(request: HttpRequest) -> HttpResponse:
    return _json(records.system())


@require_safe
def body_list(request: HttpRequest) -> HttpResponse:
    return _page(request, [records.Body(p).body() for p in records.bodies()], records.url("body/"))


def _body(slug: str) -> records.Body | None:
    partnership = Partnership.objects.filter(slug=slug).first()
    return None if partnership is None else records.Body(partnership)


@require_safe
def body(request: HttpRequest, slug: str) -> HttpResponse:
    found = _body(slug)
    return _not_found() if found is None else _json(found.body())


@require_safe
def body_list_of(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    found = _body(slug)
    if found is None or name not in records.LISTS:
        return _not_found()
    # Labels (a seat's role, a standing item) in the partnership's language,
    # whatever the client's.
    with translation.override(found.partnership.content_language):
        items = found.builders()[name]()
    return _page(request, items, found.path(name))


# The list each kind of object is found in, by the path's name for it.
OBJECT_LISTS = {
    "organization": "organization",
    "person": "person",
    "membership": "membership",
    "meeting": "meeting",
    "agendaItem": "agendaItem",
    "consultation": "consultation",
    "paper": "paper",
    "file": "file",
}


@require_safe
def object_page(request: HttpRequest, slug: str, name: str, key: str) -> HttpResponse:
    """One object at its id. It is looked for in its list, so it is there
    exactly when the list shows it."""
    found = _body(slug)
    if found is None or name not in OBJECT_LISTS:
        return _not_found()
    wanted = found.path(name, key)
    with translation.override(found.partnership.content_language):
        items = found.builders()[OBJECT_LISTS[name]]()
    for item in items:
        if item["id"] == wanted:
            return _json(item)
    return _not_found()
