"""Template helpers that render Django form fields with Designsystemet markup."""

from __future__ import annotations

import itertools
from decimal import Decimal

from django import forms, template
from django.forms import BoundField
from django.forms.boundfield import BoundWidget
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
