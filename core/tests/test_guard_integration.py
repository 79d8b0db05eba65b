"""The identity-number guard wired into forms, models, the API types and
optimistic concurrency."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from core.forms import GuardedForm
from core.schemas import GuardedStr
from core.services import EditConflict, save_versioned
from partnerships.models import Contact, Organisation

VALID_NUMBER = "30108299920"  # valid under the 2032 rule


class NoteForm(GuardedForm):
    title = forms.CharField()
    body = forms.CharField(widget=forms.Textarea)
    email = forms.EmailField(required=False)
    kind = forms.ChoiceField(choices=[("a", "A")], required=False)


def test_every_free_text_field_of_a_guarded_form_is_checked() -> None:
    form = NoteForm({"title": "Møte", "body": f"Pasient {VALID_NUMBER} ble sendt hjem."})
    assert not form.is_valid()
    assert "body" in form.errors
    assert "title" not in form.errors


def test_the_message_says_what_to_remove_without_echoing_the_number() -> None:
    form = NoteForm({"title": "Møte", "body": f"fnr {VALID_NUMBER}"})
    form.is_valid()
    message = " ".join(str(e) for e in form.errors["body"])
    assert VALID_NUMBER not in message
    assert "fødselsnummer" in message


def test_a_rejected_form_keeps_what_was_typed() -> None:
    body = f"Lang tekst … {VALID_NUMBER} … mer tekst"
    form = NoteForm({"title": "Møte", "body": body})
    assert not form.is_valid()
    assert form["body"].value() == body


def test_ordinary_numbers_pass() -> None:
    form = NoteForm({"title": "Møte 24/012", "body": "Ring 74 09 80 00 eller org.nr. 983 974 899"})
    assert form.is_valid(), form.errors


@pytest.mark.django_db
def test_the_database_refuses_free_text_with_an_identity_number_from_any_path() -> None:
    with pytest.raises(ValidationError):
        Organisation.objects.create(name=f"Pasient {VALID_NUMBER}", kind="other_observer")
    assert not Organisation.objects.filter(name__contains=VALID_NUMBER).exists()


def test_api_fields_use_the_same_guard() -> None:
    class Payload(BaseModel):
        text: GuardedStr

    assert Payload(text="Helt vanlig tekst").text == "Helt vanlig tekst"
    with pytest.raises(PydanticValidationError) as error:
        Payload(text=f"ref {VALID_NUMBER}")
    assert VALID_NUMBER not in str(error.value).split("input_value")[0]


@pytest.mark.django_db
def test_a_save_from_an_old_version_is_refused() -> None:
    org = Organisation.objects.create(
        name="Testkommune", kind="kommune", municipality_number="9999"
    )
    contact = Contact.objects.create(organisation=org, unit_name="KE")
    first = Contact.objects.get(pk=contact.pk)
    second = Contact.objects.get(pk=contact.pk)
    first.phone = "11 11 11 11"
    save_versioned(first, 0, ["phone"])
    second.phone = "22 22 22 22"
    with pytest.raises(EditConflict) as conflict:
        save_versioned(second, 0, ["phone"])
    assert conflict.value.current_version == 1
    contact.refresh_from_db()
    assert contact.phone == "11 11 11 11"


def test_the_guard_covers_every_free_text_field_of_every_own_model() -> None:
    from django.apps import apps

    from core.guard import OWN_APPS, free_text_fields

    checked: dict[str, list[str]] = {}
    for model in apps.get_models():
        if model._meta.app_label in OWN_APPS:
            checked[model.__name__] = free_text_fields(model)
    assert "about" in checked["Partnership"]
    assert "full_name" in checked["User"]
    assert "password" not in checked["User"]
    assert "unit_name" in checked["Contact"]


def test_every_app_of_this_project_is_guarded_and_no_third_party_app_is() -> None:
    from core.guard import OWN_APPS

    for label in ("core", "accounts", "partnerships", "councils", "followups", "representation"):
        assert label in OWN_APPS
    for label in ("notifications", "calendars", "search", "portal", "api"):
        assert label in OWN_APPS
    assert not OWN_APPS & {"auth", "admin", "sessions", "otp_totp", "auditlog", "contenttypes"}
