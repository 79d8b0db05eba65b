from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import GuardedForm, GuardedModelForm, VersionedFormMixin
from partnerships.models import Contact, Membership, Organisation, PartnershipRole
from partnerships.register import Entry, Register


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


class PeopleFilterForm(GuardedForm):
    """The register's filter, and the same filter for its export (the export
    link carries the page's query string). Every field is optional; bad input
    is a field error (the page answers 400), never a server error. The choices
    come from the register, so nothing is read twice."""

    q = forms.CharField(label=_("Name or e-mail"), max_length=200, required=False)
    organisation = forms.TypedChoiceField(
        label=_("Organisation"), coerce=int, empty_value=None, required=False
    )
    kind = forms.ChoiceField(label=_("Kind of role"), required=False)
    council = forms.ChoiceField(label=_("Council"), required=False)

    def __init__(self, data: QueryDict, *, register: Register) -> None:
        super().__init__(data)
        self.register = register
        self.fields["organisation"].choices = [  # type: ignore[attr-defined]
            ("", _("All organisations")),
            *((o.pk, o.name) for o in register.organisations),
        ]
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            ("", _("All kinds of role")),
            *((k.key, k.label) for k in register.kinds),
        ]
        self.fields["council"].choices = [("", _("All councils")), *register.bodies]  # type: ignore[attr-defined]

    def entries(self) -> list[Entry]:
        """The register's people narrowed by every field that is valid."""
        data = getattr(self, "cleaned_data", {})
        return self.register.select(
            text=data.get("q") or "",
            organisation_id=data.get("organisation"),
            kind=data.get("kind") or "",
            body=data.get("council") or "",
        )

    def query(self) -> str:
        """The filter as a query string, for the export link."""
        data = getattr(self, "cleaned_data", {})
        return urlencode({name: data[name] for name in self.fields if data.get(name)})
