"""The partnership's own texts are marked with their language (WCAG 3.1.2).

Case papers, decisions, mandates, deviations and the rest are written in the
partnership's language (bokmål in the demo). On a page in English or
nynorsk, a screen reader would read them with the wrong voice unless the
element holding them says ``lang="nb"``. This test crawls the demo in
English as the secretariat and as the public, and fails on any text node
that holds a line of the partnership's own text outside such an element.
"""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.template import Context, Template
from django.urls import Resolver404, resolve
from django.utils import translation

pytestmark = pytest.mark.django_db

# Where the partnership writes its own words: (model, fields).
OWN_TEXTS: list[tuple[str, list[str]]] = [
    ("partnerships.Partnership", ["about"]),
    ("partnerships.Contact", ["unit_name", "opening_hours"]),
    ("councils.Council", ["name", "mandate"]),
    ("councils.Meeting", ["title"]),
    (
        "councils.Case",
        ["title", "public_title", "background", "assessment", "proposed_decision"],
    ),
    ("councils.Decision", ["recommendation", "adopted_text"]),
    ("councils.CaseAttachment", ["title"]),
    ("crisis.Crisis", ["name", "description"]),
    ("crisis.Indicator", ["name", "help_text"]),
    ("crisis.ActionCard", ["title", "actions"]),
    ("crisis.LogEntry", ["text"]),
    ("crisis.ResourceRequest", ["description", "offer"]),
    ("crisis.PartnershipLevel", ["reason"]),
    ("deviations.DeviationCategory", ["name"]),
    ("deviations.Guideline", ["name"]),
    (
        "deviations.Deviation",
        [
            "description",
            "immediate_measures",
            "suggested_improvement",
            "answer_cause",
            "answer_measures",
        ],
    ),
    ("deviations.DeviationMessage", ["text"]),
    ("agreements.AgreementLevel", ["name", "description"]),
    ("agreements.Agreement", ["title"]),
    ("agreements.AgreementVersion", ["label", "summary"]),
    ("agreements.Clause", ["heading", "text"]),
    ("agreements.JointMeasure", ["name", "employer", "organisation", "financing"]),
    ("agreements.Ratification", ["changes"]),
    ("routines.Routine", ["number", "title"]),
    ("routines.RoutineVersion", ["label", "text", "summary", "reason"]),
    ("routines.RoutineReview", ["note"]),
    ("followups.FollowUp", ["title", "description"]),
    ("followups.FollowUpLogEntry", ["text"]),
    ("representation.InputRound", ["message"]),
    ("representation.InputAnswer", ["text"]),
    ("representation.ReportBack", ["summary"]),
]
# Shorter lines could be words of the interface too.
MIN_LINE = 20

SKIP_PREFIXES = ("/django-admin/", "/api/", "/i18n/", "/konto/", "/static/", "/media/")
SKIP_SUFFIXES = (".pdf", ".csv", ".xlsx", ".ics", ".json", ".txt")
# Pages of one kind visited (each case, each deviation …): enough to see
# every template with different content.
PER_URL_NAME = 3
MAX_PAGES = 400

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
    "source", "track", "wbr",
}  # fmt: skip
# Text a person does not read as page text: the head, and what is being
# edited (the control itself is labelled in the interface language).
SKIP_TEXT_IN = {"head", "title", "script", "style", "textarea", "option", "template"}


class _Texts(HTMLParser):
    """Every text node of a page with the language it is in (the nearest
    ``lang`` attribute) and whether it is in a part not read as text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.nodes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if not text or any(tag in SKIP_TEXT_IN for tag, _ in self.stack):
            return
        lang = next((lang for _, lang in reversed(self.stack) if lang is not None), "")
        self.nodes.append((text, lang))


def text_nodes(html: str) -> list[tuple[str, str]]:
    parser = _Texts()
    parser.feed(html)
    parser.close()
    return parser.nodes


def own_lines(partnership: Any) -> set[str]:
    """Every line of the partnership's own texts long enough to be sure of."""
    lines: set[str] = set()
    for label, fields in OWN_TEXTS:
        model = apps.get_model(label)
        query = model.objects.all()
        for value in query.values_list(*fields):
            for text in value:
                # Rich text (case papers) is HTML: its text nodes are lines.
                for line, _lang in text_nodes(text or ""):
                    if len(line) >= MIN_LINE:
                        lines.add(line)
    return lines


def unmarked(html: str, lines: set[str], language: str) -> list[str]:
    """Text nodes holding a line of the partnership's text that are not
    inside an element marked with the partnership's language."""
    found = []
    for text, lang in text_nodes(html):
        if lang.split("-")[0] == language or len(text) < MIN_LINE:
            continue
        # A line in the node, or the node a line cut short ("…").
        cut = text[:-1].rstrip() if text.endswith("…") else None
        if any(line in text or (cut and line.startswith(cut)) for line in lines):
            found.append(text[:80])
    return found


def _links(html: str) -> list[str]:
    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.hrefs: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            href = dict(attrs).get("href")
            if tag == "a" and href and href.startswith("/"):
                self.hrefs.append(urldefrag(href)[0])

    parser = Links()
    parser.feed(html)
    return parser.hrefs


def _crawl(client: Any, start: list[str], lines: set[str]) -> tuple[int, dict[str, list[str]]]:
    queue = deque(start)
    seen: set[str] = set()
    per_name: dict[str, int] = {}
    problems: dict[str, list[str]] = {}
    pages = 0
    while queue and pages < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        bare = urlsplit(path).path
        if bare.startswith(SKIP_PREFIXES) or bare.endswith(SKIP_SUFFIXES):
            continue
        try:
            name = resolve(bare).view_name
        except Resolver404:
            continue
        if per_name.get(name, 0) >= PER_URL_NAME:
            continue
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        per_name[name] = per_name.get(name, 0) + 1
        pages += 1
        html = response.content.decode()
        bad = unmarked(html, lines, "nb")
        if bad:
            problems[path] = bad
        queue.extend(link for link in _links(html) if link not in seen)
    return pages, problems


@pytest.mark.parametrize("who", ["sara", "anon"])
def test_the_partnerships_texts_are_marked_bokmal_on_english_pages(
    as_person: Any, hnt: Any, who: str
) -> None:
    from core.tests.report import report_figure

    client = as_person(None if who == "anon" else who)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    lines = own_lines(hnt)
    assert len(lines) > 100  # the demo writes plenty
    start = ["/hnt/", "/hnt/intern/"] if who == "sara" else ["/", "/hnt/"]
    pages, problems = _crawl(client, start, lines)
    report_figure(f"own texts marked lang=nb on English pages ({who})", f"{pages} pages")
    assert pages > (60 if who == "sara" else 15)
    report = "\n".join(f"{path}: {texts[:3]}" for path, texts in sorted(problems.items()))
    assert not problems, f"{len(problems)} page(s) with unmarked bokmål text:\n{report}"


def test_the_check_sees_unmarked_text() -> None:
    lines = {"Saken gjelder felles rutiner for utskrivning"}
    page = "<main><h1>Case</h1><p>Saken gjelder felles rutiner for utskrivning</p></main>"
    assert unmarked(page, lines, "nb") == ["Saken gjelder felles rutiner for utskrivning"]
    marked = '<main><div lang="nb"><p>Saken gjelder felles rutiner for utskrivning</p></div></main>'
    assert unmarked(marked, lines, "nb") == []


@pytest.mark.parametrize(
    ("page_language", "content_language", "expected"),
    [
        ("en", "nb", '<p lang="nb"><span lang="nb">Utskrivning</span></p>'),
        ("nn", "nb", '<p lang="nb"><span lang="nb">Utskrivning</span></p>'),
        ("nb", "nn", '<p lang="nn"><span lang="nn">Utskrivning</span></p>'),
        ("nb", "nb", "<p>Utskrivning</p>"),
        ("nn", "nn", "<p>Utskrivning</p>"),
    ],
)
def test_own_texts_are_marked_only_when_the_page_is_in_another_language(
    page_language: str, content_language: str, expected: str
) -> None:
    from partnerships.models import Partnership

    template = Template("{% load ui %}<p{% own_lang %}>{% own title %}</p>")
    partnership = Partnership(slug="x", name="X", content_language=content_language)
    with translation.override(page_language):
        html = template.render(Context({"partnership": partnership, "title": "Utskrivning"}))
    assert html == expected


def test_own_escapes_and_leaves_nothing_for_no_text() -> None:
    from partnerships.models import Partnership

    partnership = Partnership(slug="x", name="X", content_language="nb")
    template = Template("{% load ui %}[{% own title %}]")
    with translation.override("en"):
        assert template.render(Context({"partnership": partnership, "title": "<b>"})) == (
            '[<span lang="nb">&lt;b&gt;</span>]'
        )
        assert template.render(Context({"partnership": partnership, "title": None})) == "[]"
    with translation.override("nb"):
        assert template.render(Context({"partnership": None, "title": "<b>"})) == "[&lt;b&gt;]"


def test_own_part_marks_the_partnerships_words_inside_interface_text() -> None:
    from partnerships.models import Partnership

    partnership = Partnership(slug="x", name="X", content_language="nb")
    template = Template("{% load ui %}{% own_part title part %}")
    context = {"partnership": partnership, "title": "Innlagte per region (sum)"}
    with translation.override("en"):
        assert template.render(Context({**context, "part": "Innlagte"})) == (
            '<span lang="nb">Innlagte</span> per region (sum)'
        )
        # Words not in the text, or none: the text as it is, escaped.
        assert template.render(Context({**context, "part": "Utskrevne"})) == (
            "Innlagte per region (sum)"
        )
        assert template.render(Context({**context, "title": "<b>", "part": ""})) == "&lt;b&gt;"
