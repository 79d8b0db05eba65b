"""The crisis pages' own template helpers: the escalation level as a badge
(a filter rather than an included template: the picture shows hundreds),
and a line chart as SVG."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from crisis import levels

register = template.Library()


@register.filter
def level_badge(level: int | None) -> SafeString:
    """``<span class="ds-tag" data-color="danger">Level 3</span>``, or a dash."""
    if not level:
        return SafeString("–")
    return format_html(
        '<span class="ds-tag" data-color="{}">{}</span>',
        levels.BADGE.get(level, "neutral"),
        _("Level %(level)s") % {"level": level},
    )


@register.simple_tag(takes_context=True)
def line_chart_svg(
    context: template.Context, chart: dict[str, Any], own_items: bool = False
) -> str:
    """A chart of :func:`crisis.charts.line_chart` as SVG markup, written
    here rather than by template loops: the picture draws a dozen charts of
    hundreds of points. The series after the first of a chart of the
    partnership's own items are marked with its language."""
    from core.templatetags.ui import own_lang

    lang = str(own_lang(context)) if own_items else ""
    title = _("Line chart: %(title)s. The same numbers are in the table below.") % {
        "title": chart["title"]
    }
    parts = [
        format_html(
            '<svg role="img" aria-labelledby="{}-title" width="100%" height="{}" '
            'viewBox="0 0 {} {}" preserveAspectRatio="xMinYMin meet" focusable="false">'
            '<title id="{}-title">{}</title>',
            chart["id"],
            chart["height"],
            chart["width"],
            chart["height"],
            chart["id"],
            title,
        )
    ]
    for g in chart["grid"]:
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#c9c9c9" stroke-width="1"></line>'
                '<text x="{}" y="{}" font-size="13" text-anchor="end" fill="currentColor">{}'
                "</text>",
                chart["left"],
                chart["right"],
                g["y"],
                g["y"],
                chart["grid_label_x"],
                g["text_y"],
                g["label"],
            )
        )
    for tick in chart["ticks"]:
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="13" text-anchor="middle" fill="currentColor">{}'
                "</text>",
                tick["x"],
                chart["label_y"],
                tick["label"],
            )
        )
    for n, line in enumerate(chart["lines"]):
        dash = format_html(' stroke-dasharray="{}"', line["dash"]) if line["dash"] else ""
        for points in line["segments"]:
            parts.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{}></polyline>',
                    points,
                    line["colour"],
                    dash,
                )
            )
        for dot in line["dots"]:
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{}, {}: {}</title></circle>',
                    dot["x"],
                    dot["y"],
                    line["colour"],
                    line["name"],
                    dot["label"],
                    dot["value"],
                )
            )
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2"{}></line>'
                '<text x="{}" y="{}" font-size="13" fill="currentColor"{}>{}</text>',
                chart["legend_x"],
                chart["legend_line_end"],
                line["legend_y"],
                line["legend_y"],
                line["colour"],
                dash,
                chart["legend_text_x"],
                line["legend_text_y"],
                SafeString(lang) if n else "",
                line["name"],
            )
        )
    parts.append(SafeString("</svg>"))
    return SafeString("".join(parts))
