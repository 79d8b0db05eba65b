"""The national comparison in the browser: the secretariat publishes last
year, imports another installation's file (a broken one first: refused,
with its line and field, nothing stored), and the public compares the
partnerships, opens a figure's chart with its table. axe runs on every
page, at phone width too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from conftest import totp_device
from national.models import Snapshot
from tests.browser.test_agreements_journey import _at_phone_width, _click
from tests.browser.test_councils_journey import _log_in

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).resolve().parents[2] / "national" / "tests" / "samples"


def test_the_secretariat_publishes_and_imports_and_the_public_compares(
    visit: Any, browser_people: Any, tmp_path: Path
) -> None:
    sara = browser_people["sara"]
    totp_device(sara)
    v = visit()
    _log_in(v, "sara@hnt.example", sara)
    last_year = timezone.localdate().year - 1

    v.go("/hnt/intern/nasjonalt/")
    v.check_accessibility()
    _at_phone_width(v)
    v.page.get_by_label("År", exact=True).select_option(str(last_year))
    _click(v, "button", "Publiser")
    assert "er publisert for nasjonal sammenligning" in v.page.locator("main").inner_text()
    assert Snapshot.objects.filter(identifier="hnt", year=last_year, created_by=sara).exists()

    # A broken file: every error with its line and field, nothing stored.
    document = json.loads((SAMPLE / "fjordkysten-2025.json").read_text())
    document["partnership"].update(id="vestkysten", name="Helsefellesskap Vestkysten")
    document["year"] = last_year
    broken = dict(document, activity={**document["activity"], "decisions": {"value": "x"}})
    path = tmp_path / "vestkysten.json"
    path.write_text(json.dumps(broken, ensure_ascii=False, indent=2))
    v.page.get_by_label("Fil", exact=True).set_input_files(str(path))
    _click(v, "button", "Importer filen")
    main = v.page.locator("main").inner_text()
    assert "Filen ble ikke importert" in main and "/activity/decisions/status" in main
    assert not Snapshot.objects.filter(identifier="vestkysten").exists()
    v.check_accessibility()

    path.write_text(json.dumps(document, ensure_ascii=False, indent=2))
    v.page.get_by_label("Fil", exact=True).set_input_files(str(path))
    _click(v, "button", "Importer filen")
    assert "Helsefellesskap Vestkysten" in v.page.locator("main").inner_text()
    assert Snapshot.objects.get(identifier="vestkysten").imported_for.slug == "hnt"  # type: ignore[union-attr]
    v.check_accessibility()

    # The public compares, and opens a figure.
    public = visit()
    public.go(f"/nasjonalt/{last_year}/")
    main = public.page.locator("main").inner_text()
    for name in ("Helsefellesskap Vestkysten", "Helsefellesskap Nord-Trøndelag"):
        assert name in main
    public.check_accessibility()
    _at_phone_width(public)
    public.page.get_by_role("link", name="Møter holdt i rådene").click()
    public.page.wait_for_load_state()
    assert public.page.locator("svg[role=img]").count() == 1
    assert "Tallene som tabell" in public.page.locator("main").inner_text()
    public.check_accessibility()
    _at_phone_width(public)
