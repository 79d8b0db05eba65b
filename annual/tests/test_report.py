"""The annual report: a draft shows the year's live figures, the
secretariat writes its narrative, sends it to a council once and records
the adoption, after which it is frozen and public as page, tagged PDF and
DOCX."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.utils import timezone

from annual import figures, services
from annual.models import AnnualReport
from councils.models import Council
from plans.tests.test_pages import FNR
from tests.browser.test_agreements_journey import _council_decides

pytestmark = pytest.mark.django_db

I = "/hnt/intern/arsrapport"  # noqa: E741
P = "/hnt/arsrapport"


@pytest.fixture
def draft(hnt: Any) -> AnnualReport:
    return AnnualReport.objects.get(partnership=hnt, year=timezone.localdate().year)


def _texts(report: AnnualReport, **changes: str) -> dict[str, str]:
    data = {"introduction": "Innledning.", "version": str(report.version)}
    data.update(changes)
    return data


def test_a_draft_shows_the_live_figures_of_its_year(
    as_person: Any, hnt: Any, draft: AnnualReport
) -> None:
    sara = as_person("sara")
    year = draft.year
    statistics = sara.get(
        f"/hnt/intern/avvik/statistikk/?period=year&start={year}-01-01&end={year}-12-31"
    )
    total = statistics.context["summary"].total
    page = sara.get(f"{I}/{year}/").content.decode()
    assert f"Deviations reported: {total}" in page
    live = figures.year_figures(hnt, year, public=False)
    assert services.figures_of(draft, public=False) == live


def test_the_narrative_is_saved_guarded_and_never_overwritten(
    as_person: Any, draft: AnnualReport
) -> None:
    sara = as_person("sara")
    url = f"{I}/{draft.year}/tekst/"
    refused = sara.post(url, _texts(draft, plan_text=f"Gjelder {FNR}."))
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "identity number" in body
    # The form keeps what was typed; the message does not repeat the number.
    assert body.count(FNR) == 1 and f"Gjelder {FNR}.</textarea>" in body
    draft.refresh_from_db()
    assert draft.plan_text == ""
    stale = _texts(draft, plan_text="Min tekst.")
    assert sara.post(url, _texts(draft, plan_text="Først.")).status_code == 302
    conflict = sara.post(url, stale)
    assert conflict.status_code == 409
    assert "Min tekst." in conflict.content.decode()
    draft.refresh_from_db()
    assert draft.plan_text == "Først."


def test_it_goes_to_the_council_once_and_is_frozen_when_adopted(
    as_person: Any, people: Any, hnt: Any, draft: AnnualReport
) -> None:
    sara = as_person("sara")
    asu = Council.objects.get(partnership=hnt, slug="asu")
    # Not decided yet: nothing to adopt.
    sara.post(f"{I}/{draft.year}/vedtatt/")
    draft.refresh_from_db()
    assert draft.status == AnnualReport.Status.DRAFT
    for _ in range(2):
        assert sara.post(f"{I}/{draft.year}/sak/", {"council": asu.pk}).status_code == 302
    draft.refresh_from_db()
    assert draft.case is not None and draft.case.council == asu
    assert AnnualReport.objects.filter(case=draft.case).count() == 1
    assert as_person(None).get(f"{P}/{draft.year}/").status_code == 404

    _council_decides(draft.case, people.sara)
    assert sara.post(f"{I}/{draft.year}/vedtatt/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == AnnualReport.Status.ADOPTED and draft.decision is not None
    assert draft.figures == figures.year_figures(hnt, draft.year, public=True)
    page = as_person(None).get(f"{P}/{draft.year}/").content.decode()
    assert "Councils and meetings" in page

    # Frozen: what happens later does not change the adopted report.
    Council.objects.filter(pk=asu.pk).update(name="Omdøpt råd")
    assert "Omdøpt råd" not in as_person(None).get(f"{P}/{draft.year}/").content.decode()
    before = draft.introduction
    assert sara.post(f"{I}/{draft.year}/tekst/", _texts(draft)).status_code == 302
    draft.refresh_from_db()
    assert draft.introduction == before != "Innledning."  # an adopted report stays


def test_the_public_report_is_a_tagged_pdf_and_a_docx(as_person: Any, hnt: Any) -> None:
    from docx import Document
    from pypdf import PdfReader

    year = AnnualReport.objects.get(partnership=hnt, status="adopted").year
    client = as_person(None)
    pdf = client.get(f"{P}/{year}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    root: Any = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert str(root["/Lang"]).startswith("en")
    text = "".join(page.extract_text() for page in reader.pages)
    assert f"Årsrapport {year}" in text and "Councils and meetings" in text

    docx = client.get(f"{P}/{year}/docx/")
    document = Document(io.BytesIO(docx.content))
    headings = [
        p.text for p in document.paragraphs if p.style and p.style.name.startswith("Heading")
    ]
    assert "Councils and meetings" in headings
    assert document.core_properties.title.startswith(f"Årsrapport {year}")


def test_a_year_is_drafted_once(as_person: Any, hnt: Any) -> None:
    sara = as_person("sara")
    year = timezone.localdate().year - 4
    for _ in range(2):
        assert sara.post(f"{I}/", {"year": str(year)}).status_code == 302
    assert AnnualReport.objects.filter(partnership=hnt, year=year).count() == 1
    assert sara.post(f"{I}/", {"year": str(timezone.localdate().year + 1)}).status_code == 400
