from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import GuardedForm
from core.validators import IDENTITY_NUMBER_CODE, identity_number_message
from search.services import KINDS, MAX_QUERY_LENGTH


class SearchForm(GuardedForm):
    """The query of the search pages and the API. The text is never stored,
    but it still goes through the identity-number guard: a refused query is
    not searched, and no link on the page carries it on."""

    q = forms.CharField(
        label=_("Search for"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        widget=forms.SearchInput,
    )
    # Not a choice field: an unknown kind means "all", not an error.
    kind = forms.CharField(required=False)

    def clean_kind(self) -> str:
        kind: Any = self.cleaned_data.get("kind", "")
        return kind if kind in KINDS else ""

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data.get("q", "").split())

    @classmethod
    def refused(cls) -> SearchForm:
        """An empty form carrying the guard's message, for the page a refused
        query is sent on to (without the query)."""
        form = cls({"q": ""})
        form.is_valid()
        form.add_error("q", ValidationError(identity_number_message(1), code=IDENTITY_NUMBER_CODE))
        return form
