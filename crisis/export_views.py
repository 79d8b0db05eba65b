"""The coordination group's exports of a crisis: CSV for people, DHIS2
``dataValueSets`` JSON for a national DHIS2.

Every crisis viewer (``VIEW_CRISIS`` or ``MANAGE_CRISIS``) may export; what
they get is what the shared picture shows: every party's submitted values,
never a draft. ``?from=`` and ``?to=`` (dates) keep to the periods that
start in between (``from`` counts from the start of its period).
"""

from __future__ import annotations

import datetime

from django import forms
from django.http import HttpRequest, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from core.forms import GuardedForm
from crisis import exports
from crisis.access import get_crisis
from crisis.models import Crisis
from partnerships.access import request_access
from partnerships.views import insider_view


class ExportFilterForm(GuardedForm):
    """The optional first and last period of an export."""

    start = forms.DateField(required=False)
    end = forms.DateField(required=False)


def _filename(crisis: Crisis, extension: str) -> str:
    today = timezone.localdate().isoformat()
    return f"krise-{crisis.partnership.slug}-{crisis.pk}-{today}.{extension}"


def _dates(
    request: HttpRequest,
) -> tuple[datetime.date | None, datetime.date | None] | HttpResponseBadRequest:
    """The ``from`` and ``to`` dates, or a 400 answer for a malformed one."""
    form = ExportFilterForm(
        {"start": request.GET.get("from", ""), "end": request.GET.get("to", "")}
    )
    if not form.is_valid():
        return HttpResponseBadRequest(
            _("Give the dates as YYYY-MM-DD."), content_type="text/plain; charset=utf-8"
        )
    return form.cleaned_data["start"], form.cleaned_data["end"]


@insider_view
def export_csv(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponseBase:
    """Every submitted value of the crisis as CSV, one row per value, streamed
    (two queries for the rows, however many)."""
    crisis = get_crisis(request_access(request), pk)
    dates = _dates(request)
    if isinstance(dates, HttpResponseBadRequest):
        return dates
    values = exports.export_values(crisis, start=dates[0], end=dates[1])
    response = StreamingHttpResponse(
        exports.csv_chunks(crisis, values), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(crisis, "csv")}"'
    return response


@insider_view
def export_dhis2(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponseBase:
    """Every submitted value of the crisis as a DHIS2 ``dataValueSets``
    document, streamed (two queries for the rows, however many)."""
    crisis = get_crisis(request_access(request), pk)
    dates = _dates(request)
    if isinstance(dates, HttpResponseBadRequest):
        return dates
    values = exports.export_values(crisis, start=dates[0], end=dates[1])
    response = StreamingHttpResponse(
        exports.dhis2_chunks(exports.data_values(crisis, values)),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(crisis, "json")}"'
    return response
