"""What changes agreements: drafting versions and clauses, moving a version
along its way, and recording each party's ratification.

A version is edited only as a draft; once it has gone on consultation its
text stays as it was sent, and a change is a new version (based on the one
before, whose clauses it copies with the same keys so the two can be
compared clause by clause). Every change is attributable (the audit trail)
and refused when someone else saved the same row meanwhile
(``core.services.save_versioned``).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.binding import binds_party
from agreements.models import (
    Agreement,
    AgreementVersion,
    Clause,
    ClauseCoverage,
    JointMeasure,
    Ratification,
    Termination,
)
from core.services import EditConflict, save_versioned
from notifications.models import Notification
from notifications.services import Item, notify_many
from partnerships.access import PartnershipAccess, people_who_may
from partnerships.capabilities import Capability
from partnerships.models import Organisation, Participation, PartnershipRole

Status = AgreementVersion.Status

# Where a version may go next, and with what.
TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.CONSULTATION, Status.ADOPTED},
    Status.CONSULTATION: {Status.ADOPTED},
    Status.ADOPTED: {Status.RATIFICATION, Status.IN_FORCE},
    Status.RATIFICATION: {Status.IN_FORCE},
    Status.IN_FORCE: {Status.EXPIRED},
    Status.REPLACED: set(),
    Status.EXPIRED: set(),
}
# A party records its ratification of a version from the council's adoption on.
RATIFIABLE = {Status.ADOPTED, Status.RATIFICATION, Status.IN_FORCE, Status.REPLACED}


def new_key() -> str:
    return uuid.uuid4().hex[:12]


def require_draft(version: AgreementVersion) -> None:
    if not version.is_editable:
        raise ValidationError(
            _(
                "This version has been sent on and is no longer edited. Make a new version "
                "to change the text."
            )
        )


@transaction.atomic
def new_version(
    agreement: Agreement, label: str, *, by: Any, based_on: AgreementVersion | None = None
) -> AgreementVersion:
    """A draft, with the clauses (and what they cover) of ``based_on``."""
    if agreement.versions.filter(label=label).exists():
        raise ValidationError(_("The agreement already has a version with this name."))
    version = AgreementVersion.objects.create(
        agreement=agreement, label=label, previous=based_on, created_by=by
    )
    if based_on is not None:
        for clause in based_on.clauses.prefetch_related("coverage", "joint_measures"):
            copy = Clause.objects.create(
                agreement_version=version,
                number=clause.number,
                heading=clause.heading,
                text=clause.text,
                position=clause.position,
                key=clause.key,
            )
            ClauseCoverage.objects.bulk_create(
                ClauseCoverage(clause=copy, point=c.point) for c in clause.coverage.all()
            )
            for measure in clause.joint_measures.all():
                JointMeasure.objects.create(
                    clause=copy,
                    name=measure.name,
                    employer=measure.employer,
                    organisation=measure.organisation,
                    financing=measure.financing,
                )
    return version


@transaction.atomic
def add_clause(
    version: AgreementVersion, *, number: str, heading: str, text: str, points: Iterable[int]
) -> Clause:
    locked = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    require_draft(locked)
    last = locked.clauses.aggregate(last=Max("position"))["last"]
    clause = Clause(
        agreement_version=locked,
        number=number,
        heading=heading,
        text=text,
        position=(last or 0) + 1,
        key=new_key(),
    )
    clause.save()
    _set_points(clause, points)
    return clause


@transaction.atomic
def change_clause(
    clause: Clause,
    expected_version: int,
    *,
    number: str,
    heading: str,
    text: str,
    points: Iterable[int],
) -> Clause:
    require_draft(AgreementVersion.objects.select_for_update().get(pk=clause.agreement_version_id))
    clause.number, clause.heading, clause.text = number, heading, text
    save_versioned(clause, expected_version, ["number", "heading", "text"])
    _set_points(clause, points)
    return clause


@transaction.atomic
def remove_clause(clause: Clause) -> None:
    require_draft(AgreementVersion.objects.select_for_update().get(pk=clause.agreement_version_id))
    clause.delete()


def _set_points(clause: Clause, points: Iterable[int]) -> None:
    wanted = set(points)
    clause.coverage.exclude(point__in=wanted).delete()
    have = set(clause.coverage.values_list("point", flat=True))
    ClauseCoverage.objects.bulk_create(
        ClauseCoverage(clause=clause, point=p) for p in sorted(wanted - have)
    )


@transaction.atomic
def move_on(
    version: AgreementVersion,
    expected_version: int,
    to: str,
    *,
    in_force_from: datetime.date | None = None,
    decision: Any = None,
    today: datetime.date | None = None,
) -> AgreementVersion:
    """Take the version one step along its way. In force needs a date; when a
    version comes in force, the one in force before is replaced (it goes on
    binding the parties that have not adopted the new one)."""
    today = today or timezone.localdate()
    locked = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if to not in TRANSITIONS[locked.status]:
        raise ValidationError(
            _("A version that is “%(now)s” cannot be set to “%(to)s”.")
            % {"now": locked.get_status_display(), "to": Status(to).label}
        )
    if not locked.clauses.exists():
        raise ValidationError(_("The version has no clauses yet."))
    fields = ["status"]
    if to == Status.ADOPTED and decision is not None:
        if locked.case_id is None or decision.treatment.case_id != locked.case_id:
            raise ValidationError(_("The decision must be one made on the version's council case."))
        locked.adopted_by = decision
        fields.append("adopted_by")
    if to == Status.RATIFICATION:
        locked.sent_to_parties_on = today
        fields.append("sent_to_parties_on")
    if to in (Status.RATIFICATION, Status.IN_FORCE) and in_force_from is not None:
        locked.in_force_from = in_force_from
        fields.append("in_force_from")
    if to == Status.IN_FORCE and locked.in_force_from is None:
        raise ValidationError(_("Say from which date the version is in force."))
    if to == Status.EXPIRED:
        locked.in_force_to = in_force_from or today
        fields.append("in_force_to")
    previous_status = locked.status
    locked.status = to
    save_versioned(locked, expected_version, fields)
    if previous_status == Status.CONSULTATION:
        from agreements.consultations import close_for_version

        close_for_version(locked)
    if to == Status.RATIFICATION and locked.agreement.level.ratified:
        _ask_parties_to_ratify(locked)
    if to == Status.IN_FORCE:
        for older in (
            AgreementVersion.objects.select_for_update()
            .filter(agreement_id=locked.agreement_id, status=Status.IN_FORCE)
            .exclude(pk=locked.pk)
        ):
            older.status = Status.REPLACED
            save_versioned(older, older.version, ["status"])
    return locked


def _ask_parties_to_ratify(
    version: AgreementVersion, parties: list[int] | None = None, *, reminder: bool = False
) -> None:
    """Tell each bound party's coordinators and leaders (or those of
    ``parties``) that the version waits for their body (a link only; once
    the transaction commits)."""
    if parties is None:
        parties = [p.pk for p in parties_of(version.agreement)]
    people = people_who_may(Capability.RECORD_RATIFICATION, parties)
    slug = version.agreement.partnership.slug
    headline = (
        _("Reminder: %(agreement)s (%(version)s) waits for your party's decision")
        if reminder
        else _("%(agreement)s (%(version)s) is sent to the parties for ratification")
    )
    notify_many(
        Item(
            user=user,
            kind=Notification.Kind.AGREEMENT_TO_RATIFY,
            partnership=version.agreement.partnership,
            headline=headline % {"agreement": version.agreement, "version": version.label},
            path=reverse("agreements:ratification", args=[slug, version.pk, party]),
        )
        for party, users in people.items()
        for user in users
    )


@transaction.atomic
def remind_ratification(version: AgreementVersion) -> list[Organisation]:
    """Remind the bound parties that have no final outcome recorded for a
    version sent to them; returns those parties."""
    locked = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != Status.RATIFICATION:
        raise ValidationError(_("Only a version that is being ratified waits for the parties."))
    done = set(
        locked.ratifications.exclude(outcome=Ratification.Outcome.PENDING).values_list(
            "organisation_id", flat=True
        )
    )
    waiting = [p for p in parties_of(locked.agreement) if p.pk not in done]
    if waiting:
        _ask_parties_to_ratify(locked, [p.pk for p in waiting], reminder=True)
        locked.reminded_at = timezone.now()
        save_versioned(locked, locked.version, ["reminded_at"])
    return waiting


@transaction.atomic
def prepare_case(version: AgreementVersion, *, by: Any, meeting: Any = None) -> tuple[Any, bool]:
    """The owner council's case that adopts the version, with the paper
    prefilled from the version and its consultation; put on ``meeting``'s
    agenda for decision when one is given. A version has one such case: a
    second call (a double submit) returns it. Returns (case, created)."""
    from django.utils import translation

    from councils import services as council_services
    from councils.models import Treatment

    locked = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    agreement = locked.agreement
    if locked.case_id is not None:
        return locked.case, False
    if locked.status not in (Status.DRAFT, Status.CONSULTATION):
        raise ValidationError(_("The version has already been adopted."))
    owner = agreement.owner
    if owner is None:
        raise ValidationError(_("Give the agreement an owner council first."))
    if meeting is not None and meeting.council_id != agreement.owner_id:
        raise ValidationError(_("Choose a meeting of the owner council."))
    with translation.override(agreement.partnership.content_language):
        case, _created = council_services.create_case(
            council=owner,
            title=_("Adoption of %(agreement)s, version %(version)s")
            % {"agreement": agreement, "version": locked.label},
            by=by,
            background=_case_background(locked),
            proposed_decision=_(
                "%(council)s adopts %(agreement)s, version %(version)s, and sends "
                "it to the parties for their decision."
            )
            % {"council": owner.name, "agreement": agreement, "version": locked.label},
        )
    locked.case = case
    save_versioned(locked, locked.version, ["case"])
    if meeting is not None:
        council_services.add_to_agenda(meeting, case, Treatment.Kind.DECISION)
    return case, True


def _case_background(version: AgreementVersion) -> str:
    """The paper's background: what the version is, where to read it, and
    what the consultation gave (the partnership's language is active)."""
    from django.utils.html import escape

    from agreements.consultations import position_counts

    slug = version.agreement.partnership.slug
    link = reverse("agreements:version", args=[slug, version.pk])
    parts = [
        "<p>"
        + escape(
            _("The draft of %(agreement)s, version %(version)s, has %(count)s clauses.")
            % {
                "agreement": version.agreement,
                "version": version.label,
                "count": version.clauses.count(),
            }
        )
        + f' <a href="{escape(link)}">'
        + escape(_("Read the version and the comparison with the one before."))
        + "</a></p>"
    ]
    if version.summary:
        parts.append("<p>" + escape(version.summary) + "</p>")
    consultation = version.consultations.order_by("-opened_at").first()
    if consultation is not None:
        counts = position_counts(consultation)
        parts.append(
            "<p>"
            + escape(
                _(
                    "It was on consultation with %(addressed)s parties until %(deadline)s. "
                    "%(answered)s answered: %(supports)s support it, %(comments)s support it "
                    "with comments, %(objects)s do not support it and %(none)s had no comments."
                )
                % {
                    "addressed": counts["addressed"],
                    "deadline": consultation.deadline.strftime("%d.%m.%Y"),
                    "answered": counts["answered"],
                    "supports": counts["supports"],
                    "comments": counts["comments"],
                    "objects": counts["objects"],
                    "none": counts["no_comment"],
                }
            )
            + "</p>"
        )
    return "".join(parts)


@transaction.atomic
def record_termination(
    agreement: Agreement,
    organisation: Organisation,
    *,
    notice_given_on: datetime.date,
    ends_on: datetime.date,
    reason: str,
    by: Any,
) -> Termination:
    """A party's notice (oppsigelse): bound until ``ends_on``, the last day
    of its notice period."""
    if organisation not in parties_of(agreement):
        raise ValidationError(_("The agreement does not bind this party."))
    if ends_on < notice_given_on:
        raise ValidationError(_("The last binding day cannot come before the notice."))
    try:
        with transaction.atomic():
            termination = Termination.objects.create(
                agreement=agreement,
                organisation=organisation,
                notice_given_on=notice_given_on,
                ends_on=ends_on,
                reason=reason,
                recorded_by=by,
            )
    except IntegrityError:
        raise ValidationError(_("This party's notice is already recorded.")) from None
    _tell_of_termination(termination)
    return termination


def _tell_of_termination(termination: Termination) -> None:
    """The secretariat and the other bound parties' coordinators and leaders
    learn of a notice (a link to the agreement)."""
    agreement = termination.agreement
    others = [p.pk for p in parties_of(agreement) if p.pk != termination.organisation_id]
    users = {
        u.pk: u
        for group in people_who_may(Capability.RECORD_RATIFICATION, others).values()
        for u in group
    }
    for role in (
        PartnershipRole.objects.current()
        .filter(partnership=agreement.partnership, role=PartnershipRole.Role.SECRETARIAT)
        .select_related("user")
    ):
        users[role.user_id] = role.user
    headline = _("%(party)s has given notice on %(agreement)s, binding until %(day)s") % {
        "party": termination.organisation.name,
        "agreement": agreement,
        "day": termination.ends_on.strftime("%d.%m.%Y"),
    }
    path = reverse("agreements:agreement", args=[agreement.partnership.slug, agreement.pk])
    notify_many(
        Item(
            user=user,
            kind=Notification.Kind.AGREEMENT_TERMINATED,
            partnership=agreement.partnership,
            headline=headline,
            path=path,
        )
        for user in users.values()
    )


def record_sent_to_directorate(
    version: AgreementVersion, expected_version: int, day: datetime.date
) -> AgreementVersion:
    """§ 6-4: the day the link to the published version was sent to
    Helsedirektoratet."""
    if not version.is_public:
        raise ValidationError(_("Only a version the council has adopted is published."))
    version.sent_to_directorate_on = day
    save_versioned(version, expected_version, ["sent_to_directorate_on"])
    return version


def parties_of(agreement: Agreement) -> list[Organisation]:
    """The parties the agreement binds, today's parties of the partnership."""
    current = Participation.objects.current().filter(
        partnership_id=agreement.partnership_id, role=Participation.Role.PARTY
    )
    parties = Organisation.objects.filter(pk__in=current.values("organisation_id"))
    if not agreement.all_parties:
        parties = parties.filter(pk__in=agreement.parties.values("pk"))
    return list(parties.order_by("name"))


@transaction.atomic
def record_ratification(
    version: AgreementVersion,
    organisation: Organisation,
    expected_version: int | None,
    *,
    by: Any,
    **fields: Any,
) -> Ratification:
    """Create or change one party's ratification of ``version``.
    ``expected_version`` is None for a first record and the row's version
    for a change (a record someone else changed meanwhile is refused)."""
    locked = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status not in RATIFIABLE:
        raise ValidationError(_("The council has not adopted this version yet."))
    if not binds_party(locked.agreement, organisation):
        raise ValidationError(_("The agreement does not bind this party."))
    if (
        fields.get("outcome") == Ratification.Outcome.ADOPTED_WITH_CHANGES
        and not (fields.get("changes") or "").strip()
    ):
        raise ValidationError(_("Say what the party changed."))
    if fields.get("outcome") != Ratification.Outcome.ADOPTED_WITH_CHANGES:
        fields["changes"] = ""
    existing = Ratification.objects.filter(
        agreement_version=locked, organisation=organisation
    ).first()
    if existing is None:
        if expected_version is not None:
            raise ValidationError(_("The record was removed meanwhile."))
        try:
            with transaction.atomic():
                return Ratification.objects.create(
                    agreement_version=locked, organisation=organisation, recorded_by=by, **fields
                )
        except IntegrityError:
            # Recorded by someone else a moment ago: this is an edit conflict.
            existing = Ratification.objects.get(agreement_version=locked, organisation=organisation)
            raise EditConflict(existing.version) from None
    if expected_version is None:
        raise EditConflict(existing.version)
    for name, value in fields.items():
        setattr(existing, name, value)
    existing.recorded_by = by
    existing.recorded_at = timezone.now()
    save_versioned(existing, expected_version, [*fields, "recorded_by", "recorded_at"])
    return existing


def ratifications_to_record(
    access: PartnershipAccess,
) -> list[tuple[AgreementVersion, Organisation]]:
    """Versions sent to the parties that a party of the person has not
    recorded a final outcome for (two queries)."""
    own = access.parties_where(Capability.RECORD_RATIFICATION)
    if not own:
        return []
    versions = list(
        AgreementVersion.objects.filter(
            agreement__partnership=access.partnership, status=Status.RATIFICATION
        )
        .select_related("agreement")
        .prefetch_related("agreement__parties", "ratifications")
    )
    organisations = {o.pk: o for o in Organisation.objects.filter(pk__in=own)}
    result = []
    for version in versions:
        done = {
            r.organisation_id
            for r in version.ratifications.all()
            if r.outcome != Ratification.Outcome.PENDING
        }
        for pk, organisation in sorted(organisations.items(), key=lambda i: i[1].name):
            if pk not in done and binds_party(version.agreement, pk):
                result.append((version, organisation))
    return result
