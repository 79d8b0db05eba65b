"""The internal statistics pages under ``/<slug>/intern/statistikk/``.

The secretariat imports files (``MANAGE_STATISTICS``): upload, see what the
file would change, store or discard. Those who may see small numbers
(``VIEW_SMALL_NUMBERS``: the secretariat, the parties' coordinators and
leaders) read every figure, marked where the public does not see it, with
its provenance. Other insiders are refused (403); outsiders get 404.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.pages import person, posted
from indicators import figures, services
from indicators.forms import ImportForm
from indicators.models import ImportBatch, Indicator
from partnerships.access import request_access
from partnerships.capabilities import Capability
from partnerships.views import Crumb, insider_view, staff_crumbs

RECENT_IMPORTS = 20


def _crumbs(request: HttpRequest, *extra: Crumb) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    return staff_crumbs(
        request, (_("Facts and figures"), reverse("indicators:index", args=[slug])), *extra
    )


def _index(request: HttpRequest, form: ImportForm | None, status: int = 200) -> HttpResponse:
    access = request_access(request)
    can_import = access.can(Capability.MANAGE_STATISTICS)
    if can_import and form is None:
        form = ImportForm(
            initial={"retrieved_on": timezone.localdate(), "client_key": uuid.uuid4()}
        )
    imports = list(
        ImportBatch.objects.filter(partnership=access.partnership)
        .select_related("profile", "created_by", "applied_by")
        .defer("content")[:RECENT_IMPORTS]
    )
    return render(
        request,
        "indicators/manage/index.html",
        {
            "form": form if can_import else None,
            "errors": getattr(form, "file_errors", []),
            "imports": imports,
            "indicators": list(Indicator.objects.all()),
            "breadcrumbs": staff_crumbs(request, (_("Facts and figures"), None)),
        },
        status=status,
    )


@insider_view
def index(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """The imports with their provenance, the upload form for the
    secretariat, and the indicators."""
    request_access(request).require(Capability.VIEW_SMALL_NUMBERS)
    return _index(request, None)


@insider_view
def upload(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """Read a file: its errors (400, nothing stored), or the dry run."""
    access = request_access(request)
    access.require(Capability.MANAGE_STATISTICS)
    data = posted(request)
    if data is None:
        return redirect("indicators:index", access.partnership.slug)
    form = ImportForm(data, request.FILES)
    if not form.is_valid():
        return _index(request, form, status=400)
    upload = form.cleaned_data["file"]
    batch, reading = services.start_import(
        access.partnership,
        form.cleaned_data["profile"],
        file_name=upload.name,
        data=upload.read(),
        retrieved_on=form.cleaned_data["retrieved_on"],
        by=person(request),
        client_key=form.cleaned_data.get("client_key"),
    )
    if batch is None:
        form.file_errors = reading.errors  # type: ignore[attr-defined]
        return _index(request, form, status=400)
    return redirect("indicators:batch", access.partnership.slug, batch.pk)


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    access = request_access(request)
    access.require(Capability.MANAGE_STATISTICS)
    return get_object_or_404(
        ImportBatch.objects.select_related("profile", "partnership", "created_by", "applied_by"),
        pk=pk,
        partnership=access.partnership,
    )


@insider_view
def batch_page(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    """A pending batch: what storing it would change; a stored or discarded
    one: its provenance and counts."""
    batch = _batch(request, pk)
    run = services.dry_run(batch) if batch.status == ImportBatch.Status.PENDING else None
    return render(
        request,
        "indicators/manage/batch.html",
        {
            "batch": batch,
            "run": run,
            "breadcrumbs": _crumbs(request, (batch.file_name, None)),
        },
    )


@insider_view
def batch_apply(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    batch = _batch(request, pk)
    try:
        stored = services.apply_import(batch.pk, batch.partnership, by=person(request))
    except services.ImportRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("indicators:batch", batch.partnership.slug, batch.pk)
    messages.success(
        request,
        _("Stored: %(new)d new and %(changed)d changed figures.")
        % {"new": stored.new_values, "changed": stored.changed_values},
    )
    return redirect("indicators:batch", batch.partnership.slug, batch.pk)


@insider_view
def batch_discard(request: HttpRequest, partnership_slug: str, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    batch = _batch(request, pk)
    services.discard_import(batch.pk, batch.partnership)
    messages.info(request, _("The file was discarded; nothing from it was stored."))
    return redirect("indicators:index", batch.partnership.slug)


@insider_view
def indicator_page(request: HttpRequest, partnership_slug: str, code: str) -> HttpResponse:
    """Every figure of one indicator, small ones marked, with provenance."""
    access = request_access(request)
    access.require(Capability.VIEW_SMALL_NUMBERS)
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise Http404
    table = figures.indicator_table(access.partnership, indicator, public=False)
    return render(
        request,
        "indicators/manage/indicator.html",
        {
            "indicator": indicator,
            "table": table,
            "breadcrumbs": _crumbs(request, (indicator.name, None)),
        },
    )
