"""The case paper on pages and in PDFs.

Both filters sanitise again whatever the row holds (a row written past
``Case.save``, or plain text from before the editor, shows as it should) and
fit the paper's headings under the section heading (Background, Assessment,
Proposed decision: ``h3``), so the outline of the page or PDF stays whole.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core import richtext

register = template.Library()

_HEADING = re.compile(r"<h([2-6])>")


def _html(value: str | None, top: int) -> str:
    return richtext.shift_headings(richtext.to_html(value or ""), top)


@register.filter
def case_paper(value: str | None, top: int = 4) -> SafeString:
    """A part of the case paper for a page, with Designsystemet's classes;
    its first heading level is ``h{top}``; tables scroll sideways in a region
    of their own on a narrow screen."""
    html = _html(value, top)
    if not html:
        return mark_safe('<p class="ds-paragraph">–</p>')

    def heading(match: re.Match[str]) -> str:
        size = "xs" if int(match[1]) == top else "2xs"
        return f'<h{match[1]} class="ds-heading" data-size="{size}">'

    html = _HEADING.sub(heading, html)
    html = html.replace("<a href=", '<a class="ds-link" href=')
    html = html.replace("<ul>", '<ul class="ds-list">').replace("<ol>", '<ol class="ds-list">')
    region = escape(gettext("Table in the case paper"))
    html = html.replace(
        "<table>",
        f'<div class="table-scroll" tabindex="0" role="region" aria-label="{region}">'
        '<table class="ds-table" data-border="true">',
    ).replace("</table>", "</table></div>")
    return mark_safe(f'<div class="rich-text">{html}</div>')  # noqa: S308 (sanitised above)


@register.filter
def case_paper_pdf(value: str | None, top: int = 4) -> SafeString:
    """A part of the case paper for WeasyPrint: plain tags, styled by pdf.css."""
    return mark_safe(_html(value, top) or "<p>–</p>")  # noqa: S308 (sanitised above)
