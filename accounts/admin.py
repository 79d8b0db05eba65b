from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import sso
from accounts.models import ExternalIdentity, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["full_name", "email", "is_active", "is_superuser"]
    search_fields = ["full_name", "email"]
    exclude = ["password"]


class LinkIdentityForm(forms.ModelForm):  # type: ignore[type-arg]
    """An administrator links a sign-on log-in to a person with the reference
    the person was shown when nobody had linked it (accounts.sso): signed by
    Samspill and at most seven days old, so it names a log-in that really
    happened, at a provider and issuer this installation allows."""

    reference = forms.CharField(
        label=gettext_lazy("Reference from the person"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "The person was shown it after logging in at the provider. Check that it came "
            "from the person you link it to."
        ),
    )

    class Meta:
        model = ExternalIdentity
        fields = ["user"]

    def clean_reference(self) -> dict[str, str]:
        found = sso.read_reference(self.cleaned_data["reference"])
        if found is None:
            raise forms.ValidationError(
                _("The reference is not valid: it is altered, incomplete or older than seven days.")
            )
        provider = sso.provider(found["provider"])
        if provider is None or not provider.allows(found["issuer"]):
            raise forms.ValidationError(
                _("The reference names a provider this installation no longer accepts.")
            )
        linked = ExternalIdentity.objects.filter(issuer=found["issuer"], subject=found["subject"])
        if linked.exists():
            raise forms.ValidationError(_("This log-in is already linked to a person."))
        found["name"] = provider.name
        return found

    def save(self, commit: bool = True) -> ExternalIdentity:
        identity = super().save(commit=False)
        found = self.cleaned_data["reference"]
        identity.provider = found["provider"]
        identity.issuer = found["issuer"]
        identity.subject = found["subject"]
        identity.name = found["name"]
        identity.confirmed = True
        identity.linked_how = ExternalIdentity.LinkedHow.ADMINISTRATOR
        if commit:
            identity.save()
        return identity


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Linked sign-on log-ins: link one by its reference, see them, unlink one
    (each change in the audit trail, with the administrator as its actor)."""

    list_display = ["user", "provider", "issuer", "linked_how", "linked_by", "created", "last_used"]
    list_filter = ["provider", "linked_how"]
    search_fields = ["user__full_name", "user__email"]
    shown = [
        "user",
        "provider",
        "issuer",
        "subject",
        "linked_how",
        "linked_by",
        "created",
        "last_used",
    ]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = LinkIdentityForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["user", "reference"] if obj is None else self.shown

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.shown

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.linked_by = request.user
        super().save_model(request, obj, form, change)
