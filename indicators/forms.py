from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import GuardedForm
from core.validators import validate_no_identity_number
from councils.forms import DATE
from indicators import parsing
from indicators.models import ImportProfile


class ImportForm(GuardedForm):
    """A statistics file and the product it comes from."""

    profile = forms.ModelChoiceField(
        label=_("Product"),
        queryset=ImportProfile.objects.order_by("name"),
        empty_label=None,
        help_text=_("The statistics product the file comes from; it says how the file is read."),
    )
    file = forms.FileField(label=_("File"))
    retrieved_on = forms.DateField(
        label=_("Retrieved from the source on"),
        widget=DATE,
        help_text=_("The date the file was downloaded from the source."),
    )
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "json-stat2, CSV or XLSX, as the product says; at most %(max)s MB. Nothing is stored "
            "until you have seen what the file would change."
        ) % {"max": parsing.MAX_BYTES // (1024 * 1024)}
        self.fields["file"].widget.attrs["accept"] = ".json,.csv,.xlsx"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > parsing.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max)s MB.")
                % {"max": parsing.MAX_BYTES // (1024 * 1024)}
            )
        # The file's name is stored as its provenance.
        validate_no_identity_number(upload.name)
        return upload

    def clean_retrieved_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["retrieved_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day
