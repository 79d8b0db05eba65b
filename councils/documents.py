"""Documents out of councils: attachments as downloads, agendas and minutes as PDF.

The PDFs are rendered by WeasyPrint from the same data as the HTML pages, as
PDF/UA-1: tagged (headings, lists and tables carry structure), with the
document's language and title, so screen readers can read them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string

from councils.models import CaseAttachment

logger = logging.getLogger(__name__)
PDF_CSS = Path(__file__).parent / "pdf.css"


def attachment_response(attachment: CaseAttachment) -> FileResponse:
    """The file as a download under the name it was uploaded with; never
    shown inline, so an uploaded document cannot run in our origin."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        logger.error("Attachment %s is missing its file %s", attachment.pk, attachment.file.name)
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def render_pdf(
    request: HttpRequest, template: str, context: dict[str, Any], *, filename: str
) -> HttpResponse:
    from weasyprint import CSS, HTML

    html = render_to_string(template, context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(
        stylesheets=[CSS(filename=str(PDF_CSS))],
        pdf_variant="pdf/ua-1",
        url_fetcher=_no_fetch,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    """The PDFs need nothing from outside: refuse every fetch (no server-side
    requests to addresses that end up in the HTML)."""
    raise ValueError(f"PDF rendering does not fetch resources ({url})")
