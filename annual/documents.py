"""The annual report as documents: a tagged PDF (PDF/UA-1, by WeasyPrint
from the same template as the page) and a DOCX for the secretariats who
edit in Word (python-docx: maintained, MIT, writes real Word headings,
paragraphs and tables with header rows, so the structure survives)."""

from __future__ import annotations

import io
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from annual.models import AnnualReport
from annual.sections import Section
from councils.documents import render_pdf

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def pdf_response(
    request: HttpRequest, report: AnnualReport, sections: list[Section], context: dict[str, Any]
) -> HttpResponse:
    return render_pdf(
        request,
        "annual/pdf.html",
        {
            **context,
            "report": report,
            "sections": sections,
            "partnership": report.partnership,
            "generated": timezone.now(),
        },
        filename=f"arsrapport-{report.partnership.slug}-{report.year}.pdf",
    )


def docx_response(report: AnnualReport, sections: list[Section]) -> HttpResponse:
    from docx import Document

    document = Document()
    document.core_properties.title = f"Årsrapport {report.year} – {report.partnership.name}"
    document.core_properties.language = report.partnership.content_language
    document.add_heading(f"Årsrapport {report.year}", level=0)
    document.add_paragraph(report.partnership.name)
    if report.status == AnnualReport.Status.ADOPTED and report.adopted_on:
        document.add_paragraph(
            _("Adopted on %(day)s.") % {"day": report.adopted_on.strftime("%d.%m.%Y")}
        )
    else:
        document.add_paragraph(_("Draft: the figures are the live figures of the year."))
    for paragraph in report.introduction.split("\n\n"):
        if paragraph.strip():
            document.add_paragraph(paragraph.strip())
    for section in sections:
        document.add_heading(str(section.title), level=1)
        for paragraph in section.text.split("\n\n"):
            if paragraph.strip():
                document.add_paragraph(paragraph.strip())
        for table in section.tables:
            document.add_paragraph(str(table.caption), style="Caption")
            grid = document.add_table(rows=1, cols=len(table.headers), style="Table Grid")
            for cell, header in zip(grid.rows[0].cells, table.headers, strict=True):
                cell.text = str(header)
            for row in table.rows:
                cells = grid.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = "" if value is None else str(value)
        for line in section.lines:
            document.add_paragraph(str(line), style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=DOCX)
    response["Content-Disposition"] = (
        f'attachment; filename="arsrapport-{report.partnership.slug}-{report.year}.docx"'
    )
    return response
