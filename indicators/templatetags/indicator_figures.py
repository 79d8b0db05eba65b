"""How a figure reads on a page: the number in the reader's language with
the indicator's decimals, or in words why there is none."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from indicators.exports import status_label
from indicators.figures import Figure, rounded
from indicators.models import ValueStatus
from indicators.services import Change, DryRun

register = template.Library()


def formatted(value: Decimal, decimals: int) -> str:
    # Rounded first: number_format cuts the decimals off instead.
    return str(
        formats.number_format(rounded(value, decimals), decimal_pos=decimals, force_grouping=True)
    )


@register.simple_tag
def figure(item: Figure, decimals: int = 1) -> SafeString:
    if item.shown and item.value is not None:
        text = formatted(item.value, decimals)
        if item.small:
            return format_html('{} <span class="figure-note">({})</span>', text, _("not public"))
        return format_html("{}", text)
    return format_html('<span class="figure-note">{}</span>', status_label(item, short=True))


@register.simple_tag
def count(value: Decimal | None) -> str:
    return "" if value is None else formatted(value, 0)


@register.filter
def changes(run: DryRun, kind: str) -> list[Change]:
    """A dry run's changes of one kind ("new", "changed", "unchanged")."""
    return run.of_kind(kind)


@register.simple_tag
def plain(value: Decimal | None, status: str = "") -> str:
    """A stored or read figure as it is, without trailing zeros (8.6, not
    8.6000); a figure that is none shows its status."""
    if value is None:
        if not status:
            return ""
        return str(dict(ValueStatus.choices).get(status, status))
    text = format(value.normalize(), "f")
    return str(formats.number_format(Decimal(text), force_grouping=True))
