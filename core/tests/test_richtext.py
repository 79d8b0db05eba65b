"""The case paper's rich text: what the sanitiser keeps and drops, the text a
reader sees, plain text as paragraphs, headings fitted under a page's own."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core import richtext
from core.validators import IDENTITY_NUMBER_CODE

# A synthetic identity number that passes the guard's checks.
NUMBER = "15078810022"

EDITOR_OUTPUT = (
    "<h2>Bakgrunn</h2><p>Tekst med <strong>fet</strong>, <em>kursiv</em> og en "
    '<a href="https://www.helsedirektoratet.no/">lenke</a>.</p>'
    "<h3>Underoverskrift</h3><h4>Minste</h4>"
    "<ul><li><p>punkt</p></li></ul><ol><li><p>en</p></li><li><p>to</p></li></ol>"
    "<table><tbody><tr><th><p>A</p></th><th><p>B</p></th></tr>"
    "<tr><td><p>1</p></td><td><p>2</p></td></tr></tbody></table>"
    "<p>linje<br>linje</p>"
)


def test_it_keeps_the_markup_the_editor_makes() -> None:
    assert richtext.sanitise(EDITOR_OUTPUT) == EDITOR_OUTPUT
    head = "<table><thead><tr><th>A</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>"
    assert richtext.sanitise(head) == head


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>a</p><script>alert(1)</script>", "<p>a</p>"),
        ("<style>p { color: red }</style><p>a</p>", "<p>a</p>"),
        ('<p onclick="alert(1)" onmouseover="x()">a</p>', "<p>a</p>"),
        ('<p style="color: red" class="MsoNormal" id="x">a</p>', "<p>a</p>"),
        ('<p><img src="x" onerror="alert(1)">a</p>', "<p>a</p>"),
        ('<p><iframe src="https://example.com"></iframe>a</p>', "<p>a</p>"),
        ("<p><svg><script>alert(1)</script></svg>a</p>", "<p>a</p>"),
        ('<p><a href="javascript:alert(1)">a</a></p>', "<p><a>a</a></p>"),
        ('<p><a href="JaVaScRiPt:alert(1)">a</a></p>', "<p><a>a</a></p>"),
        ('<p><a href="java&#x09;script:alert(1)">a</a></p>', "<p><a>a</a></p>"),
        ('<p><a href=" javascript:alert(1)">a</a></p>', "<p><a>a</a></p>"),
        ('<p><a href="data:text/html,<script>alert(1)</script>">a</a></p>', "<p><a>a</a></p>"),
        ('<p><a href="vbscript:x">a</a></p>', "<p><a>a</a></p>"),
        ('<p><a href="//evil.example/">a</a></p>', "<p><a>a</a></p>"),
        ('<p><a href="/\\evil.example/">a</a></p>', "<p><a>a</a></p>"),
        ('<p><a href="relative/path">a</a></p>', "<p><a>a</a></p>"),
        (
            '<p><a href="https://x.no" target="_blank" rel="opener">a</a></p>',
            '<p><a href="https://x.no">a</a></p>',
        ),
        ("<p><b>b</b><i>i</i><u>u</u><span>s</span></p>", "<p>bius</p>"),
        ("<p>a<!-- a comment --></p>", "<p>a</p>"),
    ],
)
def test_it_removes_what_the_editor_does_not_make(dirty: str, clean: str) -> None:
    assert richtext.sanitise(dirty) == clean


@pytest.mark.parametrize(
    "href",
    [
        "https://www.regjeringen.no/no/id1/",
        "http://intranett.example/sak?id=1",
        "mailto:post@helsefellesskap.example",
        "/hnt/intern/rad/saker/1/",
    ],
)
def test_it_keeps_web_mail_and_site_links(href: str) -> None:
    html = f'<p><a href="{href}">lenke</a></p>'
    assert richtext.sanitise(html) == html


def test_plain_text_becomes_escaped_paragraphs() -> None:
    text = "Første linje\r\nandre linje\n\n  \nNytt avsnitt med <b> & «sitat»\n"
    assert richtext.from_plain_text(text) == (
        "<p>Første linje<br>andre linje</p><p>Nytt avsnitt med &lt;b&gt; &amp; «sitat»</p>"
    )
    assert richtext.to_html(text) == richtext.from_plain_text(text)
    assert richtext.from_plain_text("") == ""


def test_an_empty_editor_is_an_empty_value() -> None:
    assert richtext.to_html("<p></p>") == ""
    assert richtext.to_html("<p><br></p>") == ""
    assert richtext.to_html("  ") == ""
    assert richtext.to_html(None) == ""


def test_text_before_the_first_block_becomes_a_paragraph() -> None:
    assert richtext.to_html("<h1>Tittel</h1><p>tekst</p>") == "<p>Tittel</p><p>tekst</p>"


def test_the_text_is_what_a_reader_sees() -> None:
    assert richtext.text_of(EDITOR_OUTPUT) == (
        "Bakgrunn\n\nTekst med fet, kursiv og en lenke.\n\nUnderoverskrift\n\nMinste\n\n"
        "– punkt\n\n1. en\n2. to\n\nA\tB\n1\t2\n\nlinje\nlinje"
    )
    assert richtext.text_of("<p>a &amp; b &lt;c&gt;</p>") == "a & b <c>"
    assert richtext.text_of("Plain text\nas it is") == "Plain text\nas it is"
    assert richtext.text_of("<ul><li><p>a</p><ul><li><p>b</p></li></ul></li></ul>") == "– a\n  – b"


@pytest.mark.parametrize(
    "html",
    [
        f"<p>{NUMBER}</p>",
        f"<p>{NUMBER[:6]}<strong>{NUMBER[6:]}</strong></p>",
        f"<p>{NUMBER[:3]}<em>{NUMBER[3:6]}</em>{NUMBER[6:]}</p>",
        f"<p>{NUMBER[:6]}</p><p>{NUMBER[6:]}</p>",
        f"<ul><li><p>{NUMBER[:6]}</p></li><li><p>{NUMBER[6:]}</p></li></ul>",
        f"<table><tr><td>{NUMBER[:6]}</td><td>{NUMBER[6:]}</td></tr></table>",
        f"<p>{NUMBER[:6]}&nbsp;{NUMBER[6:]}</p>",
        f"<p>{NUMBER[:6]}&#49;{NUMBER[7:]}</p>",  # &#49; is "1"
        f"<p>{NUMBER[:6]}<span>{NUMBER[6:]}</span></p>",
        f"<p>{NUMBER[:6]}<!-- x -->{NUMBER[6:]}</p>",
    ],
)
def test_the_guard_reads_the_text_not_the_markup(html: str) -> None:
    with pytest.raises(ValidationError) as refused:
        richtext.validate_no_identity_number_in_text(html)
    assert refused.value.code == IDENTITY_NUMBER_CODE
    assert NUMBER not in str(refused.value.messages)
    assert NUMBER[:6] not in str(refused.value.messages)


def test_the_guard_lets_ordinary_numbers_through() -> None:
    richtext.validate_no_identity_number_in_text(
        "<p>Sak 26/004, tlf. 74 09 80 00, org.nr. 983 974 791, 1 234 567 kroner.</p>"
    )


def test_headings_fit_under_the_pages_own_without_skipping_a_level() -> None:
    html = "<h2>a</h2><h3>b</h3><h4>c</h4><h2>d</h2>"
    assert richtext.shift_headings(html, 4) == "<h4>a</h4><h5>b</h5><h6>c</h6><h4>d</h4>"
    # A paper that starts at the editor's third level still starts at h4.
    assert richtext.shift_headings("<h4>a</h4><h3>b</h3>", 4) == "<h4>a</h4><h4>b</h4>"
    assert richtext.shift_headings(html, 5) == "<h5>a</h5><h6>b</h6><h6>c</h6><h5>d</h5>"
