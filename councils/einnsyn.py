"""A meeting with published minutes as eInnsyn's ``Moetemappe``.

eInnsyn is Norway's channel for public records (einnsyn.no, Digdir). This
is the meeting as one JSON document with the field names and types of
eInnsyn's published API specification (``felleslosninger/einnsyn-api-spec``,
TypeSpec, API version 1.0), so the host's archive can deliver it:

* ``Moetemappe``: ``moetenummer``, ``utvalg`` (the council's short name),
  ``moetedato`` (date-time, UTC), ``moetested``, ``offentligTittel`` and
  ``offentligTittelSensitiv``, ``moetedokument`` (the agenda and the
  minutes, each a ``Moetedokument`` with a ``Dokumentbeskrivelse`` and its
  ``Dokumentobjekt``) and ``moetesak``;
* ``Moetesak`` for each case on the agenda: ``moetesakstype``,
  ``moetesaksaar``, ``moetesakssekvensnummer``, the titles, ``innstilling``
  (a ``Moetesaksbeskrivelse``), ``vedtak`` and the case's public
  attachments as ``dokumentbeskrivelse``;
* ``Vedtak``: ``vedtakstekst`` (a ``Moetesaksbeskrivelse``), ``dato``
  (date) and ``votering``, one ``Votering`` per recorded vote with its
  ``Moetedeltaker`` and ``stemme`` ("Ja", "Nei", "Blankt").

Only what the public minutes show: an exempt case by its public title in
both title fields (eInnsyn shows the ``…Sensitiv`` title on its pages), with
no recommendation, decision or attachments; an internal case not at all.
Each object's ``systemId`` is a UUID fixed by the installation and the row,
so a second export of the same meeting updates rather than duplicates.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from core.models import Visibility
from councils.models import Meeting, Treatment, Vote

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://samspill/einnsyn")
STEMME: dict[str, str] = {
    Vote.Choice.FOR: "Ja",
    Vote.Choice.AGAINST: "Nei",
    Vote.Choice.ABSTAIN: "Blankt",
}
# eInnsyn's moetesakstype for how a case is treated.
MOETESAKSTYPE: dict[str, str] = {
    Treatment.Kind.DECISION: "moete",
    Treatment.Kind.INFORMATION: "orientering",
    Treatment.Kind.DISCUSSION: "annet",
}
PLAIN = "text/plain"


def system_id(kind: str, pk: object) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{settings.SITE_URL}/{kind}/{pk}"))


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _text(text: str) -> dict[str, Any]:
    return {"entity": "Moetesaksbeskrivelse", "tekstInnhold": text, "tekstFormat": PLAIN}


def _document(
    kind: str, pk: object, title: str, number: int, role: str, address: str, mime: str
) -> dict[str, Any]:
    return {
        "entity": "Dokumentbeskrivelse",
        "systemId": system_id(f"{kind}-description", pk),
        "tittel": title,
        "tittelSensitiv": title,
        "dokumentnummer": number,
        "tilknyttetRegistreringSom": role,
        "dokumentobjekt": [
            {
                "entity": "Dokumentobjekt",
                "systemId": system_id(f"{kind}-object", pk),
                "referanseDokumentfil": address,
                "format": mime,
            }
        ],
    }


def _meeting_document(meeting: Meeting, kind: str, slug: str) -> dict[str, Any]:
    council = meeting.council
    name = "public_councils:agenda_pdf" if kind == "saksliste" else "public_councils:minutes_pdf"
    address = f"{settings.SITE_URL}{reverse(name, args=[slug, council.slug, meeting.pk])}"
    title = f"{'Saksliste' if kind == 'saksliste' else 'Protokoll'} {_title(meeting)}"
    return {
        "entity": "Moetedokument",
        "systemId": system_id(kind, meeting.pk),
        "moetedokumenttype": kind,
        "offentligTittel": title,
        "offentligTittelSensitiv": title,
        "dokumentbeskrivelse": [
            _document(kind, meeting.pk, title, 1, "hoveddokument", address, "application/pdf")
        ],
    }


def _title(meeting: Meeting) -> str:
    council = meeting.council
    day = timezone.localtime(meeting.starts_at).strftime("%d.%m.%Y")
    return f"{meeting.title or council.short_name or council.name} {day}"


def _vedtak(treatment: Treatment, meeting: Meeting) -> dict[str, Any] | None:
    decision = getattr(treatment, "decision", None)
    if decision is None:
        return None
    return {
        "entity": "Vedtak",
        "systemId": system_id("vedtak", decision.pk),
        "vedtakstekst": _text(decision.adopted_text),
        "dato": timezone.localtime(meeting.starts_at).date().isoformat(),
        "votering": [
            {
                "entity": "Votering",
                "systemId": system_id("votering", vote.pk),
                "moetedeltaker": {
                    "entity": "Moetedeltaker",
                    "systemId": system_id("moetedeltaker", vote.appointment_id),
                    "moetedeltakerNavn": vote.appointment.person.full_name,
                    "moetedeltakerFunksjon": str(vote.appointment.get_role_display()),
                },
                "stemme": STEMME[vote.choice],
            }
            for vote in decision.votes.all()
        ],
    }


def _moetesak(treatment: Treatment, meeting: Meeting, slug: str) -> dict[str, Any]:
    case = treatment.case
    assert case is not None
    public = case.visibility == Visibility.PUBLIC
    title = case.title_for_public
    sak: dict[str, Any] = {
        "entity": "Moetesak",
        "systemId": system_id("moetesak", treatment.pk),
        "moetesakstype": MOETESAKSTYPE.get(treatment.kind, "annet"),
        "moetesaksaar": case.year,
        "moetesakssekvensnummer": case.sequence,
        "utvalg": meeting.council.short_name or meeting.council.slug,
        "offentligTittel": title,
        "offentligTittelSensitiv": title,
    }
    if not public:
        return sak
    if case.proposed_decision:
        sak["innstilling"] = _text(case.proposed_decision)
    vedtak = _vedtak(treatment, meeting)
    if vedtak is not None:
        sak["vedtak"] = vedtak
    attachments = [
        _document(
            "vedlegg",
            a.pk,
            a.title,
            number,
            "vedlegg",
            f"{settings.SITE_URL}{reverse('public_councils:attachment', args=[slug, a.pk])}",
            a.content_type,
        )
        for number, a in enumerate(case.attachments.all(), start=1)
    ]
    if attachments:
        sak["dokumentbeskrivelse"] = attachments
    return sak


def moetemappe(meeting: Meeting) -> dict[str, Any]:
    """The meeting (its minutes published) as eInnsyn's Moetemappe."""
    slug = meeting.council.partnership.slug
    votes = Vote.objects.select_related("appointment__person").order_by("pk")
    items = (
        meeting.treatments.filter(case__visibility__in=[Visibility.PUBLIC, Visibility.RESTRICTED])
        .select_related("case", "decision")
        .prefetch_related("case__attachments", Prefetch("decision__votes", queryset=votes))
        .order_by("position", "pk")
    )
    local = timezone.localtime(meeting.starts_at)
    number = (
        Meeting.objects.filter(
            council=meeting.council,
            starts_at__year=local.year,
            starts_at__lte=meeting.starts_at,
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .count()
    )
    title = _title(meeting)
    document: dict[str, Any] = {
        "entity": "Moetemappe",
        "systemId": system_id("moetemappe", meeting.pk),
        "moetenummer": f"{local.year}-{number}",
        "utvalg": meeting.council.short_name or meeting.council.slug,
        "moetedato": _utc(meeting.starts_at),
        "offentligTittel": title,
        "offentligTittelSensitiv": title,
        "moetedokument": [
            _meeting_document(meeting, "saksliste", slug),
            _meeting_document(meeting, "protokoll", slug),
        ],
        "moetesak": [_moetesak(t, meeting, slug) for t in items],
    }
    if meeting.location:
        document["moetested"] = meeting.location
    return document
