"""The public pages of the agreements (§ 6-4: published in full): the
register, the § 6-2 coverage, an agreement with who is bound by what, a
version with its text and what changed, and a version as PDF.

Public for everyone, logged in or not. Only versions the council has adopted
are shown (``agreements.publication``); a draft, a consultation draft, an
agreement with no public version and an address that names nothing are all
the same 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import compare, publication
from agreements.models import Agreement, AgreementVersion
from core.own import Own
from councils.documents import render_pdf
from partnerships.models import Partnership


def _partnership(request: HttpRequest) -> Partnership:
    return request.partnership  # type: ignore[attr-defined, no-any-return]


def _crumbs(request: HttpRequest, *extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    p = _partnership(request)
    return [
        (p.name, reverse("portal:home", args=[p.slug])),
        (
            _("Cooperation agreements"),
            reverse("public_agreements:register", args=[p.slug]) if extra else None,
        ),
        *extra,
    ]


def _agreement_crumb(agreement: Agreement, url: str | None) -> tuple[str, str | None]:
    return (Own(str(agreement)), url)


def register(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """The agreements by level, each with its version in force, the parties
    it binds and how far the version on its way has come (seven queries:
    the partnership, six in ``publication.register``)."""
    today = timezone.localdate()
    return render(
        request,
        "agreements/public/register.html",
        {
            "groups": publication.register(_partnership(request), today),
            "today": today,
            "breadcrumbs": _crumbs(request),
        },
    )


def coverage(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """The 13 points of § 6-2 against the clauses in force, the gaps in
    words, and the joint measures (five queries: the partnership, four in
    ``publication.coverage``)."""
    today = timezone.localdate()
    return render(
        request,
        "agreements/public/coverage.html",
        {
            "coverage": publication.coverage(_partnership(request), today),
            "today": today,
            "breadcrumbs": _crumbs(request, (_("What the agreements cover"), None)),
        },
    )


def agreement_page(
    request: HttpRequest, partnership_slug: str, agreement_slug: str
) -> HttpResponse:
    """The text in force, the version history and who is bound by which
    version (eleven queries at most: the partnership, five to load the
    agreement, five in ``publication.agreement_page``)."""
    agreement = publication.load_agreement(_partnership(request), agreement_slug)
    if agreement is None:
        raise Http404
    today = timezone.localdate()
    return render(
        request,
        "agreements/public/agreement.html",
        {
            "page": publication.agreement_page(agreement, today),
            "today": today,
            "breadcrumbs": _crumbs(request, _agreement_crumb(agreement, None)),
        },
    )


def _version(request: HttpRequest, agreement_slug: str, pk: int) -> AgreementVersion:
    version = publication.public_version(_partnership(request), agreement_slug, pk)
    if version is None:
        raise Http404
    return version


def version_page(
    request: HttpRequest, partnership_slug: str, agreement_slug: str, pk: int
) -> HttpResponse:
    """A version's text, and clause by clause what changed from the version
    it is based on when that is public (five queries: the partnership, the
    version, the clauses of both with their points and joint measures)."""
    version = _version(request, agreement_slug, pk)
    previous = publication.compared_with(version)
    ids = [version.pk] + ([previous.pk] if previous else [])
    clauses = publication.clauses_of(ids)
    text = [c for c in clauses if c.agreement_version_id == version.pk]
    changes = None
    if previous is not None:
        before = [c for c in clauses if c.agreement_version_id == previous.pk]
        changes = compare.compare(before, text, publication.points_of)
    agreement = version.agreement
    return render(
        request,
        "agreements/public/version.html",
        {
            "agreement": agreement,
            "version_shown": version,
            "previous": previous,
            "clauses": text,
            "changes": changes,
            "counts": compare.counts(changes) if changes is not None else None,
            "breadcrumbs": _crumbs(
                request,
                _agreement_crumb(
                    agreement,
                    reverse("public_agreements:agreement", args=[partnership_slug, agreement.slug]),
                ),
                (_("Version %(label)s") % {"label": version.label}, None),
            ),
        },
    )


def version_pdf(
    request: HttpRequest, partnership_slug: str, agreement_slug: str, pk: int
) -> HttpResponse:
    """A version's text as tagged PDF (PDF/UA-1), like the councils' agendas."""
    version = _version(request, agreement_slug, pk)
    context = {
        "agreement": version.agreement,
        "version_shown": version,
        "clauses": publication.clauses_of([version.pk]),
        "generated": timezone.now(),
    }
    return render_pdf(
        request,
        "agreements/public/version_pdf.html",
        context,
        filename=f"{version.agreement.slug}-{version.pk}.pdf",
    )
