"""Form base classes every Samspill form uses.

``GuardedFormMixin`` adds the identity-number guard to every free-text field
(``CharField`` that is not an e-mail, URL, slug, password or choice field),
and a plausible range to every date field (year 1900–2999), so a new form
cannot forget them. ``VersionedFormMixin`` carries the version the
person started editing from, so a conflicting save is refused, not lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.http import HttpResponseBadRequest, QueryDict

from core.validators import validate_no_identity_number, validate_plausible_date

_NOT_FREE_TEXT = (
    forms.EmailField,
    forms.URLField,
    forms.SlugField,
    forms.TypedChoiceField,
    forms.ChoiceField,
)


class GuardedFormMixin:
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():
            if (
                isinstance(field, forms.CharField)
                and not isinstance(field, _NOT_FREE_TEXT)
                and not isinstance(field.widget, forms.PasswordInput)
                and validate_no_identity_number not in field.validators
            ):
                field.validators.append(validate_no_identity_number)
            if (
                isinstance(field, forms.DateField | forms.DateTimeField)
                and validate_plausible_date not in field.validators
            ):
                field.validators.append(validate_plausible_date)


class GuardedForm(GuardedFormMixin, forms.Form):
    pass


class GuardedModelForm(GuardedFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    pass


class VersionedFormMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


if TYPE_CHECKING:
    from core.services import EditConflict


def rebind_after_conflict[F: forms.BaseForm](
    make: Callable[[QueryDict], F], form: F, conflict: EditConflict
) -> F:
    """The same form, still holding what the person typed, now carrying the
    current version, with the conflict as its error: saving again is a choice
    made after seeing the other person's change. ``make`` builds the form from
    data; give it its own copy of any instance (validation writes the typed
    values into the instance)."""
    data = form.data.copy()  # type: ignore[attr-defined]
    data["version"] = str(conflict.current_version)
    fresh = make(data)
    fresh.is_valid()
    fresh.add_error(None, str(conflict))
    return fresh


def invalid_filter_response(form: forms.BaseForm) -> HttpResponseBadRequest:
    """A 400 in plain text for a download whose filter is not valid (an
    export link edited by hand): each field's label with what is wrong."""
    from django.utils.translation import gettext as _

    problems = "\n".join(
        f"{form.fields[name].label}: {' '.join(str(e) for e in errors)}"
        if name in form.fields
        else " ".join(str(e) for e in errors)
        for name, errors in form.errors.items()
    )
    return HttpResponseBadRequest(
        _("The filter is not valid.") + "\n" + problems,
        content_type="text/plain; charset=utf-8",
    )
