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
from partnerships.models import Organisation, Participation

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
    locked.status = to
    save_versioned(locked, expected_version, fields)
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


def _ask_parties_to_ratify(version: AgreementVersion) -> None:
    """Tell each bound party's coordinators and leaders that the version waits
    for their body (a link only; once the transaction commits)."""
    parties = [p.pk for p in parties_of(version.agreement)]
    people = people_who_may(Capability.RECORD_RATIFICATION, parties)
    slug = version.agreement.partnership.slug
    notify_many(
        Item(
            user=user,
            kind=Notification.Kind.AGREEMENT_TO_RATIFY,
            partnership=version.agreement.partnership,
            headline=_("%(agreement)s (%(version)s) is sent to the parties for ratification")
            % {"agreement": version.agreement, "version": version.label},
            path=reverse("agreements:ratification", args=[slug, version.pk, party]),
        )
        for party, users in people.items()
        for user in users
    )


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
            return Termination.objects.create(
                agreement=agreement,
                organisation=organisation,
                notice_given_on=notice_given_on,
                ends_on=ends_on,
                reason=reason,
                recorded_by=by,
            )
    except IntegrityError:
        raise ValidationError(_("This party's notice is already recorded.")) from None


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
