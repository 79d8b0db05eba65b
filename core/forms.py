"""Form base classes every Samspill form uses.

``GuardedFormMixin`` adds the identity-number guard to every free-text field
(``CharField`` that is not an e-mail, URL, slug, password or choice field), so
a new form cannot forget it. ``VersionedFormMixin`` carries the version the
person started editing from, so a conflicting save is refused, not lost.
"""

from __future__ import annotations

from typing import Any

from django import forms

from core.validators import validate_no_identity_number

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


class GuardedForm(GuardedFormMixin, forms.Form):
    pass


class GuardedModelForm(GuardedFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    pass


class VersionedFormMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
