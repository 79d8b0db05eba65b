"""A meeting with published minutes as eInnsyn's Moetemappe: every object
has the fields eInnsyn's API specification requires, with its types
(written here from the specification: felleslosninger/einnsyn-api-spec,
API version 1.0); only what the public minutes show; the same ids on a
second export."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from councils.models import Appointment, Case, Decision, Meeting, Treatment, Vote

pytestmark = pytest.mark.django_db

STR, INT, DATE, DATETIME, LIST, OBJ = "string", "integer", "date", "date-time", "list", "object"
# entity → field → (type, required), from the specification's models.
SPEC: dict[str, dict[str, tuple[str, bool]]] = {
    "Moetemappe": {
        "systemId": (STR, False),
        "moetenummer": (STR, True),
        "utvalg": (STR, True),
        "moetedato": (DATETIME, True),
        "moetested": (STR, False),
        "offentligTittel": (STR, True),
        "offentligTittelSensitiv": (STR, True),
        "moetedokument": (LIST, False),
        "moetesak": (LIST, False),
    },
    "Moetesak": {
        "systemId": (STR, False),
        "moetesakstype": (STR, True),
        "moetesaksaar": (INT, False),
        "moetesakssekvensnummer": (INT, False),
        "utvalg": (STR, False),
        "offentligTittel": (STR, True),
        "offentligTittelSensitiv": (STR, True),
        "innstilling": (OBJ, False),
        "vedtak": (OBJ, False),
        "dokumentbeskrivelse": (LIST, False),
    },
    "Moetesaksbeskrivelse": {"tekstInnhold": (STR, True), "tekstFormat": (STR, True)},
    "Vedtak": {
        "systemId": (STR, False),
        "vedtakstekst": (OBJ, True),
        "dato": (DATE, True),
        "votering": (LIST, False),
    },
    "Votering": {"systemId": (STR, False), "moetedeltaker": (OBJ, True), "stemme": (STR, True)},
    "Moetedeltaker": {
        "systemId": (STR, False),
        "moetedeltakerNavn": (STR, True),
        "moetedeltakerFunksjon": (STR, False),
    },
    "Moetedokument": {
        "systemId": (STR, False),
        "moetedokumenttype": (STR, True),
        "offentligTittel": (STR, True),
        "offentligTittelSensitiv": (STR, True),
        "dokumentbeskrivelse": (LIST, False),
    },
    "Dokumentbeskrivelse": {
        "systemId": (STR, False),
        "tittel": (STR, True),
        "tittelSensitiv": (STR, True),
        "dokumentnummer": (INT, True),
        "tilknyttetRegistreringSom": (STR, True),
        "dokumentobjekt": (LIST, False),
    },
    "Dokumentobjekt": {
        "systemId": (STR, False),
        "referanseDokumentfil": (STR, True),
        "format": (STR, False),
    },
}
ENUMS = {
    "moetesakstype": {
        "moete",
        "politisk",
        "delegert",
        "interpellasjon",
        "godkjenning",
        "orientering",
        "referat",
        "annet",
    },
    "stemme": {"Ja", "Nei", "Blankt"},
}


def problems(obj: Any, where: str = "") -> list[str]:
    found: list[str] = []
    entity = obj.get("entity")
    spec = SPEC.get(entity)
    if spec is None:
        return [f"{where}: unknown entity {entity!r}"]
    for field in obj:
        if field != "entity" and field not in spec:
            found.append(f"{where}.{field}: not a field of {entity}")
    for field, (kind, required) in spec.items():
        if field not in obj:
            if required:
                found.append(f"{where}.{field}: required")
            continue
        value = obj[field]
        ok = {
            STR: isinstance(value, str) and value != "",
            INT: isinstance(value, int) and not isinstance(value, bool),
            DATE: isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value),
            DATETIME: isinstance(value, str)
            and re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", value),
            LIST: isinstance(value, list),
            OBJ: isinstance(value, dict),
        }[kind]
        if not ok:
            found.append(f"{where}.{field}: not a {kind}")
        if field in ENUMS and value not in ENUMS[field]:
            found.append(f"{where}.{field}: {value!r} not allowed")
        children = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        for at, child in enumerate(children):
            found += problems(child, f"{where}.{field}[{at}]")
    return found


def _published() -> Meeting:
    meeting = (
        Meeting.objects.filter(
            council__partnership__slug="hnt",
            status=Meeting.Status.PUBLISHED,
            treatments__decision__isnull=False,
            treatments__case__visibility="public",
        )
        .select_related("council")
        .first()
    )
    assert meeting is not None
    return meeting


def _url(meeting: Meeting) -> str:
    return f"/hnt/helsefellesskap/rad/{meeting.council.slug}/moter/{meeting.pk}/einnsyn.json"


def test_a_published_meeting_follows_the_einnsyn_specification(people: Any) -> None:
    meeting = _published()
    decision = Decision.objects.filter(
        treatment__meeting=meeting, treatment__case__visibility="public"
    ).first()
    assert decision is not None
    seats = list(Appointment.objects.filter(council=meeting.council)[:3])
    for seat, choice in zip(seats, ["for", "against", "abstain"], strict=False):
        Vote.objects.create(decision=decision, appointment=seat, choice=choice)
    response = Client().get(_url(meeting))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    document = json.loads(response.content)
    assert problems(document, "Moetemappe") == []
    assert document["moetedato"].endswith("Z")
    sak = next(s for s in document["moetesak"] if s.get("vedtak", {}).get("votering"))
    assert [v["stemme"] for v in sak["vedtak"]["votering"]] == ["Ja", "Nei", "Blankt"][: len(seats)]
    assert sak["vedtak"]["vedtakstekst"]["tekstInnhold"] == decision.adopted_text
    assert [d["moetedokumenttype"] for d in document["moetedokument"]] == [
        "saksliste",
        "protokoll",
    ]
    # The same ids on a second export: the archive updates, not duplicates.
    assert json.loads(Client().get(_url(meeting)).content) == document


def test_the_check_can_fail() -> None:
    bad = {
        "entity": "Moetemappe",
        "moetenummer": 3,
        "utvalg": "ASU",
        "moetedato": "2026-03-14",
        "offentligTittel": "x",
        "moetesak": [{"entity": "Moetesak", "moetesakstype": "sak"}],
    }
    found = problems(bad, "m")
    assert "m.moetenummer: not a string" in found
    assert "m.moetedato: not a date-time" in found
    assert "m.offentligTittelSensitiv: required" in found
    assert "m.moetesak[0].moetesakstype: 'sak' not allowed" in found


def test_only_what_the_public_minutes_show(people: Any) -> None:
    meeting = _published()
    year = meeting.starts_at.year

    def case(title: str, visibility: str, **more: Any) -> Case:
        return Case.objects.create(
            partnership=meeting.council.partnership,
            council=meeting.council,
            year=year,
            sequence=950 + Case.objects.count(),
            title=title,
            visibility=visibility,
            proposed_decision=f"{title} FORSLAG",
            **more,
        )

    internal = case("HEMMELIG SAK", "partnership")
    exempt = case(
        "UNNTATT EKTE TITTEL",
        "restricted",
        public_title="Personalsak",
        legal_basis="Offentleglova § 25",
    )
    for position, found in enumerate((internal, exempt), start=80):
        treatment = Treatment.objects.create(
            meeting=meeting, case=found, kind=Treatment.Kind.DECISION, position=position
        )
        Decision.objects.create(
            treatment=treatment, adopted_text=f"{found.title} VEDTAK", recorded_by=people.sara
        )
    text = Client().get(_url(meeting)).content.decode()
    assert "HEMMELIG" not in text and "UNNTATT EKTE" not in text
    document = json.loads(text)
    sak = next(s for s in document["moetesak"] if s["offentligTittel"] == "Personalsak")
    assert sak["offentligTittelSensitiv"] == "Personalsak"
    assert "vedtak" not in sak and "innstilling" not in sak and "dokumentbeskrivelse" not in sak


def test_a_meeting_without_published_minutes_is_404(people: Any) -> None:
    meeting = (
        Meeting.objects.filter(council__partnership__slug="hnt")
        .exclude(status=Meeting.Status.PUBLISHED)
        .select_related("council")
        .first()
    )
    assert meeting is not None
    assert Client().get(_url(meeting)).status_code == 404
