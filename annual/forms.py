from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from annual.models import TEXT_FIELDS, AnnualReport
from core.forms import GuardedForm, VersionedFormMixin
from councils.models import Council
from partnerships.models import Partnership


class NewReportForm(GuardedForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("A report is for this year or one before it."))
        return year


def _text_field(name: str) -> forms.CharField:
    field = AnnualReport._meta.get_field(name)
    assert isinstance(field, models.Field)
    return forms.CharField(
        label=capfirst(field.verbose_name),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


# The narrative of each section, as the secretariat writes it; declared on
# the class so the identity-number guard covers every field.
TextsForm = type(
    "TextsForm",
    (VersionedFormMixin, GuardedForm),
    {name: _text_field(name) for name in TEXT_FIELDS} | {"__module__": __name__},
)


class SendForm(GuardedForm):
    council = forms.ModelChoiceField(label=_("Council"), queryset=Council.objects.none())

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["council"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Council.objects.filter(partnership=partnership).order_by("name")
