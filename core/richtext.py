"""Rich text (the case paper): one sanitiser, and the ways out of it.

Rules:

- A stored rich-text value is always HTML that has been through
  :func:`sanitise`. It keeps exactly what the editor makes — paragraphs,
  headings ``h2``–``h4``, bold and italic, bullet and numbered lists, links,
  simple tables and line breaks — and nothing else: ``script`` and ``style``
  go with their content, other tags are unwrapped to their text, every
  attribute but a link's ``href`` is dropped, and an ``href`` survives only
  as ``http(s)://``, ``mailto:`` or a path on this site (``/…``).
- Plain text (written before the editor, or by code that writes plain text)
  becomes escaped paragraphs (:func:`from_plain_text`); :func:`to_html` tells
  the two apart by the first tag and is what every write goes through.
- :func:`text_of` is the text a reader sees, for search, snippets, plain-text
  decisions and the identity-number guard. Inline tags vanish without a trace
  (``150788<strong>10022</strong>`` reads ``15078810022``) and blocks end in
  line breaks (``150788</p><p>10022`` reads as two lines), so markup cannot
  hide a personal identity number from :mod:`core.identity_numbers`.

The sanitiser is nh3, the Python binding of the Rust ``ammonia`` crate (an
HTML5 parser, so what it keeps is what a browser would see).
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3

from core.validators import validate_no_identity_number

ALLOWED_TAGS = frozenset(
    {
        "p",
        "h2",
        "h3",
        "h4",
        "strong",
        "em",
        "ul",
        "ol",
        "li",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "br",
    }
)
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# The tags a stored value starts with (the editor always writes a block first).
_STARTS_AS_HTML = re.compile(r"\s*<(?:p|h[1-6]|ul|ol|table|div|blockquote)[\s>/]", re.IGNORECASE)
# Browsers drop tabs and line breaks anywhere in a URL and C0 controls and
# spaces around it: "java\tscript:" is "javascript:", "/\t/evil" is "//evil".
_URL_IGNORED = re.compile(r"[\t\n\r]")


def safe_href(value: str) -> str | None:
    """``value`` if it is a link the case paper may hold, else None:
    ``http(s)://`` with a host, ``mailto:``, or a path on this site (one
    slash; ``//host`` and ``/\\host`` lead elsewhere)."""
    url = _URL_IGNORED.sub("", value).strip("".join(map(chr, range(0x21))))
    if url.startswith("/"):
        return None if url[1:2] in ("/", "\\") else url
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") and parts.netloc:
        return url
    if scheme == "mailto" and parts.path:
        return url
    return None


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return safe_href(value)
    return None


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style", "template", "textarea", "title", "noscript"},
    attributes={"a": {"href"}},
    attribute_filter=_filter_attribute,
    url_schemes=set(LINK_SCHEMES),
    link_rel=None,
    strip_comments=True,
)


def sanitise(html: str) -> str:
    """The allowed markup of ``html`` and its text; see the module's rules."""
    return _CLEANER.clean(html)


def is_html(value: str) -> bool:
    return bool(_STARTS_AS_HTML.match(value))


def from_plain_text(text: str) -> str:
    """Plain text as escaped paragraphs: a blank line starts a new paragraph,
    a single line break stays a line break."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", text)]
    return "".join(
        "<p>" + "<br>".join(escape(line, quote=False) for line in p.split("\n")) + "</p>"
        for p in paragraphs
        if p.strip()
    )


def to_html(value: str | None) -> str:
    """What is stored for ``value``: sanitised HTML, plain text as
    paragraphs, and "" when nothing readable is left (the editor's empty
    paragraph)."""
    if not value or not value.strip():
        return ""
    if not is_html(value):
        html = from_plain_text(value)
    else:
        html = sanitise(value)
        if not is_html(html):
            # Text before the first block (an unwrapped <h1>, a bare line):
            # a paragraph of its own, as the editor would make it.
            html = sanitise(f"<p>{html}</p>").removesuffix("<p></p>")
    return html if text_of(html) else ""


_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "blockquote"})
_LISTS = frozenset({"ul", "ol"})
_WHITESPACE = re.compile(r"[ \t\r\n\f]+")


class _TextReader(HTMLParser):
    """The text of sanitised HTML as a reader sees it; see :func:`text_of`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[list[int | str]] = []  # per open list: [kind, items so far]
        self.cell = 0  # cells so far in the row
        self.in_cell = False
        self.fresh = False  # nothing written yet in the list item or cell just opened

    def _break(self, lines: int) -> None:
        if not self.parts:
            return
        tail = "".join(self.parts[-3:])
        have = len(tail) - len(tail.rstrip("\n"))
        if have < lines:
            self.parts.append("\n" * (lines - have))

    def _block(self, start: bool) -> None:
        """A paragraph or heading starts or ends: a line of its own (a blank
        line between, except inside lists); inside a cell, only a space."""
        if self.in_cell:
            if start and not self.fresh:
                self.parts.append(" ")
        elif not self.fresh:
            self._break(1 if self.lists else 2)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._block(start=True)
        elif tag in _LISTS:
            self.fresh = False
            self._break(1 if self.lists else 2)
            self.lists.append([tag, 0])
        elif tag == "li":
            self._break(1)
            if self.lists:
                current = self.lists[-1]
                current[1] = int(current[1]) + 1
                marker = f"{current[1]}. " if current[0] == "ol" else "– "
                self.parts.append("  " * (len(self.lists) - 1) + marker)
            self.fresh = True
        elif tag == "table":
            self._break(2)
        elif tag == "tr":
            self._break(1)
            self.cell = 0
        elif tag in ("td", "th"):
            if self.cell:
                self.parts.append("\t")
            self.cell += 1
            self.in_cell = self.fresh = True
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self._block(start=False)
        elif tag in _LISTS:
            if self.lists:
                self.lists.pop()
            self._break(1 if self.lists else 2)
        elif tag in ("li", "tr"):
            self._break(1)
        elif tag in ("td", "th"):
            self.in_cell = False
        elif tag == "table":
            self._break(2)

    def handle_data(self, data: str) -> None:
        text = _WHITESPACE.sub(" ", data)
        if not self.parts or self.parts[-1].endswith(("\n", " ", "\t")):
            text = text.lstrip(" ")
        if text:
            self.parts.append(text)
        self.fresh = False


def text_of(value: str | None) -> str:
    """The text of a rich-text value (HTML or plain): blocks on lines of
    their own with a blank line between, list items marked "– " or "1. ",
    table cells separated by tabs. Plain text is returned as it is."""
    if not value:
        return ""
    if not is_html(value):
        return value.strip()
    reader = _TextReader()
    reader.feed(sanitise(value))
    reader.close()
    lines = [line.rstrip(" ") for line in "".join(reader.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def validate_no_identity_number_in_text(value: object) -> None:
    """The identity-number guard on the text a reader sees, not the markup
    (the markup itself is checked as any free text is)."""
    if isinstance(value, str) and value:
        validate_no_identity_number(text_of(value))


_HEADING = re.compile(r"<(/?)h([2-4])>")


def shift_headings(html: str, top: int) -> str:
    """Sanitised HTML with its headings fitted under a heading of level
    ``top - 1``: the editor's first level (``h2``) becomes ``h{top}``, and no
    level is skipped on the way down (a paper whose first heading is of the
    editor's third level starts at ``h{top}`` all the same), so the page's
    outline stays whole. Levels stop at ``h6``."""
    # The headings still open above the current one: (editor level, level given).
    open_headings: list[tuple[int, int]] = []
    current = top

    def replace(match: re.Match[str]) -> str:
        nonlocal current
        if match[1]:
            return f"</h{current}>"
        level = int(match[2])
        while open_headings and open_headings[-1][0] >= level:
            open_headings.pop()
        current = min(open_headings[-1][1] + 1 if open_headings else top, 6)
        open_headings.append((level, current))
        return f"<h{current}>"

    return _HEADING.sub(replace, html)
