"""Template helpers that render Django form fields with Designsystemet markup."""

from __future__ import annotations

import itertools
from decimal import Decimal

from django import forms, template
from django.forms import BoundField
from django.forms.boundfield import BoundWidget
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

register = template.Library()

_ids = itertools.count(1)


@register.filter
def number(value: object) -> object:
    """A number as the reader's language writes it, grouped by thousands
    (136 540 in Norwegian, 136,540 in English); anything else as it is."""
    from django.utils import formats

    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return value
    return formats.number_format(value, force_grouping=True)


def _own_language(context: template.Context) -> str:
    """The language of the partnership's own texts when the page is in
    another one; empty when they are the same or no partnership is shown."""
    from django.utils.translation import get_language

    partnership = context.get("partnership")
    code = getattr(partnership, "content_language", "")
    active = (get_language() or "").split("-")[0]
    return code if code and code != active else ""


@register.simple_tag(takes_context=True)
def own_lang(context: template.Context) -> str:
    """` lang="nb"` for an element that holds the partnership's own text
    (a case paper, a mandate, a deviation) on a page in another language:
    ``<div{% own_lang %}>{{ case.paper }}</div>``. WCAG 3.1.2."""
    code = _own_language(context)
    return format_html(' lang="{}"', code) if code else ""


@register.simple_tag(takes_context=True)
def own(context: template.Context, value: object) -> object:
    """The partnership's own text inside running interface text, marked with
    its language when the page is in another: ``{% own case.title %}``."""
    if value is None or value == "":
        return ""
    code = _own_language(context)
    if not code:
        return conditional_escape(value if isinstance(value, str) else str(value))
    return format_html('<span lang="{}">{}</span>', code, value)


@register.simple_tag(takes_context=True)
def own_part(context: template.Context, text: object, part: object) -> object:
    """Interface text built around the partnership's own words (a chart
    titled "<indicator> per region", a label "Comment: <indicator>"): those
    words marked with their language, the rest as it is."""
    text, part = str(text), str(part or "")
    before, found, after = text.partition(part) if part else (text, "", "")
    if not found:
        return conditional_escape(text)
    return format_html("{}{}{}", before, own(context, part), after)


@register.filter
def is_own(value: object) -> bool:
    """Whether a label is the partnership's own text (``core.own.Own``)."""
    from core.own import Own

    return isinstance(value, Own)


@register.simple_tag
def uid(prefix: str = "id") -> str:
    """An id not used before on the page (nor anywhere since start), for
    ``aria-labelledby`` inside loops: ``{% uid "table" as table_id %}``."""
    return f"{prefix}-{next(_ids)}"


@register.simple_tag
def ds_widget(field: BoundField) -> SafeString:
    """The field's widget with Designsystemet's class and the ARIA links to
    its help text and error message."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-help")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs: dict[str, str | bool] = {"class": "ds-input"}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


def is_choice_group(bound_field: BoundField) -> bool:
    """Radio buttons and groups of checkboxes: a fieldset with a legend."""
    return isinstance(bound_field.field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple))


def choices(bound_field: BoundField) -> list[BoundWidget]:
    """The group's options, each an input with Designsystemet's class and the
    ARIA state of the group."""
    attrs: dict[str, str | bool] = {"class": "ds-input"}
    if bound_field.auto_id:
        attrs["id"] = bound_field.auto_id
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    widget = bound_field.field.widget
    attrs = bound_field.build_widget_attrs(attrs, widget)
    attrs.pop("required", None)  # a group is required as a whole; said in the legend
    return [
        BoundWidget(widget, option, bound_field.form.renderer)
        for option in widget.subwidgets(bound_field.html_name, bound_field.value(), attrs=attrs)
    ]


@register.inclusion_tag("includes/field.html")
def field(bound_field: BoundField) -> dict[str, object]:
    from django.utils.translation import gettext

    group = is_choice_group(bound_field)
    return {
        "field": bound_field,
        "optional_text": gettext("optional"),
        "group": group,
        "options": choices(bound_field) if group else [],
    }
