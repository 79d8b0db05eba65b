"""The public pages of the agreements: the register, the § 6-2 coverage, an
agreement, a version with what changed, and the PDF. Only what the council
has adopted is shown; the rest is 404."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from html import unescape
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from pypdf import PdfReader

from agreements.models import Agreement, AgreementVersion, Clause, ClauseCoverage, Ratification
from agreements.tests.published import CHANGES, SECRET, TODAY, build
from partnerships.models import Organisation, Participation, Partnership, Region

BASE = "/hnt/samarbeidsavtaler/"
Status = AgreementVersion.Status


@pytest.fixture
def published(hnt: Partnership) -> Iterator[SimpleNamespace]:
    with time_machine.travel(TODAY, tick=False):
        yield build(hnt)


def _page(url: str, client: Client | None = None, language: str = "nb") -> str:
    response = (client or Client()).get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, url
    return response.content.decode()


def _text(html: str) -> str:
    """The page's text, tags removed, spaces folded (none before punctuation)."""
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    return re.sub(r" ([,.:;)])", r"\1", text)


def _agreement_url(agreement: Agreement) -> str:
    return f"{BASE}{agreement.slug}/"


def _version_url(version: AgreementVersion) -> str:
    return f"{BASE}{version.agreement.slug}/versjon/{version.pk}/"


# --- The register -----------------------------------------------------------------


def test_the_register_groups_agreements_by_level_in_the_levels_order(
    published: SimpleNamespace,
) -> None:
    text = _text(_page(BASE, language="en"))
    overarching = text.index("Test: Overordnet samarbeidsavtale")
    guidelines = text.index("Test: Retningslinjer som binder i praksis")
    special = text.index("Test: Særavtaler mellom noen av partene")
    assert overarching < guidelines < special
    assert overarching < text.index(published.main.title) < guidelines
    assert guidelines < text.index(published.guideline.title) < special
    assert special < text.index(published.local.title)


def test_the_register_shows_the_version_in_force_the_parties_and_the_ratification(
    published: SimpleNamespace,
) -> None:
    html = _page(BASE, language="en")
    text = _text(html)
    main = text[text.index(published.main.title) : text.index("Test: Retningslinjer")]
    assert "Version 2026, in force from Jan. 1, 2026 until further notice" in main
    assert "All the parties" in main
    parties = Participation.objects.current().filter(partnership__slug="hnt", role="party")
    total = parties.values("organisation").distinct().count()
    # Levanger alone has adopted 2027 so far (Verdal's is pending).
    assert "Version 2027: being ratified by the parties, in force from Jan. 1, 2027" in main
    assert f"Adopted by 1 of {total} parties." in main
    local = text[text.index(published.local.title) :]
    assert "Binds Levanger kommune, Verdal kommune" in local
    assert f'href="{_agreement_url(published.main)}"' in html
    assert f'href="{_version_url(published.v2026)}"' in html
    assert f'href="{BASE}dekning/"' in html


def test_a_version_in_force_from_a_later_day_is_announced(published: SimpleNamespace) -> None:
    AgreementVersion.objects.filter(pk=published.v2027.pk).update(status=Status.IN_FORCE)
    text = _text(_page(BASE, language="en"))
    main = text[text.index(published.main.title) : text.index("Test: Retningslinjer")]
    assert "In force Version 2026" in main
    assert "Version 2027: comes into force on Jan. 1, 2027." in main


def test_a_guideline_the_parties_do_not_ratify_says_so(published: SimpleNamespace) -> None:
    text = _text(_page(BASE, language="en"))
    guidelines = text[text.index("Test: Retningslinjer") : text.index("Test: Særavtaler")]
    assert "The parties do not adopt these one by one" in guidelines
    assert "Adopted by" not in guidelines


def test_drafts_are_never_shown(published: SimpleNamespace) -> None:
    for url in [
        BASE,
        f"{BASE}dekning/",
        _agreement_url(published.main),
        _version_url(published.v2027),
    ]:
        page = _page(url)
        assert SECRET not in page
        assert published.hidden.title not in page
        assert "utkast 2028" not in page
        assert f"/versjon/{published.draft.pk}/" not in page


@pytest.mark.parametrize(
    "url",
    [
        "{base}test-utkast/",  # only a consultation draft
        "{base}ingen-slik-avtale/",
        "{base}test-samarbeidsavtale/versjon/{draft}/",
        "{base}test-samarbeidsavtale/versjon/{draft}.pdf",
        "{base}test-utkast/versjon/{hidden_draft}/",
        "{base}test-utkast/versjon/{hidden_draft}.pdf",
        # A public version under another agreement's address.
        "{base}test-saeravtale/versjon/{v2026}/",
        "{base}test-samarbeidsavtale/versjon/999999/",
        "/stolav/samarbeidsavtaler/test-samarbeidsavtale/",
        "/stolav/samarbeidsavtaler/test-samarbeidsavtale/versjon/{v2026}/",
        "/ingen-slik/samarbeidsavtaler/",
    ],
)
def test_unknown_and_unpublished_things_are_404(
    published: SimpleNamespace, as_person: Any, url: str
) -> None:
    address = url.format(
        base=BASE,
        draft=published.draft.pk,
        hidden_draft=published.hidden_draft.pk,
        v2026=published.v2026.pk,
    )
    assert Client().get(address).status_code == 404
    # The secretariat reads drafts on the internal pages, not here.
    assert as_person("sara").get(address).status_code == 404


def test_another_partnership_has_its_own_register(published: SimpleNamespace) -> None:
    page = _page("/stolav/samarbeidsavtaler/")
    assert published.main.title not in page


# --- The coverage -----------------------------------------------------------------


def test_the_coverage_lists_the_13_points_and_states_gaps_in_words(
    published: SimpleNamespace,
) -> None:
    html = _page(f"{BASE}dekning/", language="en")
    table = html[html.index("<table") : html.index("</table>")]
    assert "<caption" in table and 'scope="col"' in table
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(\d+)\.(.*?)</tr>", table, re.S)
    assert [int(n) for n, _ in rows] == list(range(1, 14))
    cells = {int(n): _text(row) for n, row in rows}
    # Point 9 (ICT): the 2026 version's new clause.
    assert "Digital samhandling og meldingsutveksling" in cells[9] and "Covered" in cells[9]
    # Point 8 (midwifery) was covered in 2021 only: replaced, no longer counts.
    assert "Jordmortjenester" not in cells[8]
    # Point 4: the special agreement; point 11: the guideline.
    assert "Felles legevakt for Levanger og Verdal" in cells[4]
    assert "Beredskapsplaner hos hver av partene" in cells[11]
    # The draft's clause on point 13 does not count.
    assert "Utkast til ny bestemmelse" not in cells[13]
    gaps = [n for n, cell in cells.items() if "Not covered" in cell]
    for n in gaps:
        assert "No clause in force covers this point." in cells[n]
    text = _text(html)
    assert re.search(rf"{len(gaps)} of the 13 points (is|are) not covered", text) or not gaps
    link = f'href="{_agreement_url(published.main)}#klausul-digital"'
    assert link in html


def test_the_coverage_names_the_joint_measures_with_employer_organisation_and_financing(
    published: SimpleNamespace,
) -> None:
    text = _text(_page(f"{BASE}dekning/", language="en"))
    measures = text[text.index("Joint measures") :]
    for part in [
        "Felles koordinerende team for utskrivningsklare pasienter",
        "Helse Nord-Trøndelag HF er arbeidsgiver for teamet",
        "Teamet ledes av en styringsgruppe med to fra hver side.",
        "Kostnadene deles likt mellom kommunene og helseforetaket.",
    ]:
        assert part in measures


# --- One agreement -------------------------------------------------------------------


def test_the_agreement_page_shows_the_text_in_force_with_the_points_it_covers(
    published: SimpleNamespace,
) -> None:
    html = _page(_agreement_url(published.main), language="en")
    text = _text(html)
    assert "The text in force" in text
    assert "Kommunen varsler sykehuset senest dagen før planlagt innleggelse." in text
    assert "Kommunen varsler sykehuset før innleggelse." not in text  # 2021's
    assert "Jordmortjenester" not in text  # removed in 2026
    clause = text[text.index("2 Innleggelse i sykehus") : text.index("3 Digital samhandling")]
    assert "point 2" in clause and "point 3" in clause and "point 5" in clause
    assert "Patients ready for discharge" in clause
    assert "Felles koordinerende team" in clause
    # The clause text is the sanitised HTML, rendered as it is.
    assert "<p>Kommunen varsler sykehuset senest dagen før planlagt innleggelse.</p>" in html
    assert 'id="klausul-admission"' in html


def test_the_agreement_page_lists_the_public_versions(published: SimpleNamespace) -> None:
    html = _page(_agreement_url(published.main), language="en")
    versions = html[html.index("Published versions") :]
    versions = versions[: versions.index("</table>")]
    for v in (published.v2021, published.v2026, published.v2027):
        assert f'href="{_version_url(v)}"' in versions
    text = _text(versions)
    assert text.index("2027") < text.index("2026") < text.index("2021")
    assert "Replaced" in text and "In force" in text and "Being ratified by the parties" in text
    assert "until further notice" in text


def test_each_party_is_shown_with_the_version_that_binds_it_and_its_handling(
    published: SimpleNamespace,
) -> None:
    html = _page(_agreement_url(published.main), language="en")
    table = html[html.index("The parties and the version that binds") :]
    rows = {
        _text(name): _text(cells)
        for name, cells in re.findall(
            r"<th scope=\"row\">([^<]+)</th>(.*?)</tr>", table[: table.index("</table>")], re.S
        )
    }
    assert rows["Levanger kommune"].startswith("Version 2026, since")
    assert "Adopted" in rows["Levanger kommune"]  # the 2027 version
    assert "with the party’s changes" in rows["Verdal kommune"]
    assert "Pending" in rows["Verdal kommune"]
    # Namsos rejected 2026: 2021 goes on binding it.
    assert rows["Namsos kommune"].startswith("Version 2021")
    assert "Has given notice: bound until" in rows["Stjørdal kommune"]
    assert rows["Frosta kommune"].startswith("No version")
    assert "Not recorded yet" in rows["Frosta kommune"]


def test_the_changes_a_party_made_are_shown(published: SimpleNamespace) -> None:
    Ratification.objects.filter(
        agreement_version=published.v2027, organisation=published.verdal
    ).update(outcome=Ratification.Outcome.ADOPTED_WITH_CHANGES, changes=CHANGES)
    text = _text(_page(_agreement_url(published.main), language="en"))
    assert f"The party’s changes: {CHANGES}" in text


@pytest.mark.parametrize(
    "outcome", ["adopted", "adopted_with_changes", "rejected", "dispute", "pending"]
)
def test_every_outcome_is_named_in_words(published: SimpleNamespace, outcome: str) -> None:
    Ratification.objects.filter(
        agreement_version=published.v2027, organisation=published.verdal
    ).update(outcome=outcome, changes=CHANGES if outcome == "adopted_with_changes" else "")
    # The label in the page's language, whatever a test before left active.
    with translation.override("en"):
        label = str(Ratification.Outcome(outcome).label)
    html = _page(_agreement_url(published.main), language="en")
    row = html[html.index("Verdal kommune</th>") :]
    assert label in _text(row[: row.index("</tr>")])


def test_a_special_agreement_names_its_parties_and_what_it_gives_way_to(
    published: SimpleNamespace,
) -> None:
    html = _page(_agreement_url(published.local), language="en")
    text = _text(html)
    assert "Binds Levanger kommune, Verdal kommune" in text
    assert "Where the two conflict, this agreement gives way to" in text
    assert f'href="{_agreement_url(published.main)}"' in html
    table = text[text.index("The parties and the version") :]
    assert "Namsos kommune" not in table


def test_it_does_not_point_to_an_agreement_that_is_not_published(
    published: SimpleNamespace,
) -> None:
    Agreement.objects.filter(pk=published.local.pk).update(yields_to=published.hidden)
    html = _page(_agreement_url(published.local), language="en")
    assert "gives way to" not in html
    assert published.hidden.title not in html


def test_a_guideline_applies_its_version_in_force_to_all(published: SimpleNamespace) -> None:
    text = _text(_page(_agreement_url(published.guideline), language="en"))
    assert "The parties do not adopt this one by one" in text
    assert "Handling of version" not in text
    table = text[text.index("The parties and the version") :]
    assert "Levanger kommune Version 2025, since" in table


def test_before_any_version_is_in_force_the_newest_public_text_is_shown(
    published: SimpleNamespace,
) -> None:
    AgreementVersion.objects.filter(pk=published.v_local.pk).update(
        status=Status.ADOPTED, in_force_from=None
    )
    text = _text(_page(_agreement_url(published.local), language="en"))
    assert "No version is in force yet." in text
    assert "The text of the newest version" in text
    assert "Legevakten er felles for de to kommunene." in text


# --- A version ----------------------------------------------------------------------


def test_the_version_page_compares_clause_by_clause_in_words(published: SimpleNamespace) -> None:
    html = _page(_version_url(published.v2026), language="en")
    changes = html[html.index('id="changes-heading"') : html.index('id="text-heading"')]
    text = _text(changes)
    assert "Changes from version 2021" in text
    assert "1 clause added" in text and "1 clause removed" in text
    assert "1 clause changed" in text and "1 clause unchanged" in text
    assert "Added 3 Digital samhandling og meldingsutveksling" in text
    assert "Removed 3 Jordmortjenester for gravide i kommunene" in text
    assert "Changed 2 Innleggelse i sykehus og utskrivning" in text
    assert "What changed: text, the § 6-2 points it covers." in text
    assert "Unchanged 1 Formål med avtalen om samarbeid" in text
    # Side by side: the old text and the new, each under its own heading.
    before = text.index("Before (version 2021)")
    now = text.index("Now (version 2026)")
    assert before < text.index("Kommunen varsler sykehuset før innleggelse.") < now
    assert now < text.index("Kommunen varsler sykehuset senest dagen før")
    full = _text(html[html.index('id="text-heading"') :])
    assert "The text of version 2026" in full
    assert "Partene bruker elektroniske meldinger" in full


def test_the_first_version_has_nothing_to_compare_with(published: SimpleNamespace) -> None:
    text = _text(_page(_version_url(published.v2021), language="en"))
    assert "This is the first version" in text
    assert "Changes from" not in text


def test_a_version_based_on_a_draft_is_not_compared_with_it(published: SimpleNamespace) -> None:
    AgreementVersion.objects.filter(pk=published.v2027.pk).update(previous=published.draft)
    html = _page(_version_url(published.v2027), language="en")
    assert "Changes from" not in html
    assert SECRET not in html and "first version" not in html


def test_the_version_pdf_is_tagged_with_title_language_and_the_clauses(
    published: SimpleNamespace,
) -> None:
    response = Client().get(f"{BASE}test-samarbeidsavtale/versjon/{published.v2026.pk}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    root: Any = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert str(root["/Lang"]) == settings.LANGUAGE_CODE
    assert "Testavtale om samarbeid" in str(reader.metadata.title)  # type: ignore[union-attr]
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Innleggelse i sykehus og utskrivning" in text
    assert "Kommunen varsler sykehuset senest dagen før planlagt innleggelse." in text
    assert "Felles koordinerende team" in text
    assert "Jordmortjenester" not in text


# --- Language -----------------------------------------------------------------------


@pytest.mark.parametrize("page", ["register", "coverage", "agreement", "version"])
def test_the_partnerships_texts_are_marked_bokmal_on_english_pages(
    published: SimpleNamespace, page: str
) -> None:
    from tests.test_content_language import unmarked

    url = {
        "register": BASE,
        "coverage": f"{BASE}dekning/",
        "agreement": _agreement_url(published.main),
        "version": _version_url(published.v2026),
    }[page]
    lines = {
        "Testavtale om samarbeid mellom kommunene og helseforetaket",
        "Test: Overordnet samarbeidsavtale",
        "Innleggelse i sykehus og utskrivning",
        "Kommunen varsler sykehuset senest dagen før planlagt innleggelse.",
        "Kommunen varsler sykehuset før innleggelse.",
        "Felles koordinerende team for utskrivningsklare pasienter",
        "Teamet ledes av en styringsgruppe med to fra hver side.",
        "Digital samhandling og meldingsutveksling",
        "Ny bestemmelse om digital samhandling mellom partene.",
        CHANGES,
    }
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _page(url, client, language="en")
    assert unmarked(html, lines, "nb") == []
    assert 'lang="nb"' in html


# --- Query counts -------------------------------------------------------------------


def _grow(published: SimpleNamespace, n: int = 3) -> None:
    """More of everything: agreements, versions, clauses, points, joint
    measures, parties and ratifications."""
    hnt = published.main.partnership
    region = Region.objects.create(partnership=hnt, name="Testregion for avtaler")
    new_parties = []
    for i in range(n):
        org = Organisation.objects.create(
            name=f"Avtaletest {i} kommune", kind="kommune", municipality_number=f"98{i:02d}"
        )
        Participation.objects.create(partnership=hnt, organisation=org, region=region, role="party")
        new_parties.append(org)
    for i in range(n):
        agreement = Agreement.objects.create(
            partnership=hnt,
            level=published.main.level,
            number=f"X{i}",
            title=f"Ekstra testavtale nummer {i}",
            slug=f"ekstra-{i}",
            all_parties=i % 2 == 0,
        )
        if i % 2:
            agreement.parties.add(*new_parties)
        old = AgreementVersion.objects.create(
            agreement=agreement, label="2020", status=Status.REPLACED, in_force_from="2020-01-01"
        )
        version = AgreementVersion.objects.create(
            agreement=agreement,
            label="2025",
            status=Status.IN_FORCE,
            in_force_from="2025-01-01",
            previous=old,
        )
        AgreementVersion.objects.create(
            agreement=agreement, label="2027", status=Status.RATIFICATION, previous=version
        )
        for v in (old, version):
            for party in new_parties:
                Ratification.objects.create(
                    agreement_version=v, organisation=party, outcome="adopted"
                )
    for version in (published.v2021, published.v2026, published.v2027):
        for party in new_parties:
            Ratification.objects.create(
                agreement_version=version, organisation=party, outcome="adopted"
            )
        for j in range(n):
            clause = Clause.objects.create(
                agreement_version=version,
                key=f"extra-{j}",
                number=f"{10 + j}",
                heading=f"Ekstra punkt {j}",
                text="<p>Mer tekst.</p>",
                position=10 + j,
            )
            ClauseCoverage.objects.create(clause=clause, point=6 + j)
            clause.joint_measures.create(
                name=f"Tiltak {j}", employer="HF", organisation="Felles", financing="Delt"
            )


def _count(url: str) -> int:
    client = Client()
    client.get(url)  # warm caches (content types, translations)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# The register: the partnership (middleware); the agreements with their
# levels, parties, versions, ratifications and terminations (5); today's
# parties (1).
# The coverage: the partnership; the agreements with their levels and
# versions (2); what the versions in force cover (1); their joint measures (1).
# An agreement: the partnership; the agreement with its level and the one it
# gives way to, parties, versions, ratifications, terminations (5); today's
# parties (1); the clauses, their points and joint measures (3); the
# routines in force under it (1).
# A version: the partnership; the version with its agreement and the one it
# is based on (1); the clauses of both, their points and joint measures (3).
PINNED = {"register": 7, "coverage": 5, "agreement": 11, "version": 5}


@pytest.mark.parametrize("page", sorted(PINNED))
def test_the_pages_take_a_fixed_number_of_queries(
    published: SimpleNamespace, page: str, django_assert_num_queries: Any
) -> None:
    url = {
        "register": BASE,
        "coverage": f"{BASE}dekning/",
        "agreement": _agreement_url(published.main),
        "version": _version_url(published.v2026),
    }[page]
    client = Client()
    client.get(url)
    with django_assert_num_queries(PINNED[page]):
        assert client.get(url).status_code == 200
    _grow(published)
    with django_assert_num_queries(PINNED[page]):
        page_after = client.get(url)
    assert page_after.status_code == 200
    if page != "version":
        # The new rows are on the page: the count held with them there.
        assert "Ekstra" in page_after.content.decode() or page == "agreement"


def test_the_agreement_page_that_names_what_it_gives_way_to_asks_once_more(
    published: SimpleNamespace,
) -> None:
    # Whether the agreement it gives way to is published: one query, however many rows.
    url = _agreement_url(published.local)
    assert _count(url) == PINNED["agreement"] + 1
    _grow(published)
    assert _count(url) == PINNED["agreement"] + 1


def test_the_pages_work_for_logged_in_people(published: SimpleNamespace, as_person: Any) -> None:
    for who in ("sara", "lena", "tor", "otto"):
        client = as_person(who)
        for url in [BASE, f"{BASE}dekning/", _agreement_url(published.main)]:
            assert client.get(url).status_code == 200
