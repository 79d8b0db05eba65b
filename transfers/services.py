"""What changes task transfers, and who is told.

Rules:

- A transfer is between two different parties of the partnership, and the
  party that proposes or registers it is one of the two.
- Where a transfer may go next is :data:`TRANSITIONS`, one table for both
  kinds. A proposal: proposed (draft) → on consultation → for the council's
  decision → agreed or rejected; it may be withdrawn until the council has
  the case. A task that moved without agreement: registered → for the
  council's decision → handled; withdrawn while only registered.
- A proposal comes with the proposing party's consequence assessment under
  all six headings; each affected party (the two parties, and every party
  asked in the consultation) writes or completes its own until the council
  has the case.
- The facts are changed only while proposed or registered. The council's
  case is made once (a double submit gets the same case), in the
  partnership's language, with the assessments side by side and the
  consultation's answers in its paper; a proposal goes to the council when
  its consultation's deadline has passed or every party asked has answered,
  and the round then closes.
- The outcome is recorded with the council's decision on the transfer's own
  case; an agreed transfer links to the agreement version that describes it.
- Every change is attributable (the audit trail) and refused when someone
  else saved the same row meanwhile (``core.services.save_versioned``); a
  transfer's row is locked while it moves, so two outcomes recorded at once
  cannot both win.
- The people concerned are told with a link only: the coordinators and
  leaders of the parties involved and, for what waits for it, the
  secretariat.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from agreements.models import AgreementVersion, ConsultationParty
from core.services import EditConflict, save_versioned
from councils.models import Case, Council, Decision, Meeting, Treatment
from notifications.models import Notification
from notifications.services import Item, notify_many
from partnerships.access import PartnershipAccess, people_who_may
from partnerships.capabilities import Capability
from partnerships.models import Organisation, Partnership, PartnershipRole
from transfers.models import ASPECTS, ConsequenceAssessment, TaskTransfer

Kind = TaskTransfer.Kind
Status = TaskTransfer.Status

# Where a transfer of each kind may go next.
TRANSITIONS: dict[str, dict[str, set[str]]] = {
    Kind.PROPOSAL: {
        Status.DRAFT: {Status.CONSULTATION, Status.WITHDRAWN},
        Status.CONSULTATION: {Status.FOR_DECISION, Status.WITHDRAWN},
        Status.FOR_DECISION: {Status.AGREED, Status.REJECTED},
        Status.AGREED: set(),
        Status.REJECTED: set(),
        Status.WITHDRAWN: set(),
    },
    Kind.UNAGREED: {
        Status.REGISTERED: {Status.FOR_DECISION, Status.WITHDRAWN},
        Status.FOR_DECISION: {Status.HANDLED},
        Status.HANDLED: set(),
        Status.WITHDRAWN: set(),
    },
}
FIRST = {Kind.PROPOSAL: Status.DRAFT, Kind.UNAGREED: Status.REGISTERED}
# The steps that record the council's decision.
OUTCOMES = {Status.AGREED, Status.REJECTED, Status.HANDLED}
# The councils that decide task transfers.
DECIDING = (Council.Kind.ASU, Council.Kind.PSU)
FACTS = ("title", "task", "from_party", "to_party", "patients", "from_date")
ASPECT_NAMES = [name for name, _label in ASPECTS]


def next_steps(transfer: TaskTransfer) -> set[str]:
    return TRANSITIONS[transfer.kind][transfer.status]


def parties(partnership: Partnership) -> list[Organisation]:
    """Today's parties of the partnership, by name (one query)."""
    from agreements.models import Agreement
    from agreements.services import parties_of

    return parties_of(Agreement(partnership=partnership, all_parties=True))


def _locked(transfer: TaskTransfer) -> TaskTransfer:
    return TaskTransfer.objects.select_for_update().get(pk=transfer.pk)


def _step(
    locked: TaskTransfer, expected_version: int, to: str, fields: Iterable[str] = ()
) -> TaskTransfer:
    """Move the (locked) transfer to ``to`` if the table allows it."""
    if to not in next_steps(locked):
        raise ValidationError(
            _("A task transfer that is “%(now)s” cannot be set to “%(to)s”.")
            % {"now": locked.get_status_display(), "to": Status(to).label}
        )
    locked.status = to
    save_versioned(locked, expected_version, ["status", *fields])
    return locked


def _check_parties(
    partnership: Partnership,
    *,
    from_party: Organisation,
    to_party: Organisation,
    proposing_party: Organisation,
) -> None:
    if from_party.pk == to_party.pk:
        raise ValidationError(_("A task moves between two different parties."))
    members = {p.pk for p in parties(partnership)}
    if {from_party.pk, to_party.pk, proposing_party.pk} - members:
        raise ValidationError(_("Choose parties of the partnership."))
    if proposing_party.pk not in (from_party.pk, to_party.pk):
        raise ValidationError(_("The party must be one of the two parties of the transfer."))


def _check_aspects(texts: dict[str, str]) -> None:
    if set(texts) - set(ASPECT_NAMES):
        raise ValidationError(_("An assessment has only the six headings."))


@transaction.atomic
def create(
    partnership: Partnership,
    kind: str,
    *,
    by: Any,
    proposing_party: Organisation,
    title: str,
    task: str,
    from_party: Organisation,
    to_party: Organisation,
    patients: str,
    from_date: datetime.date,
    assessment: dict[str, str] | None = None,
    client_key: uuid.UUID | None = None,
) -> TaskTransfer:
    """A party's proposal (with its consequence assessment under every
    heading), or its registration of a task that moved without agreement
    (an assessment if it has one). The other party and the secretariat are
    told. A repeated ``client_key`` (a double submit) returns the first."""
    if client_key is not None:
        existing = TaskTransfer.objects.filter(client_key=client_key).first()
        if existing is not None:
            return existing
    _check_parties(
        partnership, from_party=from_party, to_party=to_party, proposing_party=proposing_party
    )
    texts = {name: (assessment or {}).get(name, "").strip() for name in ASPECT_NAMES}
    _check_aspects(assessment or {})
    if kind == Kind.PROPOSAL and not all(texts.values()):
        raise ValidationError(
            _("A proposal comes with the party's consequence assessment under every heading.")
        )
    try:
        with transaction.atomic():
            transfer = TaskTransfer.objects.create(
                partnership=partnership,
                kind=kind,
                status=FIRST[Kind(kind)],
                title=title,
                task=task,
                from_party=from_party,
                to_party=to_party,
                patients=patients,
                from_date=from_date,
                proposing_party=proposing_party,
                created_by=by,
                client_key=client_key,
            )
    except IntegrityError:
        if client_key is None:
            raise
        # The same submit, a moment earlier, won the race.
        return TaskTransfer.objects.get(client_key=client_key)
    if any(texts.values()):
        ConsequenceAssessment.objects.create(
            transfer=transfer, organisation=proposing_party, written_by=by, **texts
        )
    other = to_party if proposing_party.pk == from_party.pk else from_party
    headline = (
        _("%(party)s proposes a task transfer: %(title)s")
        if kind == Kind.PROPOSAL
        else _("%(party)s has registered a task moved without agreement: %(title)s")
    )
    _tell(
        transfer,
        headline % {"party": proposing_party.name, "title": title},
        [other.pk],
        secretariat=True,
        by=by,
    )
    return transfer


@transaction.atomic
def change(transfer: TaskTransfer, expected_version: int, **facts: Any) -> TaskTransfer:
    """Change the facts of a transfer that is still proposed or registered."""
    if set(facts) - set(FACTS):
        raise ValidationError(_("Only the facts of the transfer are changed here."))
    locked = _locked(transfer)
    if not locked.is_editable:
        raise ValidationError(
            _("The parties have been asked or the council has the case: the facts stay as sent.")
        )
    for name, value in facts.items():
        setattr(locked, name, value)
    _check_parties(
        locked.partnership,
        from_party=locked.from_party,
        to_party=locked.to_party,
        proposing_party=locked.proposing_party,
    )
    save_versioned(locked, expected_version, list(facts))
    return locked


def affected_party_ids(transfer: TaskTransfer) -> set[int]:
    """The two parties, the one that proposed, and every party asked in the
    consultation (one query when there is a consultation)."""
    ids = {transfer.from_party_id, transfer.to_party_id, transfer.proposing_party_id}
    if transfer.consultation_id is not None:
        ids |= set(
            ConsultationParty.objects.filter(consultation_id=transfer.consultation_id).values_list(
                "organisation_id", flat=True
            )
        )
    return ids


@transaction.atomic
def assess(
    transfer: TaskTransfer,
    organisation: Organisation,
    expected_version: int | None,
    *,
    by: Any,
    **texts: str,
) -> ConsequenceAssessment:
    """Write or change one affected party's consequence assessment.
    ``expected_version`` is None for a first assessment and the
    assessment's version for a change."""
    _check_aspects(texts)
    locked = _locked(transfer)
    if not locked.is_assessable:
        raise ValidationError(_("The council has the case: the assessments stay as they are."))
    if organisation.pk not in affected_party_ids(locked):
        raise ValidationError(_("The transfer does not concern this party."))
    texts = {name: texts.get(name, "").strip() for name in ASPECT_NAMES}
    if not any(texts.values()):
        raise ValidationError(_("Write the assessment under at least one heading."))
    existing = ConsequenceAssessment.objects.filter(
        transfer=locked, organisation=organisation
    ).first()
    if existing is None:
        if expected_version is not None:
            raise ValidationError(_("The assessment was removed meanwhile."))
        try:
            with transaction.atomic():
                return ConsequenceAssessment.objects.create(
                    transfer=locked, organisation=organisation, written_by=by, **texts
                )
        except IntegrityError:
            # Someone else of the party wrote it a moment ago.
            current = ConsequenceAssessment.objects.get(transfer=locked, organisation=organisation)
            raise EditConflict(current.version) from None
    if expected_version is None:
        raise EditConflict(existing.version)
    for name, value in texts.items():
        setattr(existing, name, value)
    existing.written_by, existing.updated = by, timezone.now()
    save_versioned(existing, expected_version, [*texts, "written_by", "updated"])
    return existing


def consultation_title(transfer: TaskTransfer) -> str:
    """The round's title, in the partnership's language."""
    with translation.override(transfer.partnership.content_language):
        return _("Task transfer: %(title)s") % {"title": transfer.title}


def consultation_message(transfer: TaskTransfer) -> str:
    """What the secretariat's form suggests asking, in the partnership's language."""
    with translation.override(transfer.partnership.content_language):
        return _(
            "%(party)s proposes moving the task “%(title)s” from %(from)s to %(to)s. "
            "We ask each party for its position, and for its consequence assessment "
            "(economy, personnel and competence, capacity, patient safety, legal basis, ICT) "
            "on the transfer's page in Samspill."
        ) % {
            "party": transfer.proposing_party.name,
            "from": transfer.from_party.name,
            "to": transfer.to_party.name,
            "title": transfer.title,
        }


@transaction.atomic
def send_on_consultation(
    transfer: TaskTransfer,
    expected_version: int,
    *,
    deadline: datetime.date,
    message: str,
    parties: Iterable[Organisation],
    by: Any,
    client_key: uuid.UUID | None = None,
    today: datetime.date | None = None,
) -> TaskTransfer:
    """Send a proposal on consultation to its two parties and the others
    chosen (``agreements.consultations.open_round``: they answer there), and
    ask each of them for its consequence assessment."""
    from agreements import consultations

    locked = _locked(transfer)
    if (
        client_key is not None
        and locked.consultation_id is not None
        and locked.consultation.client_key == client_key  # type: ignore[union-attr]
    ):
        return locked  # the same submit again
    if Status.CONSULTATION not in next_steps(locked):
        raise ValidationError(_("Only a proposal that has not been sent on goes on consultation."))
    chosen = {p.pk: p for p in parties}
    chosen |= {locked.from_party_id: locked.from_party, locked.to_party_id: locked.to_party}
    consultation = consultations.open_round(
        locked.partnership,
        title=consultation_title(locked),
        message=message,
        deadline=deadline,
        parties=sorted(chosen.values(), key=lambda p: p.name),
        by=by,
        client_key=client_key,
        today=today,
    )
    locked.consultation = consultation
    _step(locked, expected_version, Status.CONSULTATION, ["consultation"])
    _tell_parties_to_assess(locked, list(chosen), deadline)
    return locked


def _tell_parties_to_assess(
    transfer: TaskTransfer, party_ids: list[int], deadline: datetime.date
) -> None:
    """Each party asked writes its own assessment on the transfer's page
    (the consultation's own notice links to its answer)."""
    slug = transfer.partnership.slug
    headline = _("%(title)s: write your party's consequence assessment by %(deadline)s") % {
        "title": transfer.title,
        "deadline": deadline.strftime("%d.%m.%Y"),
    }
    people = people_who_may(Capability.PROPOSE_TASK_TRANSFER, party_ids)
    notify_many(
        Item(
            user=user,
            kind=Notification.Kind.TASK_TRANSFER,
            partnership=transfer.partnership,
            headline=headline,
            path=reverse("transfers:assessment", args=[slug, transfer.pk, party]),
        )
        for party, users in people.items()
        for user in users
    )


def ready_for_council(
    transfer: TaskTransfer,
    today: datetime.date | None = None,
    *,
    answered_all: bool | None = None,
) -> bool:
    """May the secretariat make the council's case now? A proposal once its
    consultation's deadline has passed or every party asked has answered
    (``answered_all`` when the caller knows; otherwise one query); a
    registration at once."""
    if Status.FOR_DECISION not in next_steps(transfer) or transfer.case_id is not None:
        return False
    consultation = transfer.consultation
    if transfer.kind == Kind.UNAGREED or consultation is None or not consultation.is_open:
        return True
    if consultation.deadline < (today or timezone.localdate()):
        return True
    if answered_all is None:
        answered = consultation.answers.values("organisation_id")
        answered_all = not consultation.addressed.exclude(organisation_id__in=answered).exists()
    return answered_all


def open_meetings(partnership: Partnership) -> QuerySet[Meeting]:
    """Coming meetings of ASU and PSU whose agenda is still open."""
    from councils.services import AGENDA_OPEN

    return (
        Meeting.objects.filter(
            council__partnership=partnership,
            council__kind__in=DECIDING,
            status__in=AGENDA_OPEN,
            starts_at__gte=timezone.now(),
        )
        .select_related("council")
        .order_by("starts_at")
    )


def deciding_councils(partnership: Partnership) -> QuerySet[Council]:
    """ASU first, then PSU."""
    return Council.objects.filter(partnership=partnership, kind__in=DECIDING).order_by(
        "-kind", "position"
    )


@transaction.atomic
def prepare_case(
    transfer: TaskTransfer,
    *,
    council: Council,
    by: Any,
    meeting: Meeting | None = None,
    today: datetime.date | None = None,
) -> tuple[Case, bool]:
    """The council's case on the transfer, its paper filled in from the
    transfer, the assessments and the consultation, on ``meeting``'s agenda
    for decision when one is given; the transfer is then for decision. A
    transfer has one such case: a second call returns it. Returns (case,
    created)."""
    from agreements import consultations
    from councils import services as council_services

    locked = _locked(transfer)
    if locked.case_id is not None:
        return locked.case, False  # type: ignore[return-value]
    if Status.FOR_DECISION not in next_steps(locked):
        raise ValidationError(
            _(
                "Only a proposal after its consultation, or a registered transfer, goes to "
                "a council."
            )
        )
    if council.partnership_id != locked.partnership_id or council.kind not in DECIDING:
        raise ValidationError(_("Choose ASU or PSU of this partnership."))
    if meeting is not None and meeting.council_id != council.pk:
        raise ValidationError(_("Choose a meeting of the council chosen."))
    if not ready_for_council(locked, today):
        raise ValidationError(
            _("The consultation is open until %(deadline)s and not every party has answered.")
            % {"deadline": locked.consultation.deadline.strftime("%d.%m.%Y")}  # type: ignore[union-attr]
        )
    proposal = locked.kind == Kind.PROPOSAL
    with translation.override(locked.partnership.content_language):
        names = {
            "council": council.short_name or council.name,
            "title": locked.title,
            "from": locked.from_party.name,
            "to": locked.to_party.name,
            "day": locked.from_date.strftime("%d.%m.%Y"),
        }
        case, _created = council_services.create_case(
            council=council,
            title=(
                _("Proposed task transfer: %(title)s")
                if proposal
                else _("Task moved without agreement: %(title)s")
            )
            % names,
            by=by,
            visibility="public" if proposal else "partnership",
            background=case_paper(locked),
            proposed_decision=(
                _(
                    "%(council)s agrees that the task “%(title)s” moves from %(from)s to "
                    "%(to)s from %(day)s, as proposed. The transfer is to be described in the "
                    "cooperation agreement."
                )
                if proposal
                else _(
                    "%(council)s notes that the task “%(title)s” moved from %(from)s to %(to)s "
                    "without agreement between the parties. The parties are asked to clarify "
                    "the division of responsibility and to bring an agreed solution, with a "
                    "consequence assessment, back to the council."
                )
            )
            % names,
        )
    if locked.consultation is not None and locked.consultation.is_open:
        consultations.close(locked.consultation)
    locked.case = case
    _step(locked, locked.version, Status.FOR_DECISION, ["case"])
    if meeting is not None:
        council_services.add_to_agenda(meeting, case, Treatment.Kind.DECISION)
    _tell(
        locked,
        _("%(title)s goes to %(council)s for decision")
        % {"title": locked.title, "council": council.short_name or council.name},
        affected_party_ids(locked),
        by=by,
    )
    return case, True


def _text(value: str) -> str:
    return escape(value).replace("\n", "<br>")


def case_paper(transfer: TaskTransfer) -> str:
    """The case's background (the partnership's language is active): the
    facts, a link to the transfer, every party's assessment side by side
    under the six headings, and what each party answered in the
    consultation."""
    from agreements import consultations

    link = reverse("transfers:transfer", args=[transfer.partnership.slug, transfer.pk])
    names = {
        "party": transfer.proposing_party.name,
        "from": transfer.from_party.name,
        "to": transfer.to_party.name,
        "day": transfer.from_date.strftime("%d.%m.%Y"),
    }
    lead = (
        _("%(party)s proposes that a task moves from %(from)s to %(to)s from %(day)s.")
        if transfer.kind == Kind.PROPOSAL
        else _(
            "%(party)s has registered that a task moved from %(from)s to %(to)s on %(day)s, "
            "without agreement between the parties."
        )
    )
    parts = [
        f"<p>{escape(lead % names)} "
        f'<a href="{escape(link)}">{escape(_("The transfer in Samspill"))}</a></p>',
        f"<h3>{escape(_('The task'))}</h3><p>{_text(transfer.task)}</p>",
        f"<h3>{escape(_('Which patients'))}</h3><p>{_text(transfer.patients)}</p>",
        f"<h3>{escape(_('Consequence assessments'))}</h3>",
    ]
    assessments = list(transfer.assessments.select_related("organisation"))
    if assessments:
        # Each party's name inside a longer text: on its own, a party's name
        # would read as the partnership's text wherever else it is shown.
        head = "".join(
            f"<th>{escape(_('Assessment by %(party)s') % {'party': a.organisation.name})}</th>"
            for a in assessments
        )
        rows = "".join(
            f"<tr><th>{escape(str(label))}</th>"
            + "".join(f"<td>{_text(getattr(a, name)) or '–'}</td>" for a in assessments)
            + "</tr>"
            for name, label in ASPECTS
        )
        parts.append(
            f"<table><thead><tr><th>{escape(_('Heading'))}</th>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    else:
        parts.append(f"<p>{escape(_('No party has written a consequence assessment.'))}</p>")
    consultation = transfer.consultation
    if consultation is not None:
        rows_ = consultations.overview(consultation)
        answered = [r for r in rows_ if r.answer is not None]
        parts.append(f"<h3>{escape(_('The consultation'))}</h3>")
        parts.append(
            "<p>"
            + escape(
                _(
                    "It was sent to %(addressed)s parties with %(deadline)s as the deadline; "
                    "%(answered)s answered."
                )
                % {
                    "addressed": len(rows_),
                    "deadline": consultation.deadline.strftime("%d.%m.%Y"),
                    "answered": len(answered),
                }
            )
            + "</p>"
        )
        items = []
        for row in rows_:
            if row.answer is None:
                said = str(escape(_("did not answer.")))
            else:
                said = str(escape(row.answer.get_position_display() + "."))
                if row.answer.text:
                    said += " " + _text(row.answer.text)
            items.append(f"<li>{escape(row.party.name)}: {said}</li>")
        parts.append("<ul>" + "".join(items) + "</ul>")
    return "".join(parts)


@transaction.atomic
def record_outcome(
    transfer: TaskTransfer,
    expected_version: int,
    *,
    outcome: str,
    decision: Decision,
    agreement_version: AgreementVersion | None = None,
    by: Any = None,
) -> TaskTransfer:
    """The council's outcome with its decision on the transfer's case, and
    for an agreed transfer the agreement version that describes it (or
    later, :func:`describe_in`)."""
    locked = _locked(transfer)
    if outcome not in OUTCOMES:
        raise ValidationError(_("Choose the council's outcome."))
    if locked.case_id is None or decision.treatment.case_id != locked.case_id:
        raise ValidationError(_("The decision must be one made on the transfer's council case."))
    fields = ["decision"]
    locked.decision = decision
    if agreement_version is not None:
        if outcome != Status.AGREED:
            raise ValidationError(_("Only an agreed transfer is described in the agreement."))
        _check_version(locked, agreement_version)
        locked.agreement_version = agreement_version
        fields.append("agreement_version")
    _step(locked, expected_version, outcome, fields)
    _tell(
        locked,
        _("%(title)s: the council's outcome is “%(outcome)s”")
        % {"title": locked.title, "outcome": locked.get_status_display()},
        affected_party_ids(locked),
        by=by,
    )
    return locked


def _check_version(transfer: TaskTransfer, version: AgreementVersion) -> None:
    if version.agreement.partnership_id != transfer.partnership_id:
        raise ValidationError(_("Choose a version of one of this partnership's agreements."))


def describe_in(
    transfer: TaskTransfer, expected_version: int, agreement_version: AgreementVersion | None
) -> TaskTransfer:
    """Link an agreed transfer to the agreement version that now describes it
    (None removes the link)."""
    with transaction.atomic():
        locked = _locked(transfer)
        if locked.status != Status.AGREED:
            raise ValidationError(_("Only an agreed transfer is described in the agreement."))
        if agreement_version is not None:
            _check_version(locked, agreement_version)
        locked.agreement_version = agreement_version
        save_versioned(locked, expected_version, ["agreement_version"])
    return locked


@transaction.atomic
def withdraw(transfer: TaskTransfer, expected_version: int, *, by: Any) -> TaskTransfer:
    """The proposing party (or the secretariat) takes the transfer back
    before the council has it; an open consultation closes."""
    from agreements import consultations

    locked = _locked(transfer)
    _step(locked, expected_version, Status.WITHDRAWN)
    if locked.consultation is not None and locked.consultation.is_open:
        consultations.close(locked.consultation)
    _tell(
        locked,
        _("%(title)s was withdrawn") % {"title": locked.title},
        affected_party_ids(locked),
        secretariat=True,
        by=by,
    )
    return locked


def _tell(
    transfer: TaskTransfer,
    headline: str,
    party_ids: Iterable[int],
    *,
    secretariat: bool = False,
    by: Any = None,
) -> int:
    """Tell the coordinators and leaders of ``party_ids`` (and the
    secretariat) with a link to the transfer; not the person who acted.
    Once the transaction commits (``notify_many``)."""
    users = {
        u.pk: u
        for group in people_who_may(Capability.PROPOSE_TASK_TRANSFER, party_ids).values()
        for u in group
    }
    if secretariat:
        for role in (
            PartnershipRole.objects.current()
            .filter(partnership=transfer.partnership, role=PartnershipRole.Role.SECRETARIAT)
            .select_related("user")
        ):
            users[role.user_id] = role.user
    if by is not None:
        users.pop(by.pk, None)
    path = reverse("transfers:transfer", args=[transfer.partnership.slug, transfer.pk])
    return notify_many(
        Item(
            user=user,
            kind=Notification.Kind.TASK_TRANSFER,
            partnership=transfer.partnership,
            headline=headline,
            path=path,
        )
        for user in users.values()
    )


# --- The work queue ------------------------------------------------------------------


def waiting_for_secretariat(access: PartnershipAccess) -> list[TaskTransfer]:
    """Transfers the secretariat moves on: proposals to send on consultation,
    consultations that may go to the council, registrations to take to it,
    and cases the council has decided whose outcome is not recorded (one
    query; none for anyone else). ``has_decision`` and ``answered_all`` are
    annotated."""
    from agreements.models import ConsultationAnswer

    if not access.can(Capability.MANAGE_AGREEMENTS):
        return []
    answered = ConsultationAnswer.objects.filter(
        consultation_id=OuterRef("consultation_id"), organisation_id=OuterRef("organisation_id")
    )
    unanswered = ConsultationParty.objects.filter(
        consultation_id=OuterRef("consultation_id")
    ).exclude(Exists(answered))
    return list(
        TaskTransfer.objects.filter(
            partnership=access.partnership,
            status__in=[Status.DRAFT, Status.CONSULTATION, Status.REGISTERED, Status.FOR_DECISION],
        )
        .annotate(
            has_decision=Exists(Decision.objects.filter(treatment__case_id=OuterRef("case_id"))),
            answered_all=~Exists(unanswered),
        )
        .select_related("consultation")
        .order_by("created", "pk")
    )


def assessments_to_write(access: PartnershipAccess) -> list[TaskTransfer]:
    """Proposals on consultation to a party the person acts for, whose
    assessment that party has not written: one row per (transfer, party),
    with ``party_id`` and ``party_name`` annotated (one query; none for a
    person who acts for no party)."""
    own = access.parties_where(Capability.PROPOSE_TASK_TRANSFER)
    if not own:
        return []
    written = ConsequenceAssessment.objects.filter(
        transfer_id=OuterRef("pk"), organisation_id=OuterRef("party_id")
    )
    return list(
        TaskTransfer.objects.filter(
            partnership=access.partnership,
            status=Status.CONSULTATION,
            consultation__addressed__organisation_id__in=own,
        )
        .annotate(
            party_id=F("consultation__addressed__organisation_id"),
            party_name=F("consultation__addressed__organisation__name"),
        )
        .exclude(Exists(written))
        .select_related("consultation")
        .order_by("consultation__deadline", "pk", "party_name")
    )
