"""The annual report inside (``/<slug>/intern/arsrapport/``) and in public
(``/<slug>/arsrapport/``).

Every insider reads the reports, drafts included, with the live figures of
the year (small numbers too: the internal figures). The secretariat
(``MANAGE_MEETINGS``) starts a year's draft, writes the narrative, sends the
report to a council as a case and records the adoption once the council has
decided. The public reads adopted reports only, as page, PDF and DOCX, with
the figures frozen at adoption (public figures: the rule for small numbers
and the deviation statistics' rounding); a draft is 404 to them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from annual import documents, services
from annual.forms import NewReportForm, SendForm, TextsForm
from annual.models import TEXT_FIELDS, AnnualReport
from annual.sections import sections
from core.forms import rebind_after_conflict
from core.pages import person, posted
from core.services import EditConflict
from partnerships.access import PartnershipAccess, request_access
from partnerships.capabilities import Capability
from partnerships.models import Partnership
from partnerships.views import insider_view, staff_crumbs


def _report(partnership: Partnership, year: int, *, public: bool) -> AnnualReport:
    found = (
        AnnualReport.objects.filter(partnership=partnership, year=year)
        .select_related("partnership", "case", "decision__treatment__meeting__council")
        .first()
    )
    if found is None or (public and found.status != AnnualReport.Status.ADOPTED):
        raise Http404
    return found


def _inside(
    request: HttpRequest, year: int, capability: Capability
) -> tuple[PartnershipAccess, AnnualReport]:
    """The person's access, refused without ``capability`` (404 for
    outsiders, 403 for insiders), and the year's report (404 if none)."""
    access = request_access(request)
    access.require(capability)
    return access, _report(access.partnership, year, public=False)


# --- Inside ----------------------------------------------------------------------------


@insider_view
def index(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    access = request_access(request)
    access.require(Capability.VIEW_INTERNAL)
    can_manage = access.can(Capability.MANAGE_MEETINGS)
    form = None
    status = 200
    if can_manage:
        form = NewReportForm(posted(request), initial={"year": timezone.localdate().year - 1})
        if request.method == "POST":
            if form.is_valid():
                report, _new = services.create_draft(
                    access.partnership, form.cleaned_data["year"], by=person(request)
                )
                return redirect("annual:report", access.partnership.slug, report.year)
            status = 400
    elif request.method == "POST":
        access.require(Capability.MANAGE_MEETINGS)
    return render(
        request,
        "annual/manage/index.html",
        {
            "reports": list(AnnualReport.objects.filter(partnership=access.partnership)),
            "form": form,
            "breadcrumbs": staff_crumbs(request, (_("Annual report"), None)),
        },
        status=status,
    )


def _texts_form(report: AnnualReport, data: Any = None) -> Any:
    initial = {name: getattr(report, name) for name in TEXT_FIELDS}
    initial["version"] = report.version
    return TextsForm(data, initial=initial)


def _page(request: HttpRequest, report: AnnualReport, **extra: Any) -> HttpResponse:
    access = request_access(request)
    slug = access.partnership.slug
    can_manage = access.can(Capability.MANAGE_MEETINGS)
    draft = report.status == AnnualReport.Status.DRAFT
    status = extra.pop("status", 200)
    context = {
        "report": report,
        "sections": sections(report, services.figures_of(report, public=False)),
        "can_manage": can_manage,
        "texts_form": extra.pop("texts_form", None)
        or (_texts_form(report) if can_manage and draft else None),
        "send_form": SendForm(partnership=access.partnership)
        if can_manage and draft and report.case_id is None
        else None,
        "decision": services.decision_for(report) if draft else report.decision,
        "breadcrumbs": staff_crumbs(
            request,
            (_("Annual report"), reverse("annual:index", args=[slug])),
            (str(report), None),
        ),
        **extra,
    }
    return render(request, "annual/manage/report.html", context, status=status)


@insider_view
def report_page(request: HttpRequest, partnership_slug: str, year: int) -> HttpResponse:
    _access, report = _inside(request, year, Capability.VIEW_INTERNAL)
    return _page(request, report)


@insider_view
def texts(request: HttpRequest, partnership_slug: str, year: int) -> HttpResponse:
    """Save the narrative; a conflict (409) keeps what was typed."""
    access, report = _inside(request, year, Capability.MANAGE_MEETINGS)
    data = posted(request)
    if data is None:
        return redirect("annual:report", access.partnership.slug, year)
    form = _texts_form(report, data)
    if not form.is_valid():
        return _page(request, report, texts_form=form, status=400)
    try:
        services.save_texts(report, form.cleaned_data, form.cleaned_data["version"])
    except EditConflict as conflict:
        fresh = _report(access.partnership, year, public=False)
        form = rebind_after_conflict(lambda d: _texts_form(fresh, d), form, conflict)
        return _page(request, fresh, texts_form=form, status=409)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("annual:report", access.partnership.slug, year)
    messages.success(request, _("The report is saved."))
    return redirect("annual:report", access.partnership.slug, year)


@insider_view
def send(request: HttpRequest, partnership_slug: str, year: int) -> HttpResponse:
    access, report = _inside(request, year, Capability.MANAGE_MEETINGS)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    form = SendForm(request.POST, partnership=access.partnership)
    if not form.is_valid():
        return _page(request, report, status=400, send_errors=form.errors)
    case = services.send_to_council(report, form.cleaned_data["council"], by=person(request))
    messages.success(request, _("The report is case %(number)s.") % {"number": case.number})
    return redirect("annual:report", access.partnership.slug, year)


@insider_view
def adopt(request: HttpRequest, partnership_slug: str, year: int) -> HttpResponse:
    access, report = _inside(request, year, Capability.MANAGE_MEETINGS)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    try:
        services.adopt(report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("annual:report", access.partnership.slug, year)
    messages.success(request, _("The report is adopted and public."))
    return redirect("annual:report", access.partnership.slug, year)


@insider_view
def report_pdf(request: HttpRequest, partnership_slug: str, year: int) -> HttpResponse:
    _access, report = _inside(request, year, Capability.VIEW_INTERNAL)
    figures = services.figures_of(report, public=False)
    return documents.pdf_response(request, report, sections(report, figures), {})


@insider_view
def report_docx(request: HttpRequest, partnership_slug: str, year: int) -> HttpResponse:
    _access, report = _inside(request, year, Capability.VIEW_INTERNAL)
    return documents.docx_response(
        report, sections(report, services.figures_of(report, public=False))
    )


# --- In public -------------------------------------------------------------------------


def _partnership(request: HttpRequest) -> Partnership:
    return request.partnership  # type: ignore[attr-defined, no-any-return]


def public_index(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    partnership = _partnership(request)
    return render(
        request,
        "annual/public/index.html",
        {
            "reports": list(
                AnnualReport.objects.filter(
                    partnership=partnership, status=AnnualReport.Status.ADOPTED
                )
            ),
            "breadcrumbs": [
                (partnership.name, reverse("portal:home", args=[partnership.slug])),
                (_("Annual reports"), None),
            ],
        },
    )


def public_report(request: HttpRequest, partnership_slug: str, year: int) -> HttpResponse:
    partnership = _partnership(request)
    report = _report(partnership, year, public=True)
    return render(
        request,
        "annual/public/report.html",
        {
            "report": report,
            "sections": sections(report, services.figures_of(report, public=True)),
            "breadcrumbs": [
                (partnership.name, reverse("portal:home", args=[partnership.slug])),
                (_("Annual reports"), reverse("public_annual:index", args=[partnership.slug])),
                (str(report), None),
            ],
        },
    )


def public_pdf(request: HttpRequest, partnership_slug: str, year: int) -> HttpResponse:
    report = _report(_partnership(request), year, public=True)
    figures = services.figures_of(report, public=True)
    return documents.pdf_response(request, report, sections(report, figures), {})


def public_docx(request: HttpRequest, partnership_slug: str, year: int) -> HttpResponse:
    report = _report(_partnership(request), year, public=True)
    return documents.docx_response(
        report, sections(report, services.figures_of(report, public=True))
    )
