"""The accessibility statement and the privacy notice: public, complete,
driven by the settings, and linked from the footer of every page."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

BASE_DIR = Path(__file__).resolve().parents[2]

STATEMENT_SECTIONS = [
    "The requirements",
    "Status",
    "What is not accessible",
    "How we tested",
    "Date of this statement",
    "Feedback and contact",
    "Supervision and complaints",
]
PRIVACY_SECTIONS = [
    "Who is responsible",
    "What Samspill stores about whom",
    "Why, and on what legal basis",
    "How long",
    "Your rights",
    "Questions",
]


def english(url: str, client: Client | None = None) -> str:
    response = (client or Client()).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("url", ["/tilgjengelighet/", "/hnt/tilgjengelighet/"])
def test_the_accessibility_statement_has_every_part_uustatus_asks_for(
    people: Any, url: str
) -> None:
    page = english(url)
    for heading in STATEMENT_SECTIONS:
        assert f">{heading}</h2>" in page, heading
    assert "WCAG 2.1" in page and "EN 301 549" in page
    assert "partly meets the requirements" in page
    # How it was tested: axe's rule sets, both widths, the sweep, the keyboard.
    for text in ["wcag2a, wcag2aa, wcag21a, wcag21aa", "1280 and 390 pixels", "skip link"]:
        assert text in page
    # The supervisory authority and the complaints body.
    assert 'href="https://www.uutilsynet.no/"' in page
    assert 'href="https://www.diskrimineringsnemnda.no/"' in page


def test_the_statement_shows_its_settings(people: Any, settings: Any) -> None:
    settings.SAMSPILL_ACCESSIBILITY_STATEMENT_DATE = datetime.date(2027, 3, 1)
    settings.SAMSPILL_ACCESSIBILITY_UUSTATUS_URL = "https://uustatus.no/nb/erklaringer/publisert/x"
    settings.SAMSPILL_ACCESSIBILITY_DEVIATIONS = [("1.4.3", "Grey text on the map is too light.")]
    page = english("/hnt/tilgjengelighet/")
    assert "March 1, 2027" in page
    assert 'href="https://uustatus.no/nb/erklaringer/publisert/x"' in page
    assert '<th scope="row">1.4.3</th><td>Grey text on the map is too light.</td>' in page
    settings.SAMSPILL_ACCESSIBILITY_DEVIATIONS = []
    page = english("/hnt/tilgjengelighet/")
    assert "meets the requirements as far as we have tested" in page
    assert "What is not accessible" not in page


def test_the_default_deviations_name_what_is_not_met(people: Any) -> None:
    page = english("/tilgjengelighet/")
    assert "tagged PDF" in page and "table with the same numbers" in page
    # The idle log-out warns and can be extended (tests/browser/test_session_warning.py).
    assert '<th scope="row">2.2.1</th>' not in page


def test_each_page_names_its_own_secretariat_and_the_services_name_all(people: Any) -> None:
    own = english("/hnt/tilgjengelighet/")
    assert 'href="mailto:sekretariat@hnt.example"' in own
    everyone = english("/personvern/")
    assert 'href="mailto:sekretariat@hnt.example"' in everyone
    assert "St. Olavs" in everyone


def test_the_privacy_notice_has_every_part_and_the_retention_periods(
    people: Any, settings: Any
) -> None:
    settings.SAMSPILL_RETAIN_CLOSED_DEVIATIONS_DAYS = 731
    settings.SAMSPILL_RETAIN_CRISIS_REPORTS_DAYS = 1096
    settings.SAMSPILL_RETAIN_AUDIT_DAYS = 1827
    settings.SAMSPILL_RETAIN_LEFT_PEOPLE_DAYS = 91
    page = english("/hnt/personvern/")
    for heading in PRIVACY_SECTIONS:
        assert f">{heading}</h2>" in page, heading
    for text in ["731 days after it was closed", "1096 days after the crisis", "1827 days."]:
        assert text in page
    assert "91 days after your last role ended" in page
    assert f"after {settings.SESSION_COOKIE_AGE // 60} minutes without activity" in page
    # Whom it is about, why, and the rights.
    for text in [
        "helse- og omsorgstjenesteloven §§ 6-1 and 6-2",
        "article 6(1)(e)",
        "No patient identity",
        "national identity number",
        "Aggregate figures per party",
    ]:
        assert text in page
    assert 'href="/konto/mine-data/"' in page
    assert 'href="https://www.datatilsynet.no/"' in page


def test_the_privacy_notice_names_the_controller_and_officer_from_the_settings(
    people: Any, settings: Any
) -> None:
    page = english("/personvern/")
    assert "the organisation that hosts the secretariat answers on their behalf" in page
    assert "Ask the secretariat for the data protection officer" in page
    settings.SAMSPILL_DATA_CONTROLLER = "Helse Nord-Trøndelag HF"
    settings.SAMSPILL_DATA_PROTECTION_OFFICER = "Kari Ombud, personvernombud@hnt-hf.example"
    page = english("/personvern/")
    assert "Data controller: Helse Nord-Trøndelag HF." in page
    assert (
        '<a class="ds-link" href="mailto:personvernombud@hnt-hf.example">'
        "Kari Ombud, personvernombud@hnt-hf.example</a>"
    ) in page


# Pages of every kind: public, per partnership, internal, the account, a 404.
FOOTER_PAGES = [
    (None, "/", "/"),
    (None, "/hnt/", "/hnt/"),
    (None, "/stolav/kontakt/", "/stolav/"),
    (None, "/hnt/helsefellesskap/rad/", "/hnt/"),
    (None, "/konto/logg-inn/", "/"),
    (None, "/personvern/", "/"),
    (None, "/hnt/tilgjengelighet/", "/hnt/"),
    ("lena", "/konto/", "/"),
    ("lena", "/konto/mine-data/", "/"),
    ("lena", "/hnt/intern/", "/hnt/"),
    ("sara", "/hnt/intern/avvik/", "/hnt/"),
    ("tor", "/stolav/intern/", "/stolav/"),
]


@pytest.mark.parametrize(("who", "url", "base"), FOOTER_PAGES)
def test_every_page_links_both_from_its_footer(
    as_person: Any, who: str | None, url: str, base: str
) -> None:
    response = as_person(who).get(url)
    assert response.status_code == 200
    footer = response.content.decode().split('<footer class="site-footer">')[1]
    assert f'href="{base}tilgjengelighet/"' in footer
    assert f'href="{base}personvern/"' in footer


def test_a_missing_page_links_them_too(people: Any) -> None:
    response = Client().get("/hnt/finnes-ikke/")
    assert response.status_code == 404
    assert 'href="/hnt/tilgjengelighet/"' not in response.content.decode()
    assert 'href="/tilgjengelighet/"' in response.content.decode()


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # the partnerships, for their secretariats
        ("/tilgjengelighet/", 1),
        ("/personvern/", 1),
        # the partnership by slug (middleware); it is the secretariat
        ("/hnt/tilgjengelighet/", 1),
        ("/hnt/personvern/", 1),
    ],
)
def test_the_pages_pin_their_query_count(
    people: Any, url: str, queries: int, django_assert_num_queries: Any
) -> None:
    client = Client()
    client.get(url)
    with django_assert_num_queries(queries):
        client.get(url)


def _settings_in_a_new_process(**env: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.SAMSPILL_ACCESSIBILITY_DEVIATIONS))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "samspill.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_operator_replaces_the_deviations_with_a_file_and_a_bad_file_stops_start_up(
    tmp_path: Path,
) -> None:
    good = tmp_path / "deviations.json"
    good.write_text(json.dumps([{"criterion": "1.4.3", "text": "Lys grå tekst."}]))
    result = _settings_in_a_new_process(SAMSPILL_ACCESSIBILITY_DEVIATIONS_FILE=str(good))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [["1.4.3", "Lys grå tekst."]]
    bad = tmp_path / "bad.json"
    bad.write_text('[{"criterion": "1.4.3"}]')
    result = _settings_in_a_new_process(SAMSPILL_ACCESSIBILITY_DEVIATIONS_FILE=str(bad))
    assert result.returncode != 0
    assert "SAMSPILL_ACCESSIBILITY_DEVIATIONS_FILE" in result.stderr
    result = _settings_in_a_new_process(SAMSPILL_ACCESSIBILITY_STATEMENT_DATE="1. mars")
    assert "SAMSPILL_ACCESSIBILITY_STATEMENT_DATE must be a date" in result.stderr


def test_the_defaults_are_the_documented_ones() -> None:
    assert settings.SAMSPILL_RETAIN_CLOSED_DEVIATIONS_DAYS == 730
    assert settings.SAMSPILL_RETAIN_CRISIS_REPORTS_DAYS == 1095
    assert settings.SAMSPILL_RETAIN_AUDIT_DAYS == 1825
    assert settings.SAMSPILL_RETAIN_LEFT_PEOPLE_DAYS == 90
