"""The deviations API for a party's own deviation system (Synergi …).

Mounted under ``/api/deviations``. Every endpoint is authenticated only with
``Authorization: Bearer <token>``, a token issued to the party on the
"API tokens" page; a session cookie does not count. A token acts for exactly
its party in its partnership: it reports deviations from that party and reads
the deviations that party reported or received, nothing else (404).

A report is validated as the form validates it: the same services, the same
identity-number guard on every free-text field (its message never repeats the
number), and it is idempotent with a required ``client_key``: a retried call
returns the first report (200) instead of making a second (201).
"""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer
from pydantic import ConfigDict, StringConstraints, model_validator

from core.schemas import ErrorOut, GuardedStr, PartyOut, PlausibleDateTime, party_out
from core.services import error_text
from deviations import services
from deviations.models import Deviation, DeviationCategory, Guideline, OrganisationToken
from deviations.tokens import verify_token
from partnerships.models import Organisation

NUMBER = re.compile(r"^AV-(\d{2})[/-](\d{1,6})$", re.IGNORECASE)
MAX_LIMIT = 500
StatusFilter = Literal["", "open", "submitted", "received", "in_progress", "answered", "closed"]


class OrganisationTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: the token's row (with partnership
    and party) becomes ``request.auth``; a wrong or revoked token is 401."""

    def authenticate(self, request: HttpRequest, token: str) -> OrganisationToken | None:
        return verify_token(token)


router = Router(tags=["deviations"], auth=OrganisationTokenAuth())


# --- Schemas -----------------------------------------------------------------------


# Free text: stripped like a form field strips it, and guarded.
Text = Annotated[GuardedStr, StringConstraints(strip_whitespace=True)]
# (min_length in a second step: in the same one it is checked before stripping.)
RequiredText = Annotated[Text, StringConstraints(min_length=1)]
Text100 = Annotated[GuardedStr, StringConstraints(strip_whitespace=True, max_length=100)]
Text200 = Annotated[GuardedStr, StringConstraints(strip_whitespace=True, max_length=200)]


class DeviationIn(Schema):
    """A deviation reported from the token's party, as on the report form."""

    # The receiving party by number or by id, exactly one of them: said in the
    # schema too, where a client reads it.
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["receiving_organisation_number"],
                    "properties": {
                        "receiving_organisation_number": {"type": "string"},
                        "receiving_organisation_id": {"type": "null"},
                    },
                },
                {
                    "required": ["receiving_organisation_id"],
                    "properties": {
                        "receiving_organisation_id": {"type": "integer"},
                        "receiving_organisation_number": {"type": "null"},
                    },
                },
            ]
        }
    )

    client_key: uuid.UUID = Field(
        description="A UUID the calling system makes once per report and sends again on "
        "retries: the same key never makes a second report."
    )
    receiving_organisation_number: str | None = Field(
        None, description="The receiving party's organisation number (nine digits)."
    )
    receiving_organisation_id: int | None = Field(
        None, description="Or the receiving party's id in Samspill."
    )
    receiving_unit: Text200 = ""
    occurred_at: PlausibleDateTime = Field(
        description="When it happened; without a time zone it is read as Norwegian time."
    )
    category: str = Field(description="The category's code, for example “C”.", max_length=5)
    guideline: int | None = Field(None, description="The number of the guideline breached.")
    section_point: int | None = Field(
        None, ge=1, le=13, description="The point of helse- og omsorgstjenesteloven § 6-2."
    )
    description: RequiredText = Field(
        description="What happened, with nothing that identifies the patient.",
        # Something besides white space, which is stripped.
        json_schema_extra={"pattern": r"\S"},
    )
    immediate_measures: Text = ""
    suggested_improvement: Text = ""
    consequence: Literal["none", "minor", "moderate", "serious"]
    external_reference: Text100 = Field(
        "", description="The number of the report in the party's own system."
    )

    @model_validator(mode="after")
    def _one_receiver(self) -> DeviationIn:
        given = [
            self.receiving_organisation_number is not None,
            self.receiving_organisation_id is not None,
        ]
        if sum(given) != 1:
            raise ValueError(
                "Give the receiving party by receiving_organisation_number "
                "or by receiving_organisation_id (one of them)."
            )
        return self


class DeviationOut(Schema):
    number: str
    status: str
    reporting_organisation: PartyOut
    receiving_organisation: PartyOut
    receiving_unit: str
    occurred_at: datetime.datetime
    category: str
    guideline: int | None
    section_point: int | None
    consequence: str
    description: str
    external_reference: str = Field(description="Only for the reporting party; else empty.")
    submitted_at: datetime.datetime | None
    received_at: datetime.datetime | None
    response_deadline: datetime.date | None
    overdue: bool
    answered_at: datetime.datetime | None
    cause: str
    measures: str
    closed_at: datetime.datetime | None


# --- Helpers ----------------------------------------------------------------------


def _token(request: HttpRequest) -> OrganisationToken:
    token = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, OrganisationToken)
    return token


def _visible(token: OrganisationToken) -> QuerySet[Deviation]:
    """Submitted deviations the token's party reported or received, in the
    token's partnership, with parties, category and guideline joined."""
    party = token.organisation_id
    return (
        Deviation.objects.filter(partnership_id=token.partnership_id)
        .filter(Q(reporting_organisation_id=party) | Q(receiving_organisation_id=party))
        .exclude(status=Deviation.Status.DRAFT)
        .select_related("reporting_organisation", "receiving_organisation", "category", "guideline")
    )


def _out(deviation: Deviation, token: OrganisationToken, today: datetime.date) -> dict[str, Any]:
    reporter = deviation.reporting_organisation_id == token.organisation_id
    return {
        "number": deviation.number,
        "status": deviation.status,
        "reporting_organisation": party_out(deviation.reporting_organisation),
        "receiving_organisation": party_out(deviation.receiving_organisation),
        "receiving_unit": deviation.receiving_unit,
        "occurred_at": deviation.occurred_at,
        "category": deviation.category.code,
        "guideline": deviation.guideline.number if deviation.guideline else None,
        "section_point": deviation.section_point,
        "consequence": deviation.consequence,
        "description": deviation.description,
        "external_reference": deviation.external_reference if reporter else "",
        "submitted_at": deviation.submitted_at,
        "received_at": deviation.received_at,
        "response_deadline": deviation.response_deadline,
        "overdue": deviation.is_overdue(today),
        "answered_at": deviation.answered_at,
        "cause": deviation.answer_cause,
        "measures": deviation.answer_measures,
        "closed_at": deviation.closed_at,
    }


def _aware(moment: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(moment):
        return timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _error(error: ValidationError) -> dict[str, Any]:
    fields = error.message_dict if hasattr(error, "error_dict") else {}
    return {"detail": error_text(error), "fields": fields}


def _report_data(
    token: OrganisationToken, payload: DeviationIn
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The form's cleaned data from the payload: parties, category and
    guideline looked up in the token's partnership."""
    partnership_id = token.partnership_id
    errors: dict[str, list[str]] = {}
    receivers = Organisation.objects.all()
    if payload.receiving_organisation_number is not None:
        receivers = receivers.filter(organisation_number=payload.receiving_organisation_number)
    else:
        receivers = receivers.filter(pk=payload.receiving_organisation_id or 0)
    receiving = receivers.first()
    category = DeviationCategory.objects.filter(
        partnership_id=partnership_id, code=payload.category, active=True
    ).first()
    guideline = None
    if payload.guideline is not None:
        guideline = Guideline.objects.filter(
            partnership_id=partnership_id, number=payload.guideline, active=True
        ).first()
        if guideline is None:
            errors["guideline"] = [_("Choose one of this partnership's guidelines.")]
    data = {
        "reporting_organisation": token.organisation,
        "receiving_organisation": receiving,
        "receiving_unit": payload.receiving_unit,
        "occurred_at": _aware(payload.occurred_at),
        "category": category,
        "guideline": guideline,
        "section_point": payload.section_point,
        "description": payload.description,
        "immediate_measures": payload.immediate_measures,
        "suggested_improvement": payload.suggested_improvement,
        "consequence": payload.consequence,
        "external_reference": payload.external_reference,
    }
    return data, errors


# --- Endpoints --------------------------------------------------------------------


@router.post(
    "",
    response={200: DeviationOut, 201: DeviationOut, 400: ErrorOut},
    summary="Report a deviation from the token's party",
)
def report_deviation(request: HttpRequest, payload: DeviationIn) -> Status[dict[str, Any]]:
    """Report a deviation to another party of the partnership; it is submitted
    at once and gets its number and answer deadline (201). Sending the same
    ``client_key`` again returns the report made the first time (200). Texts
    holding a personal identity number are refused (422); rules of the
    partnership not met (a receiver that is not a party, an unknown category
    or guideline, a time in the future) are refused with 400."""
    token = _token(request)
    partnership = token.partnership
    today = timezone.localdate()
    existing = services.find_by_client_key(partnership, payload.client_key)
    if existing is not None:
        if existing.reporting_organisation_id != token.organisation_id:
            return Status(
                400,
                {"detail": _("This client key was used for another report."), "fields": {}},
            )
        found = _visible(token).filter(pk=existing.pk).first()
        if found is not None:
            return Status(200, _out(found, token, today))
    services.ensure_categories(partnership)
    data, errors = _report_data(token, payload)
    if errors:
        detail = " ".join(m for ms in errors.values() for m in ms)
        return Status(400, {"detail": detail, "fields": errors})
    try:
        deviation = services.report(
            partnership,
            data,
            by=None,
            own=frozenset({token.organisation_id}),
            client_key=payload.client_key,
        )
    except ValidationError as error:
        return Status(400, _error(error))
    if deviation.repeated and deviation.reporting_organisation_id != token.organisation_id:
        # The key won a race for another party's report: not this party's to see.
        return Status(
            400, {"detail": _("This client key was used for another report."), "fields": {}}
        )
    # A repeat that raced the first request (both found no report by its key
    # before one of them made it) is a repeat too: 200, never a second 201.
    status = 200 if deviation.repeated else 201
    return Status(status, _out(_visible(token).get(pk=deviation.pk), token, today))


@router.get(
    "",
    response=list[DeviationOut],
    summary="Deviations the token's party reported or received",
)
def list_deviations(
    request: HttpRequest,
    status: StatusFilter = "",
    since: PlausibleDateTime | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Newest first. ``status`` is one of submitted, received, in_progress,
    answered, closed, or ``open`` (not answered yet); ``since`` keeps those
    submitted, received, answered or closed at or after that time, for a
    system that polls for changes. At most ``limit`` rows (1 to 500). Two
    queries, however many rows (a third once a day to record the use)."""
    token = _token(request)
    rows = _visible(token)
    if status == "open":
        rows = rows.filter(status__in=Deviation.OPEN_STATUSES)
    elif status:
        rows = rows.filter(status=status)
    if since is not None:
        moment = _aware(since)
        rows = rows.filter(
            Q(submitted_at__gte=moment)
            | Q(received_at__gte=moment)
            | Q(answered_at__gte=moment)
            | Q(closed_at__gte=moment)
        )
    today = timezone.localdate()
    return [
        _out(d, token, today)
        for d in rows.order_by("-submitted_at", "-pk")[: max(1, min(limit, MAX_LIMIT))]
    ]


@router.get(
    "/{path:number}",
    response=DeviationOut,
    summary="One deviation by its number",
)
def get_deviation(request: HttpRequest, number: str) -> dict[str, Any]:
    """A deviation by its number (``AV-26/0042``, or ``AV-26-0042`` where a
    slash is awkward). 404 unless the token's party reported or received it."""
    token = _token(request)
    match = NUMBER.match(number.strip())
    if match is None:
        raise Http404
    year = 2000 + int(match.group(1))
    deviation = _visible(token).filter(year=year, sequence=int(match.group(2))).first()
    if deviation is None:
        raise Http404
    return _out(deviation, token, timezone.localdate())
