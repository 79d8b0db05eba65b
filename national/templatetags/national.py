from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from indicators.templatetags.indicator_figures import formatted
from national import exchange
from national.services import Cell

register = template.Library()


def shown(cell: Cell) -> str:
    """A figure as the reader's language writes it; in words when there is
    none (hidden by the rule for small numbers, or missing)."""
    if cell.shown:
        return formatted(Decimal(str(cell.value)), cell.decimals)
    if cell.status == exchange.SUPPRESSED:
        return _("hidden")
    return "–"


@register.simple_tag
def national_cell(cell: Cell) -> SafeString:
    if cell.status == exchange.MISSING or (cell.status == exchange.FIGURE and cell.value is None):
        return format_html('<span aria-label="{}">–</span>', _("no figure"))
    return format_html("{}", shown(cell))
