from __future__ import annotations

from django import forms

from core.forms import GuardedModelForm
from notifications.models import NotificationPreference


class PreferenceForm(GuardedModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["delivery"]
        widgets = {"delivery": forms.RadioSelect(attrs={"class": "ds-input"})}
