from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import GuardedForm
from core.validators import validate_no_identity_number
from national import exchange


class SharingForm(forms.Form):
    opted_in = forms.TypedChoiceField(
        label=_("Take part in the national comparison"),
        choices=[
            ("1", _("Yes: publish our public figures for the national comparison")),
            ("0", _("No: publish nothing, and withdraw what was published")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )


class PublishForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]


class ImportForm(GuardedForm):
    file = forms.FileField(label=_("File"))
    replace = forms.BooleanField(
        label=_("Replace figures already imported for the same partnership and year"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A partnership's file for the national comparison (JSON, at most %(max)d KB), as "
            "Samspill exports it. A file with any error stores nothing."
        ) % {"max": exchange.MAX_BYTES // 1024}
        self.fields["file"].widget.attrs["accept"] = ".json,application/json"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > exchange.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max)d KB.") % {"max": exchange.MAX_BYTES // 1024}
            )
        validate_no_identity_number(upload.name)
        return upload
