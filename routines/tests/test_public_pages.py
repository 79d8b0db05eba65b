"""The public routine pages: what is in force and what it replaced, never a
draft; the routines on the agreement's public page; query counts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partnerships.models import Partnership
from routines.models import Routine
from routines.tests.factory import draft, guideline, in_force, levanger, make

D = datetime.date
BASE = "/hnt/samhandlingsrutiner/"
SECRET = "Utkast som bare de innenfor skal lese"


def _get(url: str) -> Any:
    client = Client()
    # The interface's own words in English, whatever the catalogues say.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.get(url)


def _page(url: str) -> str:
    response = _get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def routines(hnt: Partnership, people: Any) -> dict[str, Routine]:
    published = make(hnt, "Test: Publisert rutine", "test-publisert", clause_key="utskrivning")
    in_force(published, "2023", D(2023, 1, 1), text="<p>Den gamle teksten.</p>")
    published.versions.filter(label="2023").update(summary="Første versjon av rutinen.")
    in_force(published, "2025", D(2025, 5, 1), text="<p>Teksten som gjelder nå.</p>")
    draft(published, "2026", text=f"<p>{SECRET}</p>")
    only_draft = make(hnt, "Test: Bare et utkast", "test-utkast", party=levanger())
    draft(only_draft, "1", text=f"<p>{SECRET}</p>")
    return {"published": published, "draft": only_draft}


def test_a_routine_with_a_version_in_force_is_public(routines: dict[str, Routine]) -> None:
    page = _page(f"{BASE}test-publisert/")
    assert "Teksten som gjelder nå." in page
    assert SECRET not in page and "Den gamle teksten." not in page
    # Where it belongs: the public agreement page, at the clause.
    agreement = routines["published"].agreement
    assert f'href="/hnt/samarbeidsavtaler/{agreement.slug}/#klausul-utskrivning"' in page
    # The versions that were in force, with the day the older one ended.
    assert "Første versjon av rutinen." in page
    assert 'datetime="2025-04-30"' in page and 'datetime="2025-05-01"' in page
    assert "2026" not in page.split("<tbody>")[1]  # the draft is not listed


def test_a_routine_with_nothing_in_force_is_404(routines: dict[str, Routine]) -> None:
    assert _get(f"{BASE}test-utkast/").status_code == 404
    index = _page(BASE)
    assert "Test: Publisert rutine" in index
    assert "Test: Bare et utkast" not in index and SECRET not in index


def test_another_partnerships_routine_is_404_here(routines: dict[str, Routine]) -> None:
    assert _get("/stolav/samhandlingsrutiner/test-publisert/").status_code == 404
    assert "Test: Publisert rutine" not in _page("/stolav/samhandlingsrutiner/")


def test_the_list_groups_routines_by_agreement(routines: dict[str, Routine], hnt: Any) -> None:
    index = _page(BASE)
    first = guideline(hnt)
    section = index.split(f'href="/hnt/samarbeidsavtaler/{first.slug}/"')[1]
    assert "Test: Publisert rutine" in section
    assert "Owner" in section and "Administrativt samarbeidsutvalg" in section


def test_the_agreement_page_lists_its_routines_in_force(routines: dict[str, Routine]) -> None:
    agreement = routines["published"].agreement
    page = _page(f"/hnt/samarbeidsavtaler/{agreement.slug}/")
    section = page.split('id="routines-heading"')[1]
    assert 'href="/hnt/samhandlingsrutiner/test-publisert/"' in section
    assert "Test: Bare et utkast" not in page


def test_the_tools_page_leads_to_the_routines(people: Any) -> None:
    assert f'href="{BASE}"' in _page("/hnt/verktoy/")


def _count(url: str) -> int:
    client = Client()
    client.get(url)  # warm caches (content types, translations)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _grow(hnt: Partnership) -> None:
    """More routines under more agreements, with more versions."""
    for n, slug in enumerate(["retningslinje-1", "retningslinje-4", "retningslinje-6"]):
        extra = make(hnt, f"Test: Ekstra {n}", f"test-ekstra-{n}", agreement=guideline(hnt, slug))
        in_force(extra, "1", D(2024, 1, 1))
        in_force(extra, "2", D(2025, 1, 1))
        draft(extra, "3")
    published = Routine.objects.get(slug="test-publisert")
    in_force(published, "2026-2", D(2026, 1, 1))


# The list: the partnership (middleware); the routines with their
# agreements, levels and owners; their versions in force; the clauses they
# name; which of their agreements are published.
# A routine: the partnership; the routine with its agreement and owner; the
# versions that were in force; the clause it names; whether its agreement is
# published; whether the partnership publishes its deviation statistics
# (the deviations panel: not in the test database, so nothing more).
# The agreement's page: the agreements app's own ten (see
# agreements/tests/test_public_pages.py), and the routines under it (1).
PINNED = {"index": 5, "routine": 6, "agreement": 11}


@pytest.mark.parametrize("page", sorted(PINNED))
def test_the_pages_take_a_fixed_number_of_queries(
    routines: dict[str, Routine], hnt: Partnership, page: str
) -> None:
    url = {
        "index": BASE,
        "routine": f"{BASE}test-publisert/",
        "agreement": f"/hnt/samarbeidsavtaler/{routines['published'].agreement.slug}/",
    }[page]
    assert _count(url) == PINNED[page]
    _grow(hnt)
    assert _count(url) == PINNED[page]
