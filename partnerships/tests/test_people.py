"""Inviting people, appointing roles, contact details — and their audit trail."""

from __future__ import annotations

import re
from typing import Any

from auditlog.models import LogEntry
from django.core import mail
from django.test import Client

from partnerships.models import (
    Contact,
    Invitation,
    Membership,
    Organisation,
    Partnership,
    PartnershipRole,
)

INVITE_URL = "/hnt/intern/personer/inviter/"


def _levanger() -> Organisation:
    return Organisation.objects.get(municipality_number="5037")


def _invite(client: Client, **overrides: Any) -> Any:
    data = {
        "organisation": _levanger().pk,
        "full_name": "Kari Nyansatt",
        "email": "kari@levanger.example",
        "role": "member",
        **overrides,
    }
    return client.post(INVITE_URL, data)


def _link_from_mail(message: Any) -> str:
    match = re.search(r"(/konto/invitasjon/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_secretariat_invites_a_person_who_then_joins(as_person: Any, people: Any) -> None:
    sara = as_person("sara")
    response = _invite(sara)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["kari@levanger.example"]
    link = _link_from_mail(message)

    newcomer = Client()
    page = newcomer.get(link)
    assert page.status_code == 200
    joined = newcomer.post(
        link,
        {
            "full_name": "Kari Nyansatt",
            "password1": "langt-og-trygt-pass-1",
            "password2": "langt-og-trygt-pass-1",
        },
    )
    assert joined.status_code == 302
    membership = Membership.objects.get(user__email="kari@levanger.example")
    assert membership.organisation == _levanger()
    assert membership.role == "member"
    assert Invitation.objects.get().status == Invitation.Status.ACCEPTED
    # The link works once only.
    assert Client().get(link).status_code == 404
    # And she is in: the internal pages of HNT open for her.
    assert newcomer.get("/hnt/intern/").status_code == 200


def test_a_person_whose_account_was_closed_can_be_invited_back(as_person: Any, people: Any) -> None:
    """The retention rules close the log-in of people whose roles all ended;
    invited again, they join as a newcomer would, with a new password."""
    from accounts.models import User

    former = User.objects.create_user(
        email="kari@levanger.example", password=None, full_name="Kari Tidligere"
    )
    User.objects.filter(pk=former.pk).update(is_active=False)
    _invite(as_person("sara"))
    link = _link_from_mail(mail.outbox[0])
    newcomer = Client()
    assert newcomer.get(link).status_code == 200  # the form, not "log in first"
    joined = newcomer.post(
        link,
        {
            "full_name": "Kari Nyansatt",
            "password1": "langt-og-trygt-pass-1",
            "password2": "langt-og-trygt-pass-1",
        },
    )
    assert joined.status_code == 302
    former.refresh_from_db()
    assert former.is_active and former.check_password("langt-og-trygt-pass-1")
    assert User.objects.filter(email="kari@levanger.example").count() == 1
    assert newcomer.get("/hnt/intern/").status_code == 200


def test_a_double_submit_creates_one_invitation(as_person: Any, people: Any) -> None:
    sara = as_person("sara")
    _invite(sara)
    second = _invite(sara)
    assert second.status_code == 302
    assert Invitation.objects.count() == 1
    # The second e-mail carries a new link; the first one no longer works.
    assert len(mail.outbox) == 2
    assert Client().get(_link_from_mail(mail.outbox[0])).status_code == 404
    assert Client().get(_link_from_mail(mail.outbox[1])).status_code == 200


def test_it_cannot_invite_to_an_organisation_outside_the_partnership(
    as_person: Any, people: Any
) -> None:
    trondheim = Organisation.objects.get(municipality_number="5001")
    response = _invite(as_person("sara"), organisation=trondheim.pk)
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert Invitation.objects.count() == 0


def test_it_refuses_an_identity_number_in_the_name_and_keeps_the_input(
    as_person: Any, people: Any
) -> None:
    response = _invite(as_person("sara"), full_name="Kari 30108299920 Nyansatt")
    assert response.status_code == 200
    errors = response.context["form"].errors["full_name"]
    assert errors
    assert "30108299920" not in " ".join(errors)
    assert 'value="kari@levanger.example"' in response.content.decode()
    assert Invitation.objects.count() == 0


def test_it_refuses_to_invite_someone_who_is_already_a_member(as_person: Any, people: Any) -> None:
    response = _invite(as_person("sara"), email="lena@levanger.example")
    assert response.status_code == 200
    assert response.context["form"].errors["email"]


def test_an_existing_user_accepts_while_logged_in(as_person: Any, people: Any) -> None:
    namsos = Organisation.objects.get(municipality_number="5007")
    _invite(as_person("sara"), email="lena@levanger.example", organisation=namsos.pk, role="leader")
    link = _link_from_mail(mail.outbox[0])
    assert Client().get(link).status_code == 302  # asked to log in first
    lena = as_person("lena")
    assert lena.post(link).status_code == 302
    assert Membership.objects.current().filter(user=people.lena, organisation=namsos).exists()


def test_nobody_else_can_take_an_invitation(as_person: Any, people: Any) -> None:
    namsos = Organisation.objects.get(municipality_number="5007")
    _invite(as_person("sara"), email="lena@levanger.example", organisation=namsos.pk)
    link = _link_from_mail(mail.outbox[0])
    assert as_person("nils").post(link).status_code == 404
    assert not Membership.objects.current().filter(user=people.lena, organisation=namsos).exists()


def test_revoking_an_invitation_kills_the_link(as_person: Any, people: Any) -> None:
    sara = as_person("sara")
    _invite(sara)
    invitation = Invitation.objects.get()
    sara.post(f"/hnt/intern/invitasjoner/{invitation.pk}/trekk-tilbake/")
    assert Client().get(_link_from_mail(mail.outbox[0])).status_code == 404


def test_changing_a_role_is_audited_with_who_and_before_after(as_person: Any, people: Any) -> None:
    membership = Membership.objects.get(user=people.lena)
    sara = as_person("sara")
    response = sara.post(
        f"/hnt/intern/medlemskap/{membership.pk}/",
        {"action": "role", "role": "leader", "version": membership.version},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "leader"
    entry = LogEntry.objects.get_for_object(membership).order_by("-timestamp").first()
    assert entry is not None
    assert entry.actor == people.sara
    assert entry.changes_dict["role"] == ["coordinator", "leader"]
    page = sara.get(f"/hnt/intern/medlemskap/{membership.pk}/").content.decode()
    assert "Sara Sekretær" in page


def test_a_stale_edit_is_refused_not_lost(as_person: Any, people: Any) -> None:
    membership = Membership.objects.get(user=people.lena)
    sara, ada = as_person("sara"), as_person("ada")
    url = f"/hnt/intern/medlemskap/{membership.pk}/"
    version = membership.version
    assert (
        sara.post(url, {"action": "role", "role": "leader", "version": version}).status_code == 302
    )
    stale = ada.post(url, {"action": "role", "role": "member", "version": version})
    assert stale.status_code == 200
    assert stale.context["form"].non_field_errors()
    membership.refresh_from_db()
    assert membership.role == "leader"


def test_ending_a_membership_keeps_its_history(as_person: Any, people: Any) -> None:
    membership = Membership.objects.get(user=people.lena)
    as_person("sara").post(
        f"/hnt/intern/medlemskap/{membership.pk}/", {"action": "end", "version": membership.version}
    )
    membership.refresh_from_db()
    assert membership.valid_to is not None
    assert not Membership.objects.current().filter(pk=membership.pk).exists()
    # Lena has no role in HNT any more: its internal pages are closed to her.
    assert as_person("lena").get("/hnt/intern/").status_code == 404


def test_the_secretariat_gives_and_ends_partnership_roles(as_person: Any, people: Any) -> None:
    sara = as_person("sara")
    response = sara.post("/hnt/intern/roller/", {"user": people.hanne.pk, "role": "secretariat"})
    assert response.status_code == 302
    role = PartnershipRole.objects.current().get(user=people.hanne)
    # A double submit gives the same single role.
    sara.post("/hnt/intern/roller/", {"user": people.hanne.pk, "role": "secretariat"})
    assert PartnershipRole.objects.current().filter(user=people.hanne).count() == 1
    sara.post(f"/hnt/intern/roller/{role.pk}/avslutt/")
    assert not PartnershipRole.objects.current().filter(user=people.hanne).exists()


def test_people_of_another_partnership_cannot_be_given_roles(as_person: Any, people: Any) -> None:
    response = as_person("sara").post(
        "/hnt/intern/roller/", {"user": people.tor.pk, "role": "secretariat"}
    )
    assert response.status_code == 200
    assert "user" in response.context["form"].errors


def test_the_last_secretariat_role_cannot_be_ended(as_person: Any, people: Any) -> None:
    stolav = Partnership.objects.get(slug="stolav")
    only = PartnershipRole.objects.get(partnership=stolav)
    as_person("petter").post(f"/stolav/intern/roller/{only.pk}/avslutt/")
    assert PartnershipRole.objects.current().filter(pk=only.pk).exists()


def test_a_coordinator_edits_her_own_contact_details(as_person: Any, people: Any) -> None:
    contact = Contact.objects.get(organisation=_levanger())
    lena = as_person("lena")
    url = f"/hnt/intern/parter/{_levanger().pk}/kontakt/"
    data = {
        "unit_name": "Koordinerende enhet Levanger",
        "phone": "74 05 20 00",
        "email": "ke@levanger.example",
        "address": "Rådhuset",
        "opening_hours": "08–15",
        "version": contact.version,
    }
    assert lena.post(url, data).status_code == 302
    contact.refresh_from_db()
    assert contact.phone == "74 05 20 00"
    assert contact.version == 1
    # The public contact page shows the change.
    assert "74 05 20 00" in Client().get("/hnt/kontakt/").content.decode()
    # A second save from the same stale form is refused and keeps the typed text.
    data["phone"] = "11 11 11 11"
    stale = lena.post(url, data)
    assert stale.status_code == 200
    assert 'value="11 11 11 11"' in stale.content.decode()
    # Next to it, the version saved by the other person shows what is saved.
    assert stale.context["current"].phone == "74 05 20 00"
    contact.refresh_from_db()
    assert contact.phone == "74 05 20 00"
