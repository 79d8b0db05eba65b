"""The browser sweep: every page as the people who use it see it.

Logs in as each named person (and visits as the public), follows the links
of their pages, and on every page, at 1280 and 390 px, checks what a person
sees (see ``sweep.py``) and runs axe. Each URL name is checked once, as the
first person whose links reach it; each person's own pages (the work queue,
their account) are checked for everyone. The figure "browser sweep" prints
pages × people × widths.

Downloads (PDF, CSV, Excel, calendar feeds, attachments), the admin site, the
API and log-out are not pages to look at and are not followed.
"""

from __future__ import annotations

from collections import deque
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve

from conftest import totp_device, totp_now
from core.tests.report import report_figure
from partnerships.demo import DEMO_PASSWORD
from tests.browser.conftest import AXE_TAGS
from tests.browser.sweep import HIT_JS, IMAGES_JS, OVERFLOW_JS, TEXTS_JS, english_on_page

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}

# Who is swept, with the pages that are theirs to see whatever was seen before.
PEOPLE: dict[str, list[str]] = {
    "anon": ["/", "/hnt/"],
    "sara": ["/hnt/intern/", "/konto/"],
    # Lena has no authenticator yet: the set-up page shows her the QR code.
    "lena": ["/hnt/intern/", "/konto/", "/konto/tofaktor/oppsett/"],
    "hanne": ["/hnt/intern/"],
    "stine": ["/hnt/intern/"],
    "kai": ["/hnt/intern/", "/stolav/intern/", "/konto/"],
    "nils": ["/hnt/intern/"],
}
# Enough for every URL name a person's links reach, with room to spare.
MAX_PAGES_PER_PERSON = 120

SKIP_PREFIXES = (
    "/django-admin/",
    "/api/",
    "/oparl/",
    "/i18n/",
    "/konto/logg-ut/",
    "/static/",
    "/media/",
)
SKIP_SUFFIXES = (".pdf", ".csv", ".xlsx", ".ics", ".json", ".txt")
SKIP_URL_NAMES = {
    "calendars:feed",
    "public_calendars:council",
    "public_calendars:index",
    "councils:attachment",
    "public_councils:attachment",
    "crisis:export_csv",
    "crisis:export_dhis2",
    "crisis:dashboard_pdf",  # a document: Chromium's viewer asks for /favicon.ico
    "deviations:export_csv",
    "deviations:export_xlsx",
    "public_indicators:csv",  # downloads
    "public_indicators:json_stat2",
    "annual:docx",
    "public_annual:docx",
    "annual:pdf",  # documents, as crisis:dashboard_pdf
    "public_annual:pdf",
    "national_public:csv",  # downloads
    "national_public:file",
}

# Defects the sweep has found and that are not fixed yet, each by URL name,
# width and the start of the problem. The test fails when one of them no
# longer occurs, so the list only shrinks.
KNOWN: set[tuple[str, str, str]] = set()


def _url_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _followable(path: str) -> bool:
    return not path.startswith(SKIP_PREFIXES) and not path.endswith(SKIP_SUFFIXES)


def _log_in(page: Any, base: str, person: Any) -> None:
    from accounts.services import requires_two_factor

    if requires_two_factor(person):
        totp_device(person)  # the authenticator they set up before
    page.goto(base + "/konto/logg-inn/")
    page.get_by_label("E-postadresse").fill(person.email)
    page.get_by_label("Passord").fill(DEMO_PASSWORD)
    page.get_by_label("Passord").press("Enter")
    page.wait_for_load_state()
    if "/tofaktor/kode/" in page.url:
        field = page.get_by_label("Kode fra autentiseringsappen din")
        field.fill(totp_now(totp_device(person)))
        field.press("Enter")
        page.wait_for_load_state()


def _links(page: Any, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    paths = []
    for href in hrefs:
        href, _fragment = urldefrag(href)
        if not href.startswith(base):
            continue
        parts = urlsplit(href)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if _followable(parts.path):
            paths.append(path)
    return paths


def _check(page: Any, axe: Any) -> list[tuple[str, str]]:
    """(width, problem) for the page as it is, at both widths."""
    problems: list[tuple[str, str]] = []
    for width, size in WIDTHS.items():
        page.set_viewport_size({"width": size[0], "height": size[1]})
        for image in page.evaluate(IMAGES_JS):
            problems.append((width, f"image not loaded: {image}"))
        for control in page.evaluate(HIT_JS):
            problems.append((width, f"cannot be clicked: {control}"))
        overflow = page.evaluate(OVERFLOW_JS)
        if overflow:
            problems.append((width, "overflows sideways: " + "; ".join(overflow)))
        for text in english_on_page(page.evaluate(TEXTS_JS)):
            problems.append((width, f"English on a bokmål page: {text!r}"))
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        for violation in results.response["violations"]:
            targets = [str(node["target"]) for node in violation["nodes"][:2]]
            problems.append((width, f"axe {violation['id']}: {', '.join(targets)}"))
    page.set_viewport_size({"width": WIDTHS["desktop"][0], "height": WIDTHS["desktop"][1]})
    return problems


def test_every_page_as_its_people_see_it(
    chromium: Any, live_server: Any, browser_people: dict[str, Any]
) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the sweep runs once, in the SQLite run (pages do not differ by database)")
    axe = Axe()
    base = live_server.url
    people = browser_people
    seen_names: set[str] = set()
    found: dict[tuple[str, str, str], str] = {}  # (name, width, problem) → who, where
    checked = 0
    per_person: dict[str, int] = {}
    for key, own_pages in PEOPLE.items():
        context = chromium.new_context(locale="nb-NO")
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        if key != "anon":
            _log_in(page, base, people[key])
        queue = deque(own_pages)
        visited: set[str] = set()
        names_here: set[str] = set()  # URL names this person has opened
        count = 0
        while queue and len(names_here) < MAX_PAGES_PER_PERSON:
            path = queue.popleft()
            if path in visited:
                continue
            visited.add(path)
            name = _url_name(path.split("?")[0])
            own = path in own_pages
            if name is None or name in SKIP_URL_NAMES or (name in names_here and not own):
                continue
            response = page.goto(base + path)
            # A page refused to this person (403/404) is left for one who may see it.
            if response is None or response.status != 200:
                errors.clear()  # the browser logs the refusal itself
                continue
            if "text/html" not in response.headers.get("content-type", ""):
                continue
            names_here.add(name)
            # Each URL name is checked once, as the first person who opens
            # it; a person's own pages for everyone. Pages seen before are
            # still opened, for the links that lead on.
            if own or name not in seen_names:
                seen_names.add(name)
                count += 1
                problems = _check(page, axe)
                problems += [("desktop", f"console: {text}") for text in errors]
                for width, problem in problems:
                    found.setdefault((name, width, problem), f"{key} on {path}")
            errors.clear()
            queue.extend(link for link in _links(page, base) if link not in visited)
        context.close()
        per_person[key] = count
        checked += count
    report_figure(
        "browser sweep: pages × widths checked",
        f"{checked} × {len(WIDTHS)} = {checked * len(WIDTHS)} "
        f"({', '.join(f'{k} {n}' for k, n in per_person.items())}); "
        f"{len(seen_names)} URL names",
    )
    new = {k: v for k, v in found.items() if not any(_known(k, known) for known in KNOWN)}
    gone = [known for known in KNOWN if not any(_known(k, known) for k in found)]
    report = "\n".join(
        f"{name} @ {width}: {problem}  ({where})"
        for (name, width, problem), where in sorted(new.items())
    )
    assert not new, f"{len(new)} problem(s) a person would meet:\n{report}"
    assert not gone, f"fixed, take them off KNOWN: {gone}"


def _known(found: tuple[str, str, str], known: tuple[str, str, str]) -> bool:
    return found[0] == known[0] and found[1] == known[1] and found[2].startswith(known[2])
