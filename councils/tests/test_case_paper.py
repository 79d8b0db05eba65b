"""The case paper as rich text: the form stores sanitised HTML, the guard
reads the text, and the pages, the PDF and the history show the same paper;
papers from before the editor become paragraphs; templates fill a new case."""

from __future__ import annotations

import importlib
import io
import re
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from core import richtext
from core.validators import identity_number_message
from councils import case_templates, services
from councils.models import Case, Council

NUMBER = "15078810022"  # a synthetic identity number the guard knows
NEW = "/hnt/intern/rad/saker/ny/"

PAPER = (
    "<h2>Hva saken gjelder</h2>"
    "<p>Kommunene og sykehuset har <strong>ulike</strong> rutiner, se "
    '<a href="https://www.helsedirektoratet.no/veiledere/">veilederen</a>.</p>'
    "<h3>Tiltak</h3>"
    "<ul><li><p>felles sjekkliste</p></li><li><p>opplæring</p></li></ul>"
    "<table><tbody><tr><th><p>Part</p></th><th><p>Antall</p></th></tr>"
    "<tr><td><p>Levanger</p></td><td><p>12</p></td></tr></tbody></table>"
)
DIRTY = (
    '<h2 style="color:red" onclick="alert(1)">Hva saken gjelder</h2>'
    '<p class="MsoNormal">Tekst<script>alert("x")</script> '
    '<a href="javascript:alert(1)">lenke</a></p><style>p{}</style>'
)


def _council(slug: str) -> Council:
    return Council.objects.get(partnership__slug="hnt", slug=slug)


def _case(title_start: str) -> Case:
    return Case.objects.get(partnership__slug="hnt", title__startswith=title_start)


def _form(**paper: str) -> dict[str, Any]:
    return {
        "council": _council("asu").pk,
        "title": "Felles rutine for legemidler",
        "visibility": "public",
        "version": 0,
        **paper,
    }


def _edit(case: Case, **paper: str) -> dict[str, Any]:
    return {
        "council": case.council_id,
        "title": case.title,
        "visibility": case.visibility,
        "public_title": case.public_title,
        "legal_basis": case.legal_basis,
        "background": case.background,
        "assessment": case.assessment,
        "proposed_decision": case.proposed_decision,
        "version": case.version,
        **paper,
    }


# --- the form -------------------------------------------------------------------


def test_the_form_stores_sanitised_html(as_person: Any, people: Any) -> None:
    sara = as_person("sara")
    response = sara.post(NEW, _form(background=DIRTY, proposed_decision=PAPER))
    assert response.status_code == 302
    case = Case.objects.get(title="Felles rutine for legemidler")
    assert case.background == "<h2>Hva saken gjelder</h2><p>Tekst <a>lenke</a></p>"
    assert case.proposed_decision == PAPER
    assert case.assessment == ""


def test_the_paper_comes_back_unchanged_from_the_edit_form(as_person: Any, people: Any) -> None:
    sara = as_person("sara")
    sara.post(NEW, _form(background=PAPER))
    case = Case.objects.get(title="Felles rutine for legemidler")
    page = sara.get(f"/hnt/intern/rad/saker/{case.pk}/rediger/").content.decode()
    # The editor starts from the stored HTML, escaped in its textarea.
    textarea = re.search(r'<textarea name="background"[^>]*>(.*?)</textarea>', page, re.S)
    assert textarea is not None
    assert textarea[1].strip() == PAPER.replace("&", "&amp;").replace("<", "&lt;").replace(
        ">", "&gt;"
    ).replace('"', "&quot;")
    assert sara.post(f"/hnt/intern/rad/saker/{case.pk}/rediger/", _edit(case)).status_code == 302
    case.refresh_from_db()
    assert (case.background, case.version) == (PAPER, 1)


def test_text_typed_without_the_editor_becomes_paragraphs(as_person: Any, people: Any) -> None:
    as_person("sara").post(NEW, _form(background="Linje én\nlinje to\n\nAvsnitt <to> & tre"))
    case = Case.objects.get(title="Felles rutine for legemidler")
    assert case.background == "<p>Linje én<br>linje to</p><p>Avsnitt &lt;to&gt; &amp; tre</p>"


def test_a_double_submitted_case_with_a_paper_is_created_once(as_person: Any, people: Any) -> None:
    data = _form(background=PAPER, client_key=str(uuid.uuid4()))
    sara = as_person("sara")
    first, second = sara.post(NEW, data), sara.post(NEW, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.filter(title="Felles rutine for legemidler").count() == 1


@pytest.mark.parametrize(
    "background",
    [
        f"<p>Pasient {NUMBER} ble skrevet ut.</p>",
        f"<p>Pasient {NUMBER[:6]}<strong>{NUMBER[6:]}</strong> ble skrevet ut.</p>",
        f"<p>Pasient {NUMBER[:6]}</p><p>{NUMBER[6:]} ble skrevet ut.</p>",
        f"<p>Pasient {NUMBER[:4]}<em>{NUMBER[4:8]}</em><strong>{NUMBER[8:]}</strong></p>",
    ],
)
def test_an_identity_number_hidden_in_markup_is_refused_and_kept(
    as_person: Any, people: Any, background: str
) -> None:
    response = as_person("sara").post(NEW, _form(background=background))
    assert response.status_code == 200
    errors = response.context["form"].errors
    with translation.override("nb"):
        assert errors["background"] == [identity_number_message(1)]  # once, not per check
    assert NUMBER not in str(errors) and NUMBER[:6] not in str(errors)
    # What was typed is kept for the person to correct.
    assert "Pasient" in response.context["form"]["background"].value()
    assert not Case.objects.filter(title="Felles rutine for legemidler").exists()


def test_the_model_refuses_a_number_in_markup_whatever_writes_it(people: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.create_case(
            council=_council("asu"),
            title="Fra en annen vei",
            by=None,
            background=f"<p>{NUMBER[:6]}<strong>{NUMBER[6:]}</strong></p>",
        )
    assert NUMBER not in str(refused.value)
    assert not Case.objects.filter(title="Fra en annen vei").exists()
    case = _case("Handlingsplan for samhandling")
    with pytest.raises(ValidationError):
        services.update_case(
            case, {"assessment": f"<p>{NUMBER[:6]}</p><p>{NUMBER[6:]}</p>"}, case.version
        )
    case.refresh_from_db()
    assert NUMBER[:6] not in case.assessment


def test_html_written_past_the_form_is_sanitised_and_plain_text_kept(people: Any) -> None:
    case, _created = services.create_case(
        council=_council("asu"),
        title="Fra en annen app",
        by=None,
        background=DIRTY,
        assessment="Ren tekst\nfra en rapport.",
    )
    case.refresh_from_db()
    assert case.background == "<h2>Hva saken gjelder</h2><p>Tekst <a>lenke</a></p>"
    assert case.assessment == "Ren tekst\nfra en rapport."
    assert case.paper_text == "Hva saken gjelder\n\nTekst lenke\n\nRen tekst\nfra en rapport."


# --- showing it -------------------------------------------------------------------


def _with_paper(title: str) -> Case:
    case = _case(title)
    return services.update_case(case, {"background": PAPER}, case.version)  # type: ignore[return-value]


def _assert_shows_the_paper(page: str) -> None:
    # Under the section heading (h3): the paper's headings start at h4.
    assert '<h4 class="ds-heading" data-size="xs">Hva saken gjelder</h4>' in page
    assert '<h5 class="ds-heading" data-size="2xs">Tiltak</h5>' in page
    assert "<strong>ulike</strong>" in page
    assert '<a class="ds-link" href="https://www.helsedirektoratet.no/veiledere/">' in page
    assert '<ul class="ds-list"><li><p>felles sjekkliste</p></li>' in page
    assert '<div class="table-scroll" tabindex="0" role="region" aria-label="' in page
    assert '<table class="ds-table" data-border="true">' in page


def test_the_case_page_shows_the_paper(as_person: Any, people: Any) -> None:
    case = _with_paper("Handlingsplan for samhandling")
    page = as_person("sara").get(f"/hnt/intern/rad/saker/{case.pk}/").content.decode()
    _assert_shows_the_paper(page)


def test_the_public_case_page_shows_the_same_paper(people: Any) -> None:
    case = _with_paper("Handlingsplan for samhandling")
    page = Client().get(f"/hnt/helsefellesskap/rad/saker/{case.pk}/").content.decode()
    _assert_shows_the_paper(page)


def test_a_row_holding_unsafe_html_is_shown_sanitised(people: Any) -> None:
    case = _case("Handlingsplan for samhandling")
    Case.objects.filter(pk=case.pk).update(background=DIRTY)  # past Case.save
    page = Client().get(f"/hnt/helsefellesskap/rad/saker/{case.pk}/").content.decode()
    assert "alert" not in page and "MsoNormal" not in page
    assert 'href="javascript' not in page
    assert '<h4 class="ds-heading" data-size="xs">Hva saken gjelder</h4>' in page


def test_a_paper_from_before_the_editor_shows_as_paragraphs(people: Any) -> None:
    case = _case("Handlingsplan for samhandling")
    Case.objects.filter(pk=case.pk).update(background="Linje 1\nLinje 2\n\n<b>ikke fet</b>")
    page = Client().get(f"/hnt/helsefellesskap/rad/saker/{case.pk}/").content.decode()
    assert (
        '<div class="rich-text"><p>Linje 1<br>Linje 2</p><p>&lt;b&gt;ikke fet&lt;/b&gt;</p>' in page
    )


def test_the_agenda_pdf_has_the_papers_headings_lists_and_tables(
    as_person: Any, people: Any
) -> None:
    case = _with_paper("Handlingsplan for samhandling")
    meeting = case.treatments.select_related("meeting").first().meeting  # type: ignore[union-attr]
    response = as_person("sara").get(f"/hnt/intern/rad/moter/{meeting.pk}/saksliste.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Hva saken gjelder" in text
    assert "Tiltak" in text
    assert "felles sjekkliste" in text and "opplæring" in text
    assert "Levanger" in text
    assert "<" not in text
    root: Any = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root  # still tagged (PDF/UA)


def test_the_history_shows_the_paper_as_text(as_person: Any, people: Any) -> None:
    case = _with_paper("Handlingsplan for samhandling")
    page = as_person("sara").get(f"/hnt/intern/rad/saker/{case.pk}/").content.decode()
    history = page[page.index('class="history"') :]
    assert "Hva saken gjelder" in history
    assert "&lt;h2&gt;" not in history and "&lt;p&gt;" not in history


# --- papers from before the editor ---------------------------------------------------

migration = importlib.import_module("councils.migrations.0004_case_paper_as_html")


def test_the_migration_turns_plain_text_into_paragraphs() -> None:
    row = SimpleNamespace(
        background="Første avsnitt\nmed linjeskift.\n\nAndre avsnitt: 3 < 4 & «sitat».",
        assessment="",
        proposed_decision="<p>Allerede HTML</p>",
        paper_text="",
    )
    migration.convert(row, richtext.to_html)
    assert row.background == (
        "<p>Første avsnitt<br>med linjeskift.</p><p>Andre avsnitt: 3 &lt; 4 &amp; «sitat».</p>"
    )
    assert row.assessment == ""
    assert row.proposed_decision == "<p>Allerede HTML</p>"
    assert row.paper_text == (
        "Første avsnitt\nmed linjeskift.\n\nAndre avsnitt: 3 < 4 & «sitat».\n\nAllerede HTML"
    )
    migration.convert(row, richtext.text_of)  # backwards
    assert row.background == "Første avsnitt\nmed linjeskift.\n\nAndre avsnitt: 3 < 4 & «sitat»."


def test_the_migration_converts_every_stored_paper(people: Any) -> None:
    case = _case("Handlingsplan for samhandling")
    Case.objects.filter(pk=case.pk).update(background="Gammel tekst\nuten HTML", paper_text="")
    migration.forwards(apps, None)
    case.refresh_from_db()
    assert case.background == "<p>Gammel tekst<br>uten HTML</p>"
    assert case.paper_text.startswith("Gammel tekst\nuten HTML")
    assert not Case.objects.exclude(background="").exclude(background__startswith="<").exists()


# --- templates ---------------------------------------------------------------------


def test_a_template_fills_the_paper_of_a_new_case(as_person: Any, people: Any) -> None:
    response = as_person("sara").get(NEW, {"mal": "horing"})
    form = response.context["form"]
    with translation.override("nb"):
        expected = case_templates.BY_KEY["horing"].initial()
    assert {name: form[name].value() for name in expected} == expected
    assert expected["background"].startswith("<h2>") and "<ul><li><p>" in expected["background"]
    assert expected["proposed_decision"].startswith("<ol><li><p>")
    page = response.content.decode()
    assert '<select name="mal"' in page and '<option value="horing" selected>' in page
    for key in ("beslutning", "orientering"):
        filled = as_person("sara").get(NEW, {"mal": key}).context["form"]
        assert richtext.text_of(filled["background"].value())
        assert richtext.to_html(filled["background"].value()) == filled["background"].value()


def test_no_template_or_an_unknown_one_leaves_the_paper_empty(as_person: Any, people: Any) -> None:
    for query in ({}, {"mal": "finnes-ikke"}):
        form = as_person("sara").get(NEW, query).context["form"]
        assert not form["background"].value()
