"""The crisis API for a party's own system: situation reports in, figures out.

Mounted under ``/api/crisis``. Authenticated only with
``Authorization: Bearer <token>``: the same organisation tokens as the
deviations API (a party's token works for both; a session cookie does not
count). A token acts for its party in its partnership: a crisis of another
partnership is 404.

- ``GET /api/crisis``: the crises the party reports in, with the period to
  report on, its deadline, and every value the form asks for.
- ``POST /api/crisis/{id}/reports``: save or submit the party's report for a
  period through :func:`crisis.services.save_report`, the function the web
  form calls: the same validation, identity-number guard, locks and history.
  Idempotent with a required ``client_key``: 201 when saved, 200 with the
  same report unchanged for a repeat; 422 with the messages per value key,
  409 when the report changed since ``version``, 400 for the crisis's rules.
- ``GET /api/crisis/{id}/reports/{period}``: the party's own report.
- ``GET /api/crisis/{id}/dashboard``: the shared picture's figures, live from
  the submitted reports (a constant number of queries).
- ``GET /api/crisis/{id}/dhis2``: the party's own submitted values as a DHIS2
  ``dataValueSets`` document (the coordination group exports everyone's on
  the web).
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from core.schemas import ErrorOut, PartyOut, PlausibleDate, party_out
from core.services import EditConflict, error_text
from core.validators import validate_no_identity_number
from crisis import exports, levels, periods, services
from crisis import picture as period_picture
from crisis.models import Crisis, FormIndicator, Indicator, Report
from deviations.api import OrganisationTokenAuth
from deviations.models import OrganisationToken
from partnerships.models import Organisation, Participation

router = Router(tags=["crisis"], auth=OrganisationTokenAuth())

T = Indicator.ValueType
CHOICES = {
    T.LEVEL: list(levels.ANSWER_CODES.values()),
    T.BOOLEAN: ["ja", "nei"],
}


# --- Schemas -----------------------------------------------------------------------


class ValueKeyOut(Schema):
    key: str = Field(description="The key to send the value under: ``code`` or ``code:item``.")
    indicator: str
    item: str = Field(description="The item of a breakdown; empty for a single value.")
    name: str
    item_name: str
    section: str
    value_type: str = Field(
        description="integer, decimal, percent, level (god/utfordrende/kritisk or 1–3), "
        "boolean (true/false, ja/nei) or text."
    )
    unit: str
    required: bool = Field(description="Needed to submit; a draft may leave it out.")
    min_value: float | None
    max_value: float | None
    choices: list[str] = Field(description="The words accepted for a level or yes/no.")
    on_dashboard: bool


class CrisisOut(Schema):
    id: int
    name: str
    status: str = Field(description="active or stood_down.")
    form: str = Field(description="The report form's code.")
    form_name: str
    period_type: str = Field(description="weekly (periods start on Monday) or daily.")
    starts_on: datetime.date
    reporting_period: datetime.date = Field(description="The period to report on now.")
    deadline: datetime.datetime = Field(description="This party's deadline for that period.")
    locks_at: datetime.datetime
    report_status: str | None = Field(
        description="This party's report for that period: draft, submitted or null (none)."
    )
    report_version: int | None
    values: list[ValueKeyOut]


RawValue = bool | int | float | str | None


class ReportIn(Schema):
    """A party's report for one period, as on the report form."""

    period: PlausibleDate = Field(description="The first day of the period (a Monday if weekly).")
    client_key: uuid.UUID = Field(
        description="A UUID the calling system makes once per request and sends again on "
        "retries: a repeat returns the same report, unchanged."
    )
    values: dict[str, RawValue] = Field(
        description="Value per key (see the crisis's ``values``). Numbers as numbers or "
        "text; a level as god/utfordrende/kritisk or 1–3; yes/no as true/false."
    )
    comments: dict[str, str] = Field(
        default_factory=dict,
        description="Per key, why an unusual value is right (needed to submit one).",
    )
    submit: bool = Field(True, description="Submit the report; false saves a draft.")
    version: int | None = Field(
        None,
        ge=0,
        description="The report's version the system last read (0 for a new report); "
        "a report changed since is refused with 409. Left out: saved over what is there.",
    )


class ReportOut(Schema):
    crisis_id: int
    organisation: PartyOut
    period: datetime.date
    status: str = Field(description="draft or submitted.")
    version: int
    no_change: bool
    values: dict[str, str] = Field(description="The values as the form shows them.")
    comments: dict[str, str]
    computed_level: int | None
    declared_level: int | None
    level: int | None = Field(description="The level that counts: declared over computed.")
    rule_version: int | None
    submitted_at: datetime.datetime | None
    first_submitted_at: datetime.datetime | None
    deadline: datetime.datetime
    locks_at: datetime.datetime


class ValueErrorsOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(description="Messages per value key.")


class ConflictOut(Schema):
    detail: str
    version: int = Field(description="The report's current version.")


class DashboardPartyOut(Schema):
    id: int
    name: str
    kind: str
    organisation_number: str
    municipality_number: str
    region: str | None
    submitted: bool
    late: bool = Field(description="Not submitted and past its deadline.")
    submitted_at: datetime.datetime | None
    no_change: bool
    computed_level: int | None
    declared_level: int | None
    level: int | None
    values: dict[str, str] = Field(description="The key indicators' values, by value key.")


class PartnershipLevelOut(Schema):
    computed: int | None
    declared: int | None
    declared_reason: str
    level: int | None = Field(description="The level that counts: declared over computed.")


class DashboardOut(Schema):
    crisis_id: int
    name: str
    period: datetime.date
    expected: int
    submitted: int
    share: float = Field(description="Submitted of expected, 0–1.")
    partnership_level: PartnershipLevelOut
    parties: list[DashboardPartyOut]
    missing: list[PartyOut] = Field(description="Parties that have not submitted.")


class DataValueOut(Schema):
    # DHIS2's own field names.
    dataElement: str
    period: str
    orgUnit: str
    categoryOptionCombo: str | None = None
    value: str
    comment: str | None = None


class DataValueSetOut(Schema):
    dataValues: list[DataValueOut]


# --- Helpers ----------------------------------------------------------------------


def _token(request: HttpRequest) -> OrganisationToken:
    token = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, OrganisationToken)
    return token


def _crisis(token: OrganisationToken, crisis_id: int) -> Crisis:
    """A crisis of the token's partnership, with its form and partnership;
    404 for any other."""
    crisis = (
        Crisis.objects.filter(partnership_id=token.partnership_id, pk=crisis_id)
        .select_related("form", "partnership")
        .first()
    )
    if crisis is None:
        raise Http404
    return crisis


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _value_keys(lines: list[FormIndicator]) -> list[dict[str, Any]]:
    keys = []
    for line in lines:
        indicator = line.indicator
        for key, item in services.keys_of(line):
            keys.append(
                {
                    "key": key,
                    "indicator": indicator.code,
                    "item": item,
                    "name": indicator.name,
                    "item_name": exports.item_name(indicator, item) if item else "",
                    "section": line.section,
                    "value_type": indicator.value_type,
                    "unit": indicator.unit,
                    "required": line.required,
                    "min_value": _number(indicator.min_value),
                    "max_value": _number(indicator.max_value),
                    "choices": CHOICES.get(T(indicator.value_type), []),
                    "on_dashboard": line.key,
                }
            )
    return keys


def _report_out(crisis: Crisis, report: Report, organisation: Organisation) -> dict[str, Any]:
    """A report as the API shows it (one query for its values; none for a
    report just saved, which carries them)."""
    raw, comments = services.values_by_key(report)
    return {
        "crisis_id": crisis.pk,
        "organisation": party_out(organisation),
        "period": report.period_start,
        "status": report.status,
        "version": report.version,
        "no_change": report.no_change,
        "values": raw,
        "comments": comments,
        "computed_level": report.computed_level,
        "declared_level": report.declared_level,
        "level": report.level,
        "rule_version": report.rule_version,
        "submitted_at": report.submitted_at,
        "first_submitted_at": report.first_submitted_at,
        "deadline": periods.deadline(crisis.form, organisation, report.period_start),
        "locks_at": periods.lock_at(crisis.form, organisation, report.period_start),
    }


def _reports_in(
    crisis: Crisis, organisation: Organisation, regions: set[int | None], is_party: bool
) -> bool:
    """Whether the party reports in the crisis, as :func:`services.parties_of`
    decides it, from what is already loaded: a current party of the
    partnership; in a regional crisis a kommune of one of its regions."""
    if not is_party:
        return False
    crisis_regions = {r.pk for r in crisis.regions.all()}
    if not crisis_regions or organisation.kind != Organisation.Kind.KOMMUNE:
        return True
    return bool(crisis_regions & regions)


def _unsafe_keys(payload: ReportIn) -> dict[str, list[str]]:
    """Keys that themselves hold an identity number: refused without being
    repeated (the message replaces the key)."""
    errors: dict[str, list[str]] = {}
    for key in [*payload.values, *payload.comments]:
        try:
            validate_no_identity_number(key)
        except ValidationError as refused:
            errors["values"] = refused.messages
    return errors


# --- Endpoints --------------------------------------------------------------------


@router.get("", response=list[CrisisOut], summary="The crises the token's party reports in")
def list_crises(request: HttpRequest) -> list[dict[str, Any]]:
    """Active and stood-down crises of the partnership in which the party
    reports, newest first: the period to report on now, the party's deadline
    for it, the state of its report for it, and every value the form asks of
    this party (key, type, unit, whether required). Six queries with the
    token's, however many crises (a seventh once a day to record its use)."""
    token = _token(request)
    organisation = token.organisation
    participations = list(
        Participation.objects.current()
        .filter(
            partnership_id=token.partnership_id,
            organisation_id=organisation.pk,
            role=Participation.Role.PARTY,
        )
        .values_list("region_id", flat=True)
    )
    crises = [
        crisis
        for crisis in Crisis.objects.filter(partnership_id=token.partnership_id)
        .select_related("form")
        .prefetch_related("regions")
        .order_by("-opened_at", "-pk")
        if _reports_in(crisis, organisation, set(participations), bool(participations))
    ]
    lines_by_form: dict[int, list[FormIndicator]] = {}
    for line in (
        FormIndicator.objects.filter(
            form_id__in={c.form_id for c in crises}, indicator__active=True
        )
        .select_related("indicator")
        .order_by("position", "pk")
    ):
        if services.applies(line, organisation):
            lines_by_form.setdefault(line.form_id, []).append(line)
    now = timezone.now()
    current = {c.pk: periods.reporting_period(c, now) for c in crises}
    own: dict[int, Report] = {}
    if crises:
        wanted = Q()
        for crisis in crises:
            wanted |= Q(crisis_id=crisis.pk, period_start=current[crisis.pk])
        own = {
            r.crisis_id: r
            for r in Report.objects.filter(wanted, organisation_id=organisation.pk).only(
                "crisis_id", "status", "version"
            )
        }
    result = []
    for crisis in crises:
        start = current[crisis.pk]
        report = own.get(crisis.pk)
        result.append(
            {
                "id": crisis.pk,
                "name": crisis.name,
                "status": crisis.status,
                "form": crisis.form.code,
                "form_name": crisis.form.name,
                "period_type": crisis.form.period_type,
                "starts_on": periods.align(crisis.form, crisis.starts_on),
                "reporting_period": start,
                "deadline": periods.deadline(crisis.form, organisation, start),
                "locks_at": periods.lock_at(crisis.form, organisation, start),
                "report_status": report.status if report else None,
                "report_version": report.version if report else None,
                "values": _value_keys(lines_by_form.get(crisis.form_id, [])),
            }
        )
    return result


@router.post(
    "/{crisis_id}/reports",
    response={
        200: ReportOut,
        201: ReportOut,
        400: ErrorOut,
        409: ConflictOut,
        422: ValueErrorsOut,
    },
    summary="Save or submit the token's party's report for a period",
)
def save_report(request: HttpRequest, crisis_id: int, payload: ReportIn) -> Status[dict[str, Any]]:
    """Validated exactly as the report form: wrong values, values outside
    their limits, broken cross-field rules and identity numbers in texts or
    comments are refused with 422 and the messages per value key (nothing
    is stored; a message never repeats the number). Submitting also needs
    every required value and a comment on every unusual value. 201 when
    saved; 200 with the report unchanged when the ``client_key`` was used
    before; 409 when ``version`` is given and the report has changed since;
    400 for the crisis's rules (no such period, locked period, stood down,
    a party that does not report in this crisis, a submitted report saved
    as a draft, a client key that saved another report of the party or of
    the period)."""
    token = _token(request)
    organisation = token.organisation
    # The crisis (404 for another partnership's) with everything the save
    # depends on, in one query; the service reads nothing of it again.
    context = services.save_context(
        Crisis.objects.filter(partnership_id=token.partnership_id, pk=crisis_id),
        organisation,
        payload.period,
        payload.client_key,
    )
    if context is None:
        raise Http404
    crisis = context.crisis
    if context.key_elsewhere and not services.is_repeat(context):
        return Status(400, {"detail": _("This client key was used for another report.")})
    unsafe = _unsafe_keys(payload)
    if unsafe:
        return Status(422, {"detail": " ".join(unsafe["values"]), "errors": unsafe})
    comments = {key: text for key, text in payload.comments.items() if text.strip()}
    try:
        report = services.save_report(
            crisis,
            organisation,
            payload.period,
            payload.values,
            comments,
            by=None,
            submit=payload.submit,
            expected_version=payload.version,
            client_key=payload.client_key,
            context=context,
        )
    except EditConflict as conflict:
        return Status(409, {"detail": str(conflict), "version": conflict.current_version})
    except ValidationError as refused:
        if hasattr(refused, "error_dict"):
            errors = refused.message_dict
            return Status(422, {"detail": error_text(refused), "errors": errors})
        return Status(400, {"detail": error_text(refused)})
    # A repeat (the client key saved this report before, or a request with it
    # was saving at the same moment) is 200 with the report as saved then.
    return Status(200 if report.repeated else 201, _report_out(crisis, report, organisation))


@router.get(
    "/{crisis_id}/reports/{period}",
    response=ReportOut,
    summary="The token's party's report for a period",
)
def get_report(request: HttpRequest, crisis_id: int, period: PlausibleDate) -> dict[str, Any]:
    """The party's own report (draft or submitted) for the period starting
    on ``period``; 404 when there is none."""
    token = _token(request)
    crisis = _crisis(token, crisis_id)
    report = Report.objects.filter(
        crisis=crisis, organisation_id=token.organisation_id, period_start=period
    ).first()
    if report is None:
        raise Http404
    return _report_out(crisis, report, token.organisation)


def picture(crisis: Crisis, start: datetime.date) -> dict[str, Any]:
    """The shared picture's figures for a period: the period's picture
    (:func:`crisis.picture.build` with values, the same the dashboard, the
    agenda and the PDF show) as data. A constant number of queries, however
    many parties."""
    shown = period_picture.build(crisis, start, values=True)
    key_lines = shown.key_lines
    rows = []
    for party in sorted(shown.parties, key=lambda p: p.organisation.name):
        report = party.report
        values: dict[str, str] = {}
        if report is not None:
            for line in key_lines:
                indicator = line.indicator
                text = party.texts.get(indicator.code, "")
                for key, item in services.keys_of(line):
                    if (indicator.code, item) in party.numbers or text:
                        values[key] = services.display(
                            indicator, party.numbers.get((indicator.code, item)), text
                        )
        rows.append(
            {
                **party_out(party.organisation),
                "kind": party.organisation.kind,
                "region": party.region_name or None,
                "submitted": report is not None,
                "late": party.late,
                "submitted_at": report.submitted_at if report else None,
                "no_change": report.no_change if report else False,
                "computed_level": party.computed_level,
                "declared_level": party.declared_level,
                "level": party.level,
                "values": values,
            }
        )
    declared = shown.declared
    return {
        "crisis_id": crisis.pk,
        "name": crisis.name,
        "period": start,
        "expected": shown.expected,
        "submitted": shown.submitted,
        "share": (shown.submitted / shown.expected) if shown.expected else 0.0,
        "partnership_level": {
            "computed": shown.computed_level,
            "declared": declared.level if declared else None,
            "declared_reason": declared.reason if declared else "",
            "level": shown.level,
        },
        "parties": rows,
        "missing": [party_out(p.organisation) for p in shown.not_reported],
    }


@router.get(
    "/{crisis_id}/dashboard",
    response={200: DashboardOut, 400: ErrorOut},
    summary="The figures of the shared picture for a period",
)
def dashboard(
    request: HttpRequest, crisis_id: int, period: PlausibleDate | None = None
) -> Status[dict[str, Any]]:
    """Per party its levels (computed, declared, the one that counts),
    whether it has submitted or is late, and its key indicators' values;
    the parties missing; the partnership's level. Live from the submitted
    reports. ``period`` is any day of the period (default: the period to
    report on now); 400 for a day outside the crisis. A constant number of
    queries, however many parties."""
    token = _token(request)
    crisis = _crisis(token, crisis_id)
    start = (
        periods.reporting_period(crisis) if period is None else periods.align(crisis.form, period)
    )
    if not periods.is_period(crisis, start):
        return Status(400, {"detail": _("There is no such reporting period in this crisis.")})
    return Status(200, picture(crisis, start))


class Dhis2Filter(Schema):
    start: datetime.date | None = Field(None, alias="from")
    end: datetime.date | None = Field(None, alias="to")


@router.get(
    "/{crisis_id}/dhis2",
    response=DataValueSetOut,
    exclude_none=True,
    summary="The token's party's submitted values as DHIS2 dataValueSets",
)
def dhis2(request: HttpRequest, crisis_id: int, filters: Query[Dhis2Filter]) -> dict[str, Any]:
    """The party's own submitted values, one DHIS2 data value each, for the
    periods starting from ``from`` to ``to`` (dates, both optional):
    ``dataElement`` the indicator's code, ``period`` 2020W12 or 20200316,
    ``orgUnit`` the kommunenummer (else the organisation number),
    ``categoryOptionCombo`` the item of a breakdown. Two queries."""
    token = _token(request)
    crisis = _crisis(token, crisis_id)
    values = exports.export_values(
        crisis, start=filters.start, end=filters.end, organisation_id=token.organisation_id
    )
    return {"dataValues": list(exports.data_values(crisis, values))}
