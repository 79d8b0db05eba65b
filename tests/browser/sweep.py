"""What the browser sweep checks on one page, as a person sees it.

axe checks rules; these check what it cannot: that every image has loaded,
that every visible control can be hit with the mouse at its centre (the
element there is the control, inside it, or its label), that nothing
overflows the window sideways, and that no English text of the interface
shows on a bokmål page (text compared with the English messages of the
catalogues, ours and Django's).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]

IMAGES_JS = """() => Array.from(document.images)
  .filter(i => !(i.complete && i.naturalWidth > 0))
  .map(i => (i.getAttribute('alt') || '') + ' ' + i.src.slice(0, 60))"""

# Every visible, enabled control is scrolled into view and asked what lies at
# its centre. Visually hidden controls (1 px) and those in closed <details>
# are left out; so is anything inside an element marked [data-sweep-skip].
HIT_JS = """() => {
  const bad = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.name ? '[name=' + el.name + ']' : '') +
    (el.type === 'radio' || el.type === 'checkbox' ? '[value=' + el.value + ']' : '') +
    (el.textContent && el.tagName !== 'SELECT' && el.tagName !== 'TEXTAREA'
      ? ' "' + el.textContent.trim().slice(0, 30) + '"' : '');
  const controls = document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button, summary, a.ds-button');
  for (const el of controls) {
    if (el.disabled || el.closest('details:not([open]) > :not(summary)')) continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || box.width <= 2 || box.height <= 2) continue;
    el.scrollIntoView({block: 'center', inline: 'center'});
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (hit && (hit === el || el.contains(hit))) continue;
    const label = hit && hit.closest('label');
    if (label && (label.control === el || label.contains(el))) continue;
    bad.push(name(el) + ' is covered by ' + (hit ? name(hit) : 'nothing'));
  }
  window.scrollTo(0, 0);
  return bad;
}"""

# The widest elements that stick out past the right edge of the window.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width + 1) return [];
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && r.width > 0 && getComputedStyle(el).position !== 'fixed') {
      if (!el.closest('.table-scroll') || el.classList.contains('table-scroll')) {
        out.push(el.tagName.toLowerCase() + '.' + (el.className || '').toString().split(' ')[0] +
          ' to ' + Math.round(r.right) + 'px');
      }
    }
  }
  return ['page is ' + document.documentElement.scrollWidth + 'px wide at ' + width + 'px',
          ...out.slice(-3)];
}"""

# Visible text, and the texts a screen reader reads from attributes, of every
# element not marked as another language.
# The language is read as an attribute: an SVG element (a chart's label)
# has the attribute but no ``lang`` property.
TEXTS_JS = """() => {
  const texts = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const foreign = el => {
    const l = el.closest('[lang]');
    return l && !(l.getAttribute('lang') || '').startsWith('nb');
  };
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || el.closest('script, style') || foreign(el)) continue;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (text && el.offsetParent !== null) texts.add(text);
  }
  for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], option')) {
    if (foreign(el)) continue;
    const option = el.tagName === 'OPTION' ? el.textContent : null;
    for (const value of [el.getAttribute('aria-label'), el.getAttribute('placeholder'),
                         el.getAttribute('title'), option]) {
      if (value && value.trim()) texts.add(value.replace(/\\s+/g, ' ').trim());
    }
  }
  return Array.from(texts);
}"""


def _po_entries(path: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file (plural and context entries by their
    singular msgid; obsolete entries left out)."""
    entries: dict[str, str] = {}
    msgid: list[str] = []
    msgstr: list[str] = []
    target: list[str] | None = None

    def flush() -> None:
        if msgid:
            entries["".join(msgid)] = "".join(msgstr)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("msgid "):
            flush()
            msgid, msgstr = [ast.literal_eval(line[6:])], []
            target = msgid
        elif line.startswith("msgid_plural"):
            target = None
        elif line.startswith("msgstr"):
            if line.startswith("msgstr[") and not line.startswith("msgstr[0]"):
                target = None
                continue
            msgstr = [ast.literal_eval(line.split(" ", 1)[1])]
            target = msgstr
        elif line.startswith('"') and target is not None:
            target.append(ast.literal_eval(line))
        elif not line or line.startswith("#"):
            target = None if line.startswith("#~") else target
    flush()
    return entries


@cache
def english_messages() -> frozenset[str]:
    """Interface texts in English that a bokmål page must not show: every
    message of our catalogue and Django's whose bokmål text differs from the
    English (or is missing), with placeholders and the shortest words left
    out (they could be names or Norwegian as well)."""
    catalogues = [
        ROOT / "locale" / "nb" / "LC_MESSAGES" / "django.po",
        Path(django.__file__).parent / "conf" / "locale" / "nb" / "LC_MESSAGES" / "django.po",
    ]
    messages: set[str] = set()
    for catalogue in catalogues:
        for msgid, msgstr in _po_entries(catalogue).items():
            text = " ".join(msgid.split())
            if msgstr == msgid or "%" in text or "{" in text or len(text) < 4:
                continue
            if not re.search(r"[a-z]{3}", text):
                continue
            messages.add(text)
    return frozenset(messages)


def english_on_page(texts: list[str]) -> list[str]:
    english = english_messages()
    return sorted({text for text in texts if text in english or text.rstrip(".:") in english})
