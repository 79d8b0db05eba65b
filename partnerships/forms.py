from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import GuardedForm, GuardedModelForm, VersionedFormMixin
from partnerships.models import Contact, Membership, Organisation, PartnershipRole


class InviteForm(GuardedForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role in the organisation"), choices=Membership.Role.choices)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class MembershipRoleForm(VersionedFormMixin, GuardedForm):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class VersionOnlyForm(VersionedFormMixin, GuardedForm):
    pass


class GrantRoleForm(GuardedForm):
    user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Person"), queryset=User.objects.none()
    )
    role = forms.ChoiceField(label=_("Role"), choices=PartnershipRole.Role.choices)

    def __init__(self, *args: Any, people: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        field.queryset = people  # type: ignore[attr-defined]
        field.label_from_instance = lambda u: f"{u.full_name} ({u.email})"  # type: ignore[attr-defined]


class ContactForm(VersionedFormMixin, GuardedModelForm):
    class Meta:
        model = Contact
        fields = ["unit_name", "phone", "email", "address", "opening_hours"]
