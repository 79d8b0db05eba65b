"""Every annual report URL × every named person → the expected status.

Inside: every insider reads the reports, drafts included; the secretariat
and administrators (Sara, Ada) draft, write, send and adopt. Outsiders get
404, anonymous visitors are sent to log in. In public: adopted reports
only; a draft and a year with no report are 404 for everyone.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from annual.models import AnnualReport
from tests.matrix import PEOPLE, expect_hnt, only_hnt, statuses

MANAGERS = {"sara", "ada"}
EMPTY: dict[str, str] = {}
ALL_200 = dict.fromkeys(PEOPLE, 200)
ALL_404 = dict.fromkeys(PEOPLE, 404)
I = "/hnt/intern/arsrapport"  # noqa: E741
P = "/hnt/arsrapport"


def _years() -> dict[str, int]:
    """The demo's: an adopted report, this year's draft, and a year without."""
    adopted = AnnualReport.objects.get(partnership__slug="hnt", status="adopted").year
    return {"adopted": adopted, "draft": timezone.localdate().year, "none": adopted - 5}


CASES: list[tuple[str, str, dict[str, str], dict[str, int]]] = [
    # annual:index (an empty form comes back with its errors)
    ("GET", f"{I}/", EMPTY, expect_hnt(200)),
    ("POST", f"{I}/", EMPTY, only_hnt(MANAGERS, 400)),
    # annual:report
    ("GET", f"{I}/{{draft}}/", EMPTY, expect_hnt(200)),
    ("GET", f"{I}/{{adopted}}/", EMPTY, expect_hnt(200)),
    ("GET", f"{I}/{{none}}/", EMPTY, expect_hnt(404)),
    # annual:texts (an empty form: its version is missing)
    ("POST", f"{I}/{{draft}}/tekst/", EMPTY, only_hnt(MANAGERS, 400)),
    ("GET", f"{I}/{{draft}}/tekst/", EMPTY, only_hnt(MANAGERS, 302)),
    # annual:send (no council chosen)
    ("POST", f"{I}/{{draft}}/sak/", EMPTY, only_hnt(MANAGERS, 400)),
    ("GET", f"{I}/{{draft}}/sak/", EMPTY, only_hnt(MANAGERS, 405)),
    # annual:adopt (the draft's case is not decided: back to the report)
    ("POST", f"{I}/{{draft}}/vedtatt/", EMPTY, only_hnt(MANAGERS, 302)),
    ("GET", f"{I}/{{draft}}/vedtatt/", EMPTY, only_hnt(MANAGERS, 405)),
    # annual:pdf, annual:docx
    ("GET", f"{I}/{{draft}}/pdf/", EMPTY, expect_hnt(200)),
    ("GET", f"{I}/{{draft}}/docx/", EMPTY, expect_hnt(200)),
    # public_annual:index
    ("GET", f"{P}/", EMPTY, ALL_200),
    # public_annual:report, public_annual:pdf, public_annual:docx
    ("GET", f"{P}/{{adopted}}/", EMPTY, ALL_200),
    ("GET", f"{P}/{{draft}}/", EMPTY, ALL_404),
    ("GET", f"{P}/{{adopted}}/pdf/", EMPTY, ALL_200),
    ("GET", f"{P}/{{draft}}/pdf/", EMPTY, ALL_404),
    ("GET", f"{P}/{{adopted}}/docx/", EMPTY, ALL_200),
    ("GET", f"{P}/{{draft}}/docx/", EMPTY, ALL_404),
    ("GET", "/stolav/arsrapport/{adopted}/", EMPTY, ALL_404),
]


@pytest.mark.parametrize(
    ("method", "url", "data", "expected"),
    CASES,
    ids=[f"{m} {u} {'data' if d else ''}" for m, u, d, _ in CASES],
)
def test_annual_report_permission_matrix(
    as_person: Any,
    people: Any,
    method: str,
    url: str,
    data: dict[str, str],
    expected: dict[str, int],
) -> None:
    assert AnnualReport.objects.filter(partnership__slug="hnt").count() == 2
    got = statuses(as_person, method, url.format(**_years()), data)
    assert got == expected
