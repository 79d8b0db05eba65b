"""The public record as OParl 1.1 objects (https://oparl.org).

Samspill ↔ OParl:

* the installation → System; a partnership → Body;
* a council → Organization (``organizationType`` "Gremium"); the parties
  (kommuner, the hospital trust) and the regions a seat represents are
  Organizations too, so a Membership's ``onBehalfOf`` can name them;
* a person with a seat in a council → Person; the seat (appointment) →
  Membership, ``votingRight`` its right to vote;
* a meeting → Meeting, its agenda items (treatments) → AgendaItem;
* a case → Paper, its handling at a meeting → Consultation;
* the published agenda and minutes as PDF and a public case's attachments
  → File.

Only what the public pages show, by the same rules: no cancelled meeting; a
planned meeting without its agenda; an exempt case by its public title
and legal basis only (no text, no decision, no files); an internal case not
at all; decisions only in published minutes; the current seats only. Each
list is built with a fixed number of queries, whatever its length.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from core.models import Visibility
from councils.models import (
    Appointment,
    Case,
    CaseAttachment,
    Council,
    Meeting,
    Treatment,
)
from partnerships.models import Organisation, Participation, Partnership, Region

BASE = "/oparl/v1.1"
SCHEMA = "https://schema.oparl.org/1.1/"
PUBLIC_ON_AGENDA = (Visibility.PUBLIC, Visibility.RESTRICTED)
NOT_SHOWN = (Meeting.Status.CANCELLED,)
MINUTES_PUBLISHED = Meeting.Status.PUBLISHED
# "terminiert" until the notice is out, "eingeladen" until the minutes are
# published, then "durchgeführt" (the values OParl recommends).
MEETING_STATE: dict[str, str] = {
    Meeting.Status.PLANNED: "terminiert",
    Meeting.Status.NOTICE_PUBLISHED: "eingeladen",
    Meeting.Status.HELD: "eingeladen",
    Meeting.Status.MINUTES_DRAFTED: "eingeladen",
    Meeting.Status.MINUTES_APPROVED: "eingeladen",
    Meeting.Status.PUBLISHED: "durchgeführt",
}
LISTS = (
    "organization",
    "person",
    "meeting",
    "paper",
    "membership",
    "agendaItem",
    "consultation",
    "file",
    "locationList",
    "legislativeTermList",
)


def url(path: str) -> str:
    return f"{settings.SITE_URL}{BASE}/{path}"


def web(name: str, *args: Any) -> str:
    return f"{settings.SITE_URL}{reverse(name, args=args)}"


def when(value: datetime.datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat(timespec="seconds")


def day(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def clean(obj: dict[str, Any], *, keep: Iterable[str] = ()) -> dict[str, Any]:
    """Without null values and empty lists (OParl 2.4: neither is output),
    except the properties ``keep`` says are required."""
    kept = set(keep)
    return {k: v for k, v in obj.items() if k in kept or (v is not None and v != [] and v != "")}


class Body:
    """One partnership's record, each list read once when first asked for."""

    def __init__(self, partnership: Partnership) -> None:
        self.partnership = partnership
        self.slug = partnership.slug

    def path(self, *parts: object) -> str:
        return url("/".join(["body", self.slug, *(str(p) for p in parts)]) + "/")

    # -- the querysets: what the public sees ---------------------------------

    def meetings(self) -> QuerySet[Meeting]:
        return (
            Meeting.objects.filter(council__partnership=self.partnership)
            .exclude(status__in=NOT_SHOWN)
            .select_related("council")
        )

    def treatments(self) -> QuerySet[Treatment]:
        """Agenda items of published agendas: public and exempt cases and
        standing items."""
        return (
            Treatment.objects.filter(meeting__in=self.meetings())
            .exclude(meeting__status=Meeting.Status.PLANNED)
            .filter(Q(case__isnull=True) | Q(case__visibility__in=PUBLIC_ON_AGENDA))
            .select_related("meeting", "meeting__council", "case", "decision")
            .order_by("meeting_id", "position", "pk")
        )

    def cases(self) -> QuerySet[Case]:
        return Case.objects.filter(
            pk__in=self.treatments().exclude(case__isnull=True).values("case_id")
        ).order_by("pk")

    def appointments(self) -> QuerySet[Appointment]:
        return (
            Appointment.objects.current()
            .filter(council__partnership=self.partnership)
            .select_related("council", "person", "on_behalf_of_organisation", "on_behalf_of_region")
            .order_by("pk")
        )

    # -- ids -----------------------------------------------------------------

    def council_id(self, council_id: int) -> str:
        return self.path("organization", f"council-{council_id}")

    def party_id(self, organisation_id: int) -> str:
        return self.path("organization", f"party-{organisation_id}")

    def region_id(self, region_id: int) -> str:
        return self.path("organization", f"region-{region_id}")

    def person_id(self, user_id: int) -> str:
        return self.path("person", user_id)

    def membership_id(self, appointment_id: int) -> str:
        return self.path("membership", appointment_id)

    def meeting_id(self, meeting_id: int) -> str:
        return self.path("meeting", meeting_id)

    def agenda_item_id(self, treatment_id: int) -> str:
        return self.path("agendaItem", treatment_id)

    def paper_id(self, case_id: int) -> str:
        return self.path("paper", case_id)

    def consultation_id(self, treatment_id: int) -> str:
        return self.path("consultation", treatment_id)

    def file_id(self, key: str) -> str:
        return self.path("file", key)

    # -- the Body ------------------------------------------------------------

    def body(self) -> dict[str, Any]:
        p = self.partnership
        lists = {name: self.path(name) for name in LISTS}
        return clean(
            {
                "id": url(f"body/{self.slug}/"),
                "type": SCHEMA + "Body",
                "system": url(""),
                "shortName": self.slug,
                "name": p.name,
                "website": web("portal:home", self.slug),
                "contactEmail": p.secretariat_email or None,
                "contactName": "Sekretariatet" if p.secretariat_email else None,
                "classification": "Helsefellesskap",
                "legislativeTerm": [],
                **lists,
                "created": when(p.created),
                "modified": when(p.modified),
                "web": web("portal:home", self.slug),
            },
            keep=("legislativeTerm",),
        )

    # -- Organization --------------------------------------------------------

    def organizations(self) -> list[dict[str, Any]]:
        councils = list(Council.objects.filter(partnership=self.partnership).order_by("pk"))
        members = {c.pk: [] for c in councils}  # type: dict[int, list[str]]
        for appointment in self.appointments():
            members.setdefault(appointment.council_id, []).append(
                self.membership_id(appointment.pk)
            )
        result = [self._council(c, members.get(c.pk, [])) for c in councils]
        parties = (
            Participation.objects.current()
            .filter(partnership=self.partnership)
            .select_related("organisation")
            .order_by("organisation_id")
        )
        seen: set[int] = set()
        for participation in parties:
            if participation.organisation_id not in seen:
                seen.add(participation.organisation_id)
                result.append(self._party(participation.organisation))
        for region in Region.objects.filter(partnership=self.partnership).order_by("pk"):
            result.append(self._region(region))
        return result

    def _council(self, council: Council, memberships: list[str]) -> dict[str, Any]:
        return clean(
            {
                "id": self.council_id(council.pk),
                "type": SCHEMA + "Organization",
                "body": url(f"body/{self.slug}/"),
                "name": council.name,
                "shortName": council.short_name,
                "membership": memberships,
                "organizationType": "Gremium",
                "classification": council.get_kind_display(),
                "subOrganizationOf": self.council_id(council.parent_id)
                if council.parent_id
                else None,
                "created": when(council.created),
                "modified": when(council.modified),
                "web": web("public_councils:council", self.slug, council.slug),
            }
        )

    def _party(self, organisation: Organisation) -> dict[str, Any]:
        return clean(
            {
                "id": self.party_id(organisation.pk),
                "type": SCHEMA + "Organization",
                "body": url(f"body/{self.slug}/"),
                "name": organisation.name,
                "organizationType": "Institution",
                "classification": organisation.get_kind_display(),
                "created": when(organisation.created),
                "modified": when(organisation.modified),
            }
        )

    def _region(self, region: Region) -> dict[str, Any]:
        return clean(
            {
                "id": self.region_id(region.pk),
                "type": SCHEMA + "Organization",
                "body": url(f"body/{self.slug}/"),
                "name": region.name,
                "organizationType": "Sonstiges",
                "classification": "Region",
                "created": when(region.created),
                "modified": when(region.modified),
            }
        )

    # -- Person and Membership -------------------------------------------------

    def membership(self, appointment: Appointment, *, embedded: bool) -> dict[str, Any]:
        on_behalf_of = None
        if appointment.on_behalf_of_organisation_id:
            on_behalf_of = self.party_id(appointment.on_behalf_of_organisation_id)
        elif appointment.on_behalf_of_region_id:
            on_behalf_of = self.region_id(appointment.on_behalf_of_region_id)
        role = appointment.get_role_display()
        if appointment.position_title:
            role = f"{role}, {appointment.position_title}"
        return clean(
            {
                "id": self.membership_id(appointment.pk),
                "type": SCHEMA + "Membership",
                "person": None if embedded else self.person_id(appointment.person_id),
                "organization": self.council_id(appointment.council_id),
                "role": str(role),
                "votingRight": appointment.has_vote,
                "startDate": day(appointment.valid_from),
                "endDate": day(appointment.valid_to),
                "onBehalfOf": on_behalf_of,
                "created": when(appointment.created),
                "modified": when(appointment.modified),
            }
        )

    def memberships(self) -> list[dict[str, Any]]:
        return [self.membership(a, embedded=False) for a in self.appointments()]

    def persons(self) -> list[dict[str, Any]]:
        by_person: dict[int, list[Appointment]] = {}
        for appointment in self.appointments():
            by_person.setdefault(appointment.person_id, []).append(appointment)
        result = []
        for person_id in sorted(by_person):
            seats = by_person[person_id]
            person = seats[0].person
            result.append(
                clean(
                    {
                        "id": self.person_id(person_id),
                        "type": SCHEMA + "Person",
                        "body": url(f"body/{self.slug}/"),
                        "name": person.full_name,
                        "membership": [self.membership(a, embedded=True) for a in seats],
                        "created": when(min(a.created for a in seats)),
                        "modified": when(max(a.modified for a in seats)),
                    }
                )
            )
        return result

    # -- Files -----------------------------------------------------------------

    def _meeting_file(self, meeting: Meeting, kind: str) -> dict[str, Any]:
        council = meeting.council.slug
        if kind == "agenda":
            name, address = (
                "Saksliste",
                web("public_councils:agenda_pdf", self.slug, council, meeting.pk),
            )
        else:
            name, address = (
                "Protokoll",
                web("public_councils:minutes_pdf", self.slug, council, meeting.pk),
            )
        return clean(
            {
                "id": self.file_id(f"{kind}-{meeting.pk}"),
                "type": SCHEMA + "File",
                "name": f"{name} {timezone.localtime(meeting.starts_at):%d.%m.%Y}",
                "fileName": f"{'saksliste' if kind == 'agenda' else 'protokoll'}-{meeting.pk}.pdf",
                "mimeType": "application/pdf",
                "accessUrl": address,
                "downloadUrl": address,
                "created": when(meeting.created),
                "modified": when(meeting.modified),
            }
        )

    def _attachment_file(self, attachment: CaseAttachment, *, embedded: bool) -> dict[str, Any]:
        address = web("public_councils:attachment", self.slug, attachment.pk)
        return clean(
            {
                "id": self.file_id(f"attachment-{attachment.pk}"),
                "type": SCHEMA + "File",
                "name": attachment.title,
                "fileName": attachment.original_name,
                "mimeType": attachment.content_type,
                "size": attachment.size,
                "accessUrl": address,
                "downloadUrl": address,
                "paper": None if embedded else [self.paper_id(attachment.case_id)],
                "created": when(attachment.uploaded_at),
                "modified": when(attachment.uploaded_at),
            }
        )

    def _public_attachments(self) -> dict[int, list[CaseAttachment]]:
        found: dict[int, list[CaseAttachment]] = {}
        for attachment in CaseAttachment.objects.filter(
            case__in=self.cases().filter(visibility=Visibility.PUBLIC)
        ).order_by("pk"):
            found.setdefault(attachment.case_id, []).append(attachment)
        return found

    def files(self) -> list[dict[str, Any]]:
        result = []
        for meeting in self.meetings().order_by("pk"):
            if meeting.agenda_is_public:
                result.append(self._meeting_file(meeting, "agenda"))
            if meeting.status == MINUTES_PUBLISHED:
                result.append(self._meeting_file(meeting, "minutes"))
        for attachments in self._public_attachments().values():
            result += [self._attachment_file(a, embedded=False) for a in attachments]
        return sorted(result, key=lambda f: f["id"])

    # -- Meeting, AgendaItem, Consultation, Paper --------------------------------

    def _decision_shown(self, treatment: Treatment) -> bool:
        public_case = treatment.case is None or treatment.case.visibility == Visibility.PUBLIC
        return (
            public_case
            and treatment.meeting.status == MINUTES_PUBLISHED
            and hasattr(treatment, "decision")
        )

    def agenda_item(self, treatment: Treatment, order: int, *, embedded: bool) -> dict[str, Any]:
        case = treatment.case
        if case is not None:
            name = case.title_for_public
        else:
            name = treatment.get_standing_display() or treatment.get_kind_display()
        decision = treatment.decision if self._decision_shown(treatment) else None
        result = None
        if decision is not None:
            result = "Vedtatt som innstilt" if decision.adopted_as_recommended else "Vedtatt"
        item = {
            "id": self.agenda_item_id(treatment.pk),
            "type": SCHEMA + "AgendaItem",
            "meeting": None if embedded else self.meeting_id(treatment.meeting_id),
            "number": f"{order + 1}",
            "order": order,
            "name": name,
            "public": case is None or case.visibility == Visibility.PUBLIC,
            "consultation": self.consultation_id(treatment.pk) if case is not None else None,
            "result": result,
            "resolutionText": decision.adopted_text if decision is not None else None,
            "created": when(treatment.created),
            "modified": when(treatment.modified),
        }
        if case is not None and case.visibility == Visibility.RESTRICTED:
            item["samspill:legalBasis"] = case.legal_basis
        return clean(item)

    def _agendas(self) -> dict[int, list[Treatment]]:
        agendas: dict[int, list[Treatment]] = {}
        for treatment in self.treatments():
            agendas.setdefault(treatment.meeting_id, []).append(treatment)
        return agendas

    def meeting(self, meeting: Meeting, agenda: list[Treatment]) -> dict[str, Any]:
        council = meeting.council
        public_agenda = meeting.agenda_is_public
        return clean(
            {
                "id": self.meeting_id(meeting.pk),
                "type": SCHEMA + "Meeting",
                "name": meeting.title or f"{council.short_name or council.name}",
                "meetingState": MEETING_STATE.get(meeting.status, "terminiert"),
                "cancelled": False,
                "start": when(meeting.starts_at),
                "end": when(meeting.ends_at),
                "organization": [self.council_id(council.pk)],
                "invitation": self._meeting_file(meeting, "agenda") if public_agenda else None,
                "resultsProtocol": self._meeting_file(meeting, "minutes")
                if meeting.status == MINUTES_PUBLISHED
                else None,
                "agendaItem": [
                    self.agenda_item(t, order, embedded=True) for order, t in enumerate(agenda)
                ],
                "samspill:location": meeting.location or None,
                "created": when(meeting.created),
                "modified": when(meeting.modified),
                "web": web("public_councils:meeting", self.slug, council.slug, meeting.pk),
            }
        )

    def meeting_list(self) -> list[dict[str, Any]]:
        agendas = self._agendas()
        return [self.meeting(m, agendas.get(m.pk, [])) for m in self.meetings().order_by("pk")]

    def agenda_items(self) -> list[dict[str, Any]]:
        result = []
        for agenda in self._agendas().values():
            result += [self.agenda_item(t, order, embedded=False) for order, t in enumerate(agenda)]
        return sorted(result, key=lambda item: item["id"])

    def consultation(self, treatment: Treatment, *, embedded: bool) -> dict[str, Any]:
        return clean(
            {
                "id": self.consultation_id(treatment.pk),
                "type": SCHEMA + "Consultation",
                "paper": None if embedded else self.paper_id(treatment.case_id),  # type: ignore[arg-type]
                "agendaItem": self.agenda_item_id(treatment.pk),
                "meeting": self.meeting_id(treatment.meeting_id),
                "organization": [self.council_id(treatment.meeting.council_id)],
                "authoritative": treatment.kind == Treatment.Kind.DECISION,
                "role": str(treatment.get_kind_display()),
                "created": when(treatment.created),
                "modified": when(treatment.modified),
            }
        )

    def consultations(self) -> list[dict[str, Any]]:
        return [
            self.consultation(t, embedded=False)
            for t in self.treatments().exclude(case__isnull=True).order_by("pk")
        ]

    def paper(
        self, case: Case, handled: list[Treatment], attachments: list[CaseAttachment]
    ) -> dict[str, Any]:
        public = case.visibility == Visibility.PUBLIC
        paper = {
            "id": self.paper_id(case.pk),
            "type": SCHEMA + "Paper",
            "body": url(f"body/{self.slug}/"),
            "name": case.title_for_public,
            "reference": case.number,
            "date": day(timezone.localtime(case.created).date()),
            "paperType": "Sak",
            "auxiliaryFile": [self._attachment_file(a, embedded=True) for a in attachments]
            if public
            else [],
            "consultation": [self.consultation(t, embedded=True) for t in handled],
            "created": when(case.created),
            "modified": when(case.modified),
            "web": web("public_councils:case", self.slug, case.pk) if public else None,
        }
        if not public:
            paper["samspill:legalBasis"] = case.legal_basis
        return clean(paper)

    def papers(self) -> list[dict[str, Any]]:
        handled: dict[int, list[Treatment]] = {}
        for treatment in self.treatments().exclude(case__isnull=True).order_by("pk"):
            handled.setdefault(treatment.case_id, []).append(treatment)  # type: ignore[arg-type]
        attachments = self._public_attachments()
        return [
            self.paper(case, handled.get(case.pk, []), attachments.get(case.pk, []))
            for case in self.cases()
        ]

    def builders(self) -> dict[str, Callable[[], list[dict[str, Any]]]]:
        return {
            "organization": self.organizations,
            "person": self.persons,
            "membership": self.memberships,
            "meeting": self.meeting_list,
            "agendaItem": self.agenda_items,
            "consultation": self.consultations,
            "paper": self.papers,
            "file": self.files,
            "locationList": list,
            "legislativeTermList": list,
        }


def bodies() -> list[Partnership]:
    return list(Partnership.objects.order_by("slug"))


def system() -> dict[str, Any]:
    newest = Partnership.objects.aggregate(modified=Max("modified"), created=Max("created"))
    return clean(
        {
            "id": url(""),
            "type": SCHEMA + "System",
            "oparlVersion": SCHEMA,
            "body": url("body/"),
            "name": "Samspill",
            "website": f"{settings.SITE_URL}/",
            "created": when(newest["created"]),
            "modified": when(newest["modified"]),
            "web": f"{settings.SITE_URL}/",
        }
    )


@dataclass
class Page:
    data: list[dict[str, Any]]
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


PER_PAGE = 100
FILTERS = ("created_since", "created_until", "modified_since", "modified_until")
