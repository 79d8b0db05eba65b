"""Consultations (høring) and the files parties send with their answers.

A consultation is a round addressed to each party, open until a deadline.
Each party answers once, formally, through a person whose role in that
party gives ``ANSWER_CONSULTATION`` (the coordinator or the leader; the
secretariat can for anyone): a position, what it says in general and
clause by clause, and a document if it wishes. The party may change its
answer while the round is open, also after the deadline (a late answer is
still an answer, and shows as late); every change is attributable and a
change someone else saved meanwhile is refused. The secretariat marks each
answer read and reminds the parties that have not answered. The round
closes when the version moves on from consultation.

These are not the representation app's input rounds: those are a council
member's questions to their own constituency before a meeting, answered by
anyone there. Here the addressee is a party and its answer is the party's.

A version goes on consultation only from its draft, and its text then stays
as it was sent (``services.require_draft``), so a comment on a clause is a
comment on the text the party read.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import (
    AgreementVersion,
    ClauseComment,
    Consultation,
    ConsultationAnswer,
    ConsultationParty,
    Document,
)
from core.services import EditConflict, save_versioned
from notifications.models import Notification
from notifications.services import Item, notify_many
from partnerships.access import PartnershipAccess, people_who_may
from partnerships.capabilities import Capability
from partnerships.models import Organisation, Participation, Partnership

Status = AgreementVersion.Status

# The shortest consultation: the parties' own bodies need time to answer.
MIN_DAYS = 14


def store_document(partnership: Partnership, upload: Any, *, by: Any) -> Document:
    """Check an uploaded file as case attachments are checked (type, size,
    content, identity numbers) and store it; a bad file raises
    ValidationError and nothing is stored."""
    from councils.attachments import check_upload

    checked = check_upload(upload.name, upload.size, upload)
    document = Document(
        partnership=partnership,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    document.file.save(checked.original_name, upload, save=False)
    document.save()
    return document


def discard(document: Document | None) -> None:
    """Remove a stored document the answer or record it came with was then
    refused for (nothing half-stored)."""
    if document is not None and document.pk is not None:
        name, storage = document.file.name or "", document.file.storage
        document.delete()
        storage.delete(name)


@transaction.atomic
def open_consultation(
    version: AgreementVersion,
    expected_version: int,
    *,
    deadline: datetime.date,
    message: str,
    parties: Iterable[Organisation],
    by: Any,
    client_key: uuid.UUID | None = None,
    today: datetime.date | None = None,
) -> Consultation:
    """Send a draft on consultation to ``parties`` (parties the agreement
    binds) and tell the people who answer for each of them."""
    from agreements.services import move_on, parties_of

    today = today or timezone.localdate()
    if client_key is not None:
        existing = Consultation.objects.filter(client_key=client_key).first()
        if existing is not None:
            return existing
    chosen = list(parties)
    bound = {p.pk for p in parties_of(version.agreement)}
    if any(p.pk not in bound for p in chosen):
        raise ValidationError(_("The agreement does not bind every party chosen."))
    _check(deadline, chosen, today)
    move_on(version, expected_version, Status.CONSULTATION, today=today)
    return open_round(
        version.agreement.partnership,
        title=f"{version.agreement} ({version.label})",
        message=message,
        deadline=deadline,
        parties=chosen,
        by=by,
        client_key=client_key,
        agreement_version=version,
        today=today,
    )


def _check(deadline: datetime.date, parties: list[Organisation], today: datetime.date) -> None:
    if not parties:
        raise ValidationError(_("Choose the parties the consultation goes to."))
    if deadline < today + datetime.timedelta(days=MIN_DAYS):
        raise ValidationError(
            _("Give the parties at least %(days)s days to answer.") % {"days": MIN_DAYS}
        )


@transaction.atomic
def open_round(
    partnership: Partnership,
    *,
    title: str,
    message: str,
    deadline: datetime.date,
    parties: Iterable[Organisation],
    by: Any,
    client_key: uuid.UUID | None = None,
    agreement_version: AgreementVersion | None = None,
    today: datetime.date | None = None,
) -> Consultation:
    """Open a consultation addressed to ``parties`` (of ``partnership``) and
    tell the people who answer for each of them (a link only). Other apps
    (task transfers) open rounds about their own things with this and link
    the round to what it is about. A repeated ``client_key`` (a double
    submit) returns the round the first submit opened."""
    today = today or timezone.localdate()
    if client_key is not None:
        existing = Consultation.objects.filter(client_key=client_key).first()
        if existing is not None:
            return existing
    chosen = list(parties)
    _check(deadline, chosen, today)
    members = set(
        Participation.objects.current()
        .filter(partnership=partnership, role=Participation.Role.PARTY)
        .values_list("organisation_id", flat=True)
    )
    if any(p.pk not in members for p in chosen):
        raise ValidationError(_("A party chosen is not a party of the partnership."))
    try:
        with transaction.atomic():
            consultation = Consultation.objects.create(
                partnership=partnership,
                agreement_version=agreement_version,
                title=title,
                message=message,
                deadline=deadline,
                opened_by=by,
                client_key=client_key,
            )
    except IntegrityError:
        # The same submit, a moment earlier, won the race.
        return Consultation.objects.get(client_key=client_key)
    ConsultationParty.objects.bulk_create(
        ConsultationParty(consultation=consultation, organisation=p) for p in chosen
    )
    _tell_parties(
        consultation,
        [p.pk for p in chosen],
        _("%(title)s is on consultation until %(deadline)s"),
    )
    return consultation


def _tell_parties(consultation: Consultation, parties: list[int], headline: str) -> int:
    people = people_who_may(Capability.ANSWER_CONSULTATION, parties)
    slug = consultation.partnership.slug
    text = headline % {
        "title": consultation.title,
        "deadline": consultation.deadline.strftime("%d.%m.%Y"),
    }
    return notify_many(
        Item(
            user=user,
            kind=Notification.Kind.AGREEMENT_CONSULTATION,
            partnership=consultation.partnership,
            headline=text,
            path=reverse("agreements:consultation_answer", args=[slug, consultation.pk, party]),
        )
        for party, users in people.items()
        for user in users
    )


def close(consultation: Consultation) -> None:
    """No more answers (when the version moves on)."""
    if consultation.closed_at is None:
        consultation.closed_at = timezone.now()
        consultation.save(update_fields=["closed_at"])


def close_for_version(version: AgreementVersion) -> None:
    for consultation in version.consultations.filter(closed_at__isnull=True):
        close(consultation)


@transaction.atomic
def answer(
    consultation: Consultation,
    organisation: Organisation,
    expected_version: int | None,
    *,
    position: str,
    text: str,
    comments: dict[int, str],
    document: Document | None,
    by: Any,
) -> ConsultationAnswer:
    """Record or change one party's answer. ``expected_version`` is None for
    a first answer and the answer's version for a change; ``comments`` maps
    clause ids of the consulted version to what the party says about each
    (an empty text removes a comment). ``document`` None keeps the one sent
    before."""
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not locked.is_open:
        raise ValidationError(_("The consultation is closed; answers can no longer be changed."))
    if not locked.addressed.filter(organisation=organisation).exists():
        raise ValidationError(_("The consultation is not addressed to this party."))
    consulted = locked.agreement_version
    clause_ids = set(consulted.clauses.values_list("pk", flat=True) if consulted else [])
    if set(comments) - clause_ids:
        raise ValidationError(_("A comment is about a clause that is not in this version."))
    existing = ConsultationAnswer.objects.filter(
        consultation=locked, organisation=organisation
    ).first()
    if existing is None:
        if expected_version is not None:
            raise ValidationError(_("The answer was removed meanwhile."))
        try:
            with transaction.atomic():
                result = ConsultationAnswer.objects.create(
                    consultation=locked,
                    organisation=organisation,
                    position=position,
                    text=text,
                    document=document,
                    answered_by=by,
                )
        except IntegrityError:
            # Someone else of the party answered a moment ago.
            current = ConsultationAnswer.objects.get(consultation=locked, organisation=organisation)
            raise EditConflict(current.version) from None
    else:
        if expected_version is None:
            raise EditConflict(existing.version)
        existing.position, existing.text = position, text
        existing.answered_by, existing.answered_at = by, timezone.now()
        # A changed answer is read again.
        existing.read_at, existing.read_by = None, None
        fields = ["position", "text", "answered_by", "answered_at", "read_at", "read_by"]
        if document is not None:
            existing.document = document
            fields.append("document")
        result = save_versioned(existing, expected_version, fields)  # type: ignore[assignment]
    _set_comments(result, comments)
    return result


def _set_comments(answer: ConsultationAnswer, comments: dict[int, str]) -> None:
    wanted = {pk: text.strip() for pk, text in comments.items() if text.strip()}
    answer.comments.exclude(clause_id__in=wanted).delete()
    have = {c.clause_id: c for c in answer.comments.all()}
    for pk, text in wanted.items():
        if pk in have:
            if have[pk].text != text:
                have[pk].text = text
                have[pk].save(update_fields=["text"])
        else:
            ClauseComment.objects.create(answer=answer, clause_id=pk, text=text)


def mark_read(answer: ConsultationAnswer, expected_version: int, *, by: Any) -> None:
    answer.read_at, answer.read_by = timezone.now(), by
    save_versioned(answer, expected_version, ["read_at", "read_by"])


@transaction.atomic
def remind(consultation: Consultation) -> list[Organisation]:
    """Remind the addressed parties that have not answered (their people
    who answer get a notification); returns those parties."""
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not locked.is_open:
        raise ValidationError(_("The consultation is closed."))
    answered = set(locked.answers.values_list("organisation_id", flat=True))
    missing = [
        a
        for a in locked.addressed.select_related("organisation")
        if a.organisation_id not in answered
    ]
    if not missing:
        return []
    _tell_parties(
        locked,
        [a.organisation_id for a in missing],
        _("Reminder: %(title)s waits for your party's answer (deadline %(deadline)s)"),
    )
    ConsultationParty.objects.filter(pk__in=[a.pk for a in missing]).update(
        reminded_at=timezone.now()
    )
    return [a.organisation for a in missing]


@dataclass(frozen=True)
class PartyRow:
    """One addressed party: its answer, if any, and whether it was late."""

    party: Organisation
    answer: ConsultationAnswer | None
    reminded_at: datetime.datetime | None
    late: bool
    may_answer: bool


def overview(consultation: Consultation, access: PartnershipAccess | None = None) -> list[PartyRow]:
    """Each addressed party with its answer (two queries: the parties, the
    answers with their comments and documents)."""
    answers = {
        a.organisation_id: a
        for a in consultation.answers.select_related("document", "answered_by").prefetch_related(
            "comments"
        )
    }
    rows = []
    today = timezone.localdate()
    for addressed in consultation.addressed.select_related("organisation"):
        found = answers.get(addressed.organisation_id)
        answered_on = timezone.localdate(found.answered_at) if found else None
        late = (answered_on or today) > consultation.deadline
        rows.append(
            PartyRow(
                party=addressed.organisation,
                answer=found,
                reminded_at=addressed.reminded_at,
                late=late,
                may_answer=bool(
                    access
                    and consultation.is_open
                    and access.can_for(Capability.ANSWER_CONSULTATION, addressed.organisation_id)
                ),
            )
        )
    return rows


def consultations_to_answer(
    access: PartnershipAccess,
) -> list[tuple[Consultation, Organisation]]:
    """Open rounds addressed to a party the person answers for, which that
    party has not answered (two queries; none for a person who answers for
    no party)."""
    own = access.parties_where(Capability.ANSWER_CONSULTATION)
    if not own:
        return []
    addressed = (
        ConsultationParty.objects.filter(
            consultation__partnership=access.partnership,
            consultation__closed_at__isnull=True,
            organisation_id__in=own,
        )
        .exclude(
            Exists(
                ConsultationAnswer.objects.filter(
                    consultation_id=OuterRef("consultation_id"),
                    organisation_id=OuterRef("organisation_id"),
                )
            )
        )
        .select_related("consultation", "organisation")
        .order_by("consultation__deadline", "organisation__name")
    )
    return [(a.consultation, a.organisation) for a in addressed]


def answers_to_read(access: PartnershipAccess) -> list[ConsultationAnswer]:
    """Answers the secretariat has not read yet (one query; none for others)."""
    if not access.can(Capability.MANAGE_AGREEMENTS):
        return []
    return list(
        ConsultationAnswer.objects.filter(
            consultation__partnership=access.partnership, read_at__isnull=True
        )
        .select_related("consultation", "organisation")
        .order_by("answered_at", "pk")
    )


def position_counts(consultation: Consultation) -> dict[str, int]:
    """How many parties were asked, answered, and took each position."""
    counts = dict.fromkeys(ConsultationAnswer.Position.values, 0)
    positions = list(consultation.answers.values_list("position", flat=True))
    for position in positions:
        counts[position] += 1
    return {
        **counts,
        "addressed": consultation.addressed.count(),
        "answered": len(positions),
    }
