"""Resource requests between the parties of a crisis: a party asks the
others for help (personnel, equipment, ...), another party offers, the
requester (or the secretariat) agrees, and the help is delivered.

The workflow is the table :data:`TRANSITIONS`: from each status, the statuses
that may follow and which *side* may take each step (:func:`sides_of` says
which sides a person is on).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import EditConflict, save_versioned
from crisis import services
from crisis.models import Crisis, ResourceRequest
from partnerships.access import people_who_may
from partnerships.capabilities import Capability
from partnerships.models import Organisation, Participation

R = ResourceRequest.Status

# Neither delivered nor withdrawn: the request list's default filter and the
# agenda's open resource requests.
OPEN_REQUEST_STATUSES = (
    ResourceRequest.Status.REQUESTED,
    ResourceRequest.Status.OFFERED,
    ResourceRequest.Status.AGREED,
)

# The sides a person can be on for a request.
REQUESTER = "requester"  # coordinator or leader of the requesting party
OFFERER = "offerer"  # coordinator or leader of the party that offered
OTHER_PARTY = "other_party"  # coordinator or leader of any other party
SECRETARIAT = "secretariat"  # MANAGE_CRISIS

# The workflow, in one place: from each status, the statuses that may follow
# and the sides that may take each step.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    R.REQUESTED: {
        R.OFFERED: frozenset({OTHER_PARTY}),
        R.WITHDRAWN: frozenset({REQUESTER}),
    },
    R.OFFERED: {
        R.AGREED: frozenset({REQUESTER, SECRETARIAT}),
        R.WITHDRAWN: frozenset({REQUESTER}),
    },
    R.AGREED: {
        R.DELIVERED: frozenset({REQUESTER, OFFERER, SECRETARIAT}),
    },
    R.DELIVERED: {},
    R.WITHDRAWN: {},
}


def _side_labels() -> dict[str, str]:
    return {
        REQUESTER: _("the requesting party"),
        OFFERER: _("the offering party"),
        OTHER_PARTY: _("another party"),
        SECRETARIAT: _("the secretariat"),
    }


def sides_of(request: ResourceRequest, own: Iterable[int], *, manages: bool) -> frozenset[str]:
    """The sides a person is on: ``own`` are the parties they report for
    (coordinator or leader), ``manages`` whether they may manage the crisis."""
    own = set(own)
    sides = set()
    if request.requesting_organisation_id in own:
        sides.add(REQUESTER)
    if request.offering_organisation_id is not None and request.offering_organisation_id in own:
        sides.add(OFFERER)
    if own - {request.requesting_organisation_id}:
        sides.add(OTHER_PARTY)
    if manages:
        sides.add(SECRETARIAT)
    return frozenset(sides)


def allowed_steps(request: ResourceRequest, sides: frozenset[str]) -> list[str]:
    """The statuses this person may move the request to, in the choices' order."""
    steps = TRANSITIONS.get(request.status, {})
    return [s for s in R.values if s in steps and steps[s] & sides]


def check_step(request: ResourceRequest, new_status: str, sides: frozenset[str]) -> None:
    """Raise a ValidationError saying why, unless the table allows the step
    for one of ``sides``."""
    current = R(request.status).label
    new = R(new_status).label if new_status in R.values else new_status
    steps = TRANSITIONS.get(request.status, {})
    if new_status not in steps:
        raise ValidationError(
            _("A request that is “%(current)s” cannot become “%(new)s”.")
            % {"current": current, "new": new},
            code="transition",
        )
    if not steps[new_status] & sides:
        labels = _side_labels()
        raise ValidationError(
            _("Only %(who)s may change a request that is “%(current)s” to “%(new)s”.")
            % {
                "who": _(" or ").join(str(labels[s]) for s in sorted(steps[new_status])),
                "current": current,
                "new": new,
            },
            code="wrong_side",
        )


def crisis_party_ids(crisis: Crisis) -> set[int]:
    return {o.pk for o in services.parties_of(crisis)}


def request_resources(
    crisis: Crisis,
    *,
    organisation: Organisation,
    kind: str,
    description: str,
    by: Any,
    quantity: str = "",
    needed_by: datetime.date | None = None,
    client_key: uuid.UUID | None = None,
) -> ResourceRequest:
    """A party asks the others for resources. The caller checks that the
    person may ask for this party; a repeated ``client_key`` returns the
    request the first call made."""
    if client_key is not None:
        done = ResourceRequest.objects.filter(crisis=crisis, client_key=client_key).first()
        if done is not None:
            return done
    if crisis.status != Crisis.Status.ACTIVE:
        raise ValidationError(_("The crisis has been stood down; no new requests can be made."))
    if organisation.pk not in crisis_party_ids(crisis):
        raise ValidationError({"organisation": _("This party does not take part in this crisis.")})
    if kind not in ResourceRequest.Kind.values:
        raise ValidationError({"kind": _("Choose what kind of help is needed.")})
    description = description.strip()
    if not description:
        raise ValidationError({"description": _("Write what is needed.")})
    request = ResourceRequest(
        crisis=crisis,
        requesting_organisation=organisation,
        kind=kind,
        description=description,
        quantity=quantity.strip(),
        needed_by=needed_by,
        created_by=by if getattr(by, "pk", None) else None,
        client_key=client_key,
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        done = ResourceRequest.objects.filter(crisis=crisis, client_key=client_key).first()
        if client_key is None or done is None:
            raise
        return done
    return request


def change_request(
    request: ResourceRequest,
    new_status: str,
    *,
    own: Iterable[int],
    manages: bool,
    by: Any,
    expected_version: int,
    offering_organisation: Organisation | None = None,
    offer: str = "",
) -> ResourceRequest:
    """Move a request one step through :data:`TRANSITIONS` for a person who
    reports for the parties ``own`` (and manages the crisis if ``manages``).

    Offering names the offering party (one of ``own``, not the requester)
    and what it offers. A request changed by someone else since
    ``expected_version`` raises ``EditConflict`` (two offers at once: the
    second is refused); a step the table does not allow, or not for this
    person's side, raises ``ValidationError`` saying why. Notifies the
    requesting party of an offer, and the offering party of an agreement.
    """
    own = frozenset(own)
    if request.version != expected_version:
        raise EditConflict(request.version)
    check_step(request, new_status, sides_of(request, own, manages=manages))
    fields = ["status", "changed"]
    if new_status == R.OFFERED:
        offer = offer.strip()
        errors = {}
        if offering_organisation is None or offering_organisation.pk not in own:
            errors["offering_organisation"] = _("Choose the party you offer on behalf of.")
        elif offering_organisation.pk == request.requesting_organisation_id:
            errors["offering_organisation"] = _("A party cannot offer help to itself.")
        elif (
            not Participation.objects.current()
            .filter(
                partnership_id=request.crisis.partnership_id,
                organisation=offering_organisation,
                role=Participation.Role.PARTY,
            )
            .exists()
        ):
            errors["offering_organisation"] = _("Only parties of the partnership can offer help.")
        if not offer:
            errors["offer"] = _("Write what you offer.")
        if errors:
            raise ValidationError(errors)
        request.offering_organisation = offering_organisation
        request.offer = offer
        fields += ["offering_organisation", "offer"]
    request.status = new_status
    request.changed = timezone.now()
    with transaction.atomic():
        saved: ResourceRequest = save_versioned(request, expected_version, fields)  # type: ignore[assignment]
        if new_status == R.OFFERED:
            _notify(
                saved,
                saved.requesting_organisation_id,
                _("%(crisis)s: %(party)s offers help with the request from %(requester)s")
                % {
                    "crisis": saved.crisis.name,
                    "party": saved.offering_organisation,
                    "requester": saved.requesting_organisation,
                },
            )
        elif new_status == R.AGREED and saved.offering_organisation_id is not None:
            _notify(
                saved,
                saved.offering_organisation_id,
                _("%(crisis)s: the offer to %(requester)s was agreed")
                % {"crisis": saved.crisis.name, "requester": saved.requesting_organisation},
            )
    return saved


def _notify(request: ResourceRequest, organisation_id: int, headline: str) -> None:
    """Tell a party's coordinators and leaders (one query for them)."""
    from notifications.models import Notification
    from notifications.services import notify

    people = people_who_may(Capability.REPORT_CRISIS, [organisation_id])[organisation_id]
    crisis = request.crisis
    notify(
        Notification.Kind.CRISIS_REQUEST,
        people,
        partnership=crisis.partnership,
        headline=headline,
        path=reverse("crisis:request", args=[crisis.partnership.slug, crisis.pk, request.pk]),
    )
