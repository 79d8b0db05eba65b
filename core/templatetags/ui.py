"""Template helpers that render Django form fields with Designsystemet markup."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


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


@register.inclusion_tag("includes/field.html")
def field(bound_field: BoundField) -> dict[str, object]:
    from django.utils.translation import gettext

    return {"field": bound_field, "optional_text": gettext("optional")}
