"""Capabilities are per party. Kai coordinates Frosta and is a plain member of
Verdal, in the same partnership: Kai acts for Frosta (contact details,
follow-up progress, deviations, crisis reports) and only reads Verdal's."""

from __future__ import annotations

from typing import Any

import pytest

from crisis.access import reporting_organisation_ids
from deviations import services as deviation_services
from deviations.access import handling_organisation_ids
from deviations.tests.conftest import report_data
from followups import services as followup_services
from partnerships.access import PartnershipAccess, can_edit_contact, people_who_may
from partnerships.capabilities import PARTY_CAPABILITIES, Capability, Role
from partnerships.models import Organisation, Partnership


@pytest.fixture
def parties(people: Any) -> dict[str, Organisation]:
    return {
        name: Organisation.objects.get(municipality_number=number)
        for name, number in (("frosta", "5036"), ("verdal", "5038"), ("levanger", "5037"))
    }


@pytest.fixture
def kai(people: Any, hnt: Partnership) -> PartnershipAccess:
    return PartnershipAccess.for_user(hnt, people.kai)


def test_each_party_gives_its_own_roles(kai: PartnershipAccess, parties: Any) -> None:
    frosta, verdal = parties["frosta"].pk, parties["verdal"].pk
    assert kai.party_roles == {frosta: {Role.COORDINATOR}, verdal: {Role.MEMBER}}
    assert kai.roles == {Role.COORDINATOR, Role.MEMBER}
    for capability in PARTY_CAPABILITIES:
        assert kai.can_for(capability, frosta), capability
        assert not kai.can_for(capability, verdal), capability
    assert kai.parties_where(Capability.HANDLE_DEVIATIONS) == {frosta}
    assert handling_organisation_ids(kai) == {frosta}
    assert reporting_organisation_ids(kai) == {frosta}
    assert can_edit_contact(kai, parties["frosta"])
    assert not can_edit_contact(kai, parties["verdal"])


def test_the_secretariat_acts_for_every_party(people: Any, hnt: Partnership, parties: Any) -> None:
    sara = PartnershipAccess.for_user(hnt, people.sara)
    for organisation in parties.values():
        assert sara.can_for(Capability.REPORT_FOLLOWUP_PROGRESS, organisation.pk)
        assert can_edit_contact(sara, organisation)
    # …but is not a party: the secretariat's own parties are where it is a member.
    assert parties["frosta"].pk not in sara.parties_where(Capability.HANDLE_DEVIATIONS)


def test_kai_edits_frostas_contact_details_not_verdals(as_person: Any, parties: Any) -> None:
    client = as_person("kai")
    assert client.get(f"/hnt/intern/parter/{parties['frosta'].pk}/kontakt/").status_code == 200
    assert client.get(f"/hnt/intern/parter/{parties['verdal'].pk}/kontakt/").status_code == 403
    refused = client.post(
        f"/hnt/intern/parter/{parties['verdal'].pk}/kontakt/", {"unit_name": "Overtatt"}
    )
    assert refused.status_code == 403


def test_kai_reports_progress_for_frosta_only(
    as_person: Any, people: Any, hnt: Partnership, parties: Any
) -> None:
    def followup(party: Organisation) -> Any:
        return followup_services.create_followup(
            partnership=hnt,
            title=f"Tiltak for {party.name}",
            by=people.sara,
            responsible_organisation=party,
        )

    mine, theirs = followup(parties["frosta"]), followup(parties["verdal"])
    client = as_person("kai")
    entry = {"text": "Kurs holdt.", "progress": "50"}
    assert client.post(f"/hnt/intern/oppfolging/{mine.pk}/logg/", entry).status_code == 302
    assert client.post(f"/hnt/intern/oppfolging/{theirs.pk}/logg/", entry).status_code == 403
    assert not theirs.log_entries.exists()


def test_kai_handles_the_deviations_frosta_receives_not_verdals(
    as_person: Any, people: Any, hnt: Partnership, parties: Any
) -> None:
    def received_by(party: Organisation) -> Any:
        return deviation_services.report(
            hnt,
            report_data(receiving_organisation=party),
            by=people.lena,
            own=frozenset({parties["levanger"].pk}),
        )

    to_frosta, to_verdal = received_by(parties["frosta"]), received_by(parties["verdal"])
    client = as_person("kai")
    assert client.get(f"/hnt/intern/avvik/{to_frosta.pk}/").status_code == 200
    assert client.get(f"/hnt/intern/avvik/{to_verdal.pk}/").status_code == 404


def test_only_the_partys_own_handlers_are_told(people: Any, parties: Any) -> None:
    frosta, verdal = parties["frosta"].pk, parties["verdal"].pk
    handlers = people_who_may(Capability.HANDLE_DEVIATIONS, [frosta, verdal])
    assert people.kai in handlers[frosta]
    assert people.kai not in handlers[verdal]
    reporters = people_who_may(Capability.REPORT_CRISIS, [frosta])
    assert people.kai in reporters[frosta]
