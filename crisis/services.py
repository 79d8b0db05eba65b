"""Crisis rules: who reports, what a valid report is, submitting (once,
without lost updates), locks and logged unlocks, computed and declared
levels, completeness.

Values come in as a mapping from a *key* to the raw text or number: the
indicator's code, or ``code:item`` for an item of a breakdown
(``smittevernutstyr:munnbind``). Comments for soft warnings use the same keys.
The web form and the API both call :func:`save_report`, so they validate
alike.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import EditConflict, save_versioned
from core.validators import validate_no_identity_number
from crisis import periods
from crisis.models import (
    Crisis,
    CrossRule,
    FormIndicator,
    Indicator,
    LevelRule,
    PartnershipLevel,
    Report,
    ReportForm,
    ReportRevision,
    ReportUnlock,
    Value,
)
from partnerships.models import Organisation, Participation, Partnership

T = Indicator.ValueType
LEVEL_WORDS = {"god": 1, "utfordrende": 2, "kritisk": 3, "good": 1, "challenging": 2, "critical": 3}
YES = {"ja", "yes", "true", "1", "j", "y"}
NO = {"nei", "no", "false", "0", "n"}
THRESHOLD_FIELDS = ("level2_at", "level3_at", "level4_at")
UNLOCK_HOURS = 48


def key_of(code: str, item: str = "") -> str:
    return f"{code}:{item}" if item else code


# --- Who reports what ----------------------------------------------------------------


def _reporting_participations(crisis: Crisis) -> Any:
    participations = Participation.objects.current().filter(
        partnership_id=crisis.partnership_id, role=Participation.Role.PARTY
    )
    region_ids = [r.pk for r in crisis.regions.all()]
    if region_ids:
        participations = participations.filter(
            Q(region_id__in=region_ids) | ~Q(organisation__kind=Organisation.Kind.KOMMUNE)
        )
    return participations


def reports_in(crisis: Crisis, organisation: Organisation) -> bool:
    """Whether the party reports in this crisis (without loading them all)."""
    return _reporting_participations(crisis).filter(organisation=organisation).exists()


def parties_of(crisis: Crisis) -> list[Organisation]:
    """The parties that report in this crisis: every current party of the
    partnership, or those of its regions (hospitals always), by name."""
    participations = _reporting_participations(crisis)
    return list(
        Organisation.objects.filter(participations__in=participations).distinct().order_by("name")
    )


def applies(line: FormIndicator, organisation: Organisation) -> bool:
    if line.applies_to == FormIndicator.For.ALL:
        return True
    is_kommune = organisation.kind == Organisation.Kind.KOMMUNE
    return is_kommune == (line.applies_to == FormIndicator.For.KOMMUNE)


def form_lines(form: ReportForm) -> list[FormIndicator]:
    """The form's lines in order, with their indicators (one query)."""
    return list(
        form.lines.filter(indicator__active=True)
        .select_related("indicator__relative_to")
        .order_by("position", "pk")
    )


def lines_for(form: ReportForm, organisation: Organisation) -> list[FormIndicator]:
    return [line for line in form_lines(form) if applies(line, organisation)]


def keys_of(line: FormIndicator) -> list[tuple[str, str]]:
    """(key, item) for each value of a line: one, or one per item."""
    code = line.indicator.code
    if line.indicator.items:
        return [(key_of(code, i["code"]), i["code"]) for i in line.indicator.items]
    return [(code, "")]


# --- Validation ----------------------------------------------------------------------


@dataclass
class Checked:
    """Parsed values ready to store, and what is wrong with them."""

    values: dict[tuple[int, str], tuple[Decimal | None, str, str]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)

    def error(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)


def parse(indicator: Indicator, raw: Any) -> tuple[Decimal | None, str]:
    """(number, text) for a raw value; ValueError with a message if it is
    not a value of the indicator's type."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None, ""
    if indicator.value_type == T.TEXT:
        return None, str(raw).strip()
    if indicator.value_type == T.LEVEL:
        word = str(raw).strip().lower()
        if word in LEVEL_WORDS:
            return Decimal(LEVEL_WORDS[word]), ""
        if word in {"1", "2", "3"}:
            return Decimal(word), ""
        raise ValueError(_("Choose good, challenging or critical."))
    if indicator.value_type == T.BOOLEAN:
        if isinstance(raw, bool):
            return Decimal(int(raw)), ""
        word = str(raw).strip().lower()
        if word in YES:
            return Decimal(1), ""
        if word in NO:
            return Decimal(0), ""
        raise ValueError(_("Answer yes or no."))
    text = str(raw).strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("Write a number.")) from None
    if not number.is_finite():
        raise ValueError(_("Write a number."))
    if indicator.value_type == T.INTEGER and number != number.to_integral_value():
        raise ValueError(_("Write a whole number."))
    if abs(number) >= Decimal("1e11") or number.as_tuple().exponent < -3:  # type: ignore[operator]
        raise ValueError(_("Write a number with at most three decimals."))
    return number, ""


def _fmt(number: Decimal) -> str:
    return f"{number.normalize():f}"


def _compare(left: Decimal, operator: str, right: Decimal) -> bool:
    return {
        CrossRule.Operator.LE: left <= right,
        CrossRule.Operator.LT: left < right,
        CrossRule.Operator.GE: left >= right,
        CrossRule.Operator.GT: left > right,
        CrossRule.Operator.EQ: left == right,
    }[CrossRule.Operator(operator)]


def check(
    form: ReportForm,
    organisation: Organisation,
    raw: Mapping[str, Any],
    comments: Mapping[str, str],
    *,
    complete: bool,
    lines: list[FormIndicator] | None = None,
    rules: Iterable[CrossRule] | None = None,
) -> Checked:
    """Parse and check a report's values. Type, hard limits, cross-field
    errors and identity numbers always count; missing required values and
    soft warnings without a comment only when ``complete`` (submitting)."""
    result = Checked()
    lines = lines if lines is not None else lines_for(form, organisation)
    known = {key for line in lines for key, _item in keys_of(line)}
    for key in raw:
        if key not in known:
            result.error(key, _("This form has no value “%(key)s”.") % {"key": key})
    for line in lines:
        indicator = line.indicator
        for key, item in keys_of(line):
            comment = (comments.get(key) or "").strip()
            try:
                number, text = parse(indicator, raw.get(key))
            except ValueError as problem:
                result.error(key, str(problem))
                continue
            for value_text in (text, comment):
                try:
                    validate_no_identity_number(value_text)
                except ValidationError as refused:
                    result.error(key, refused.messages[0])
            if number is None and not text:
                if complete and line.required:
                    result.error(key, _("This value is required."))
                continue
            if number is not None:
                if indicator.min_value is not None and number < indicator.min_value:
                    result.error(
                        key,
                        _("The value must be at least %(min)s.")
                        % {"min": _fmt(indicator.min_value)},
                    )
                    continue
                if indicator.max_value is not None and number > indicator.max_value:
                    result.error(
                        key,
                        _("The value must be at most %(max)s.")
                        % {"max": _fmt(indicator.max_value)},
                    )
                    continue
                if (indicator.soft_min is not None and number < indicator.soft_min) or (
                    indicator.soft_max is not None and number > indicator.soft_max
                ):
                    result.warnings[key] = _(
                        "The value is unusual (expected %(low)s–%(high)s). "
                        "Check it, and explain it in the comment."
                    ) % {
                        "low": _fmt(indicator.soft_min) if indicator.soft_min is not None else "…",
                        "high": _fmt(indicator.soft_max) if indicator.soft_max is not None else "…",
                    }
            result.values[(indicator.pk, item)] = (number, text, comment)
    by_indicator = {line.indicator.pk: line.indicator for line in lines}
    for rule in rules if rules is not None else form.rules.all():
        if rule.left_id not in by_indicator or rule.right_id not in by_indicator:
            continue
        left = by_indicator[rule.left_id]
        items = [i["code"] for i in left.items] or [""]
        for item in items:
            a = result.values.get((rule.left_id, item))
            b = result.values.get((rule.right_id, item))
            if a is None or b is None or a[0] is None or b[0] is None:
                continue
            if _compare(a[0], rule.operator, b[0]):
                continue
            key = key_of(left.code, item)
            if rule.severity == CrossRule.Severity.ERROR:
                result.error(key, rule.message)
            else:
                result.warnings[key] = rule.message
    if complete:
        for key in result.warnings:
            if not (comments.get(key) or "").strip() and key not in result.errors:
                result.error(key, _("Explain the unusual value in the comment, or correct it."))
    return result


# --- Levels --------------------------------------------------------------------------


def thresholds_of(partnership: Partnership) -> dict[str, dict[str, Any]]:
    """The partnership's current thresholds, as a rule version stores them."""
    snapshot: dict[str, dict[str, Any]] = {}
    for indicator in Indicator.objects.filter(partnership=partnership).select_related(
        "relative_to"
    ):
        levels = {
            name: _fmt(getattr(indicator, name))
            for name in THRESHOLD_FIELDS
            if getattr(indicator, name) is not None
        }
        if levels:
            snapshot[indicator.code] = {
                **levels,
                "lower_is_worse": indicator.lower_is_worse,
                "relative_to": indicator.relative_to.code if indicator.relative_to else None,
            }
    return snapshot


def current_rule(partnership: Partnership, by: Any = None) -> LevelRule:
    """The rule version in force: a new version whenever the thresholds
    differ from the latest one."""
    snapshot = thresholds_of(partnership)
    latest = LevelRule.objects.filter(partnership=partnership).order_by("-version").first()
    if latest is not None and latest.thresholds == snapshot:
        return latest
    with transaction.atomic():
        number = (
            LevelRule.objects.select_for_update()
            .filter(partnership=partnership)
            .aggregate(m=Max("version"))["m"]
            or 0
        )
        try:
            with transaction.atomic():
                return LevelRule.objects.create(
                    partnership=partnership,
                    version=number + 1,
                    thresholds=snapshot,
                    created_by=by if getattr(by, "pk", None) else None,
                )
        except IntegrityError:
            return LevelRule.objects.get(partnership=partnership, version=number + 1)


def level_of(number: Decimal, rule: Mapping[str, Any]) -> int:
    """The level a number reaches under one indicator's thresholds."""
    level = 1
    for n, name in ((2, "level2_at"), (3, "level3_at"), (4, "level4_at")):
        at = rule.get(name)
        if at is None:
            continue
        at = Decimal(at)
        reached = number < at if rule.get("lower_is_worse") else number >= at
        if reached:
            level = n
    return level


def indicator_levels(
    values: Mapping[tuple[str, str], Decimal | None], thresholds: Mapping[str, Mapping[str, Any]]
) -> dict[str, int]:
    """Per indicator code, the worst level of its values (items included).
    ``values`` maps (code, item) to the number. A share of another
    indicator (``relative_to``) is taken in per cent of the same item."""
    result: dict[str, int] = {}
    for (code, item), number in values.items():
        rule = thresholds.get(code)
        if rule is None or number is None:
            continue
        measured = number
        if rule.get("relative_to"):
            base = values.get((rule["relative_to"], item))
            if not base:
                continue
            measured = number * 100 / base
        result[code] = max(result.get(code, 1), level_of(measured, rule))
    return result


def party_level(levels: Mapping[str, int]) -> int:
    """A party's computed level: its worst indicator's (1 with none)."""
    return max(levels.values(), default=1)


# --- Reports -------------------------------------------------------------------------


def is_locked(
    crisis: Crisis,
    report: Report | None,
    organisation: Organisation,
    start: datetime.date,
    now: datetime.datetime | None = None,
) -> bool:
    moment = now or timezone.now()
    if moment < periods.lock_at(crisis.form, organisation, start):
        return False
    return not (report and report.unlocked_until and report.unlocked_until > moment)


def last_report(crisis: Crisis, organisation: Organisation, before: datetime.date) -> Report | None:
    """The party's latest submitted report before a period."""
    return (
        Report.objects.filter(
            crisis=crisis,
            organisation=organisation,
            period_start__lt=before,
            status=Report.Status.SUBMITTED,
        )
        .order_by("-period_start")
        .first()
    )


def values_by_key(report: Report) -> tuple[dict[str, str], dict[str, str]]:
    """A stored report's values and comments as the form's raw input."""
    raw: dict[str, str] = {}
    comments: dict[str, str] = {}
    for value in report.values.select_related("indicator"):
        key = key_of(value.indicator.code, value.item)
        raw[key] = display(value.indicator, value.number, value.text)
        if value.comment:
            comments[key] = value.comment
    return raw, comments


def display(indicator: Indicator, number: Decimal | None, text: str) -> str:
    """A stored value as the form shows it."""
    if indicator.value_type == T.TEXT:
        return text
    if number is None:
        return ""
    if indicator.value_type == T.LEVEL:
        return {1: "god", 2: "utfordrende", 3: "kritisk"}.get(int(number), _fmt(number))
    if indicator.value_type == T.BOOLEAN:
        return "ja" if number else "nei"
    return _fmt(number)


def prefill(
    crisis: Crisis, organisation: Organisation, start: datetime.date
) -> tuple[dict[str, str], dict[str, str]]:
    """What the form starts from: the draft or report of the period if any,
    otherwise the party's last submitted report."""
    own = Report.objects.filter(
        crisis=crisis, organisation=organisation, period_start=start
    ).first()
    if own is not None:
        return values_by_key(own)
    last = last_report(crisis, organisation, start)
    return values_by_key(last) if last else ({}, {})


def is_repeat(report: Report | None, client_key: uuid.UUID | None) -> bool:
    """Whether a request with this key already saved this report (the key
    of its latest save, or of one of its submissions)."""
    if report is None or client_key is None:
        return False
    return report.client_key == client_key or (
        report.revisions.filter(client_key=client_key).exists()
    )


def _locked_message() -> str:
    return _("The report for this period is locked. Ask the secretariat to unlock it.")


def _stood_down_message() -> str:
    return _("The crisis has been stood down; reports can no longer be changed.")


def _refuse(checked: Checked) -> None:
    if checked.errors:
        raise ValidationError({key: messages for key, messages in checked.errors.items()})


def _check_can_report(
    crisis: Crisis,
    organisation: Organisation,
    start: datetime.date,
    now: datetime.datetime | None = None,
) -> None:
    if crisis.status != Crisis.Status.ACTIVE:
        raise ValidationError(_stood_down_message())
    if not periods.is_period(crisis, start, now):
        raise ValidationError(_("There is no such reporting period in this crisis."))
    if not reports_in(crisis, organisation):
        raise ValidationError(_("This party does not report in this crisis."))


def save_report(
    crisis: Crisis,
    organisation: Organisation,
    start: datetime.date,
    raw: Mapping[str, Any],
    comments: Mapping[str, str] | None = None,
    *,
    by: Any,
    submit: bool,
    expected_version: int | None = None,
    client_key: uuid.UUID | None = None,
    no_change: bool = False,
    now: datetime.datetime | None = None,
) -> Report:
    """Save a party's report for a period as a draft or submit it.

    - Refused (``ValidationError`` with messages per key, nothing stored) if
      a value is wrong, or when submitting, a required value is missing or a
      soft warning has no comment.
    - Refused if the period is locked and not unlocked.
    - ``expected_version``: the version the person started from; a report
      changed by someone else since raises ``EditConflict``. ``None`` (the
      API) takes the report as it is.
    - ``client_key``: a repeat of a request already carried out returns the
      report without changing it (a double submit).
    """
    comments = comments or {}
    moment = now or timezone.now()
    _check_can_report(crisis, organisation, start, moment)
    existing = Report.objects.filter(
        crisis=crisis, organisation=organisation, period_start=start
    ).first()
    if existing is not None and is_repeat(existing, client_key):
        existing.repeated = True
        return existing
    if is_locked(crisis, existing, organisation, start, moment):
        raise ValidationError(_locked_message())
    lines = lines_for(crisis.form, organisation)
    checked = check(crisis.form, organisation, raw, comments, complete=submit, lines=lines)
    _refuse(checked)
    with transaction.atomic():
        try:
            with transaction.atomic():
                report, created = Report.objects.get_or_create(
                    crisis=crisis,
                    organisation=organisation,
                    period_start=start,
                    defaults={"created_by": by if getattr(by, "pk", None) else None},
                )
        except IntegrityError:
            report, created = (
                Report.objects.get(crisis=crisis, organisation=organisation, period_start=start),
                False,
            )
        report = Report.objects.select_for_update().get(pk=report.pk)
        if is_repeat(report, client_key):
            # The same request, carried out meanwhile (a double submit).
            report.repeated = True
            return report
        if is_locked(crisis, report, organisation, start, moment):
            raise ValidationError(_locked_message())
        version = report.version if expected_version is None else expected_version
        if created and expected_version not in (None, 0):
            raise EditConflict(report.version)
        if report.version != version:
            raise EditConflict(report.version)
        if report.status == Report.Status.SUBMITTED and not submit:
            raise ValidationError(
                _("This report has been submitted; changes to it are submitted again.")
            )
        Value.objects.filter(report=report).delete()
        Value.objects.bulk_create(
            Value(
                report=report,
                indicator_id=indicator_id,
                item=item,
                number=number,
                text=text,
                comment=comment,
            )
            for (indicator_id, item), (number, text, comment) in checked.values.items()
        )
        fields = ["no_change", "client_key"]
        report.no_change = no_change
        report.client_key = client_key
        if submit:
            rule = current_rule(crisis.partnership, by)
            codes = {line.indicator.pk: line.indicator.code for line in lines}
            levels = indicator_levels(
                {(codes[i], item): v[0] for (i, item), v in checked.values.items()},
                rule.thresholds,
            )
            report.status = Report.Status.SUBMITTED
            report.submitted_at = moment
            report.first_submitted_at = report.first_submitted_at or moment
            report.submitted_by = by if getattr(by, "pk", None) else None
            report.computed_level = party_level(levels)
            report.rule_version = rule.version
            fields += [
                "status",
                "submitted_at",
                "first_submitted_at",
                "submitted_by",
                "computed_level",
                "rule_version",
            ]
        saved: Report = save_versioned(report, version, fields)  # type: ignore[assignment]
        if submit:
            number = report.revisions.count() + 1
            ReportRevision.objects.create(
                report=saved,
                number=number,
                submitted_at=moment,
                submitted_by=saved.submitted_by,
                values={
                    key_of(codes[i], item): {
                        "number": None if v[0] is None else _fmt(v[0]),
                        "text": v[1],
                        "comment": v[2],
                    }
                    for (i, item), v in checked.values.items()
                },
                computed_level=saved.computed_level,
                no_change=no_change,
                client_key=client_key,
            )
    return saved


def report_no_change(
    crisis: Crisis,
    organisation: Organisation,
    start: datetime.date,
    *,
    by: Any,
    client_key: uuid.UUID | None = None,
    expected_version: int | None = None,
) -> Report:
    """Submit the party's last report's values again for this period ("no
    change since the last report"); refused if there is no earlier report
    or it would not pass today's form."""
    existing = Report.objects.filter(
        crisis=crisis, organisation=organisation, period_start=start
    ).first()
    if existing is not None and is_repeat(existing, client_key):
        existing.repeated = True
        return existing
    if existing is not None and existing.status == Report.Status.SUBMITTED:
        raise ValidationError(
            _("This period's report has been submitted. Change it in the form instead.")
        )
    last = last_report(crisis, organisation, start)
    if last is None:
        raise ValidationError(_("There is no earlier report to repeat. Fill in the form."))
    raw, comments = values_by_key(last)
    return save_report(
        crisis,
        organisation,
        start,
        raw,
        comments,
        by=by,
        submit=True,
        client_key=client_key,
        expected_version=expected_version,
        no_change=True,
    )


def unlock(report: Report, *, by: Any, reason: str, hours: int = UNLOCK_HOURS) -> ReportUnlock:
    """Open a locked report for changes for ``hours``; logged with a reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason for opening the report again."))
    validate_no_identity_number(reason)
    now = timezone.now()
    crisis = report.crisis
    if crisis.status != Crisis.Status.ACTIVE:
        raise ValidationError(_stood_down_message())
    if now < periods.lock_at(crisis.form, report.organisation, report.period_start):
        raise ValidationError(_("The report is not locked yet; the party can still change it."))
    until = now + datetime.timedelta(hours=hours)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        entry = ReportUnlock.objects.create(
            report=locked, by=by, at=now, until=until, reason=reason
        )
        locked.unlocked_until = until
        save_versioned(locked, locked.version, ["unlocked_until"])
    report.refresh_from_db()
    return entry


def declare_level(
    report: Report, *, level: int | None, reason: str, by: Any, expected_version: int
) -> Report:
    """Declare a party's level over the computed one (``None`` takes the
    declaration back). A declared level needs a reason."""
    if report.status != Report.Status.SUBMITTED:
        raise ValidationError(_("Submit the report before declaring a level."))
    if report.crisis.status != Crisis.Status.ACTIVE:
        raise ValidationError(_stood_down_message())
    reason = reason.strip()
    if level is not None:
        if level not in (1, 2, 3, 4):
            raise ValidationError(_("Choose a level from 1 to 4."))
        if not reason:
            raise ValidationError(_("Give a reason for the declared level."))
    report.declared_level = level
    report.declared_reason = reason if level is not None else ""
    report.declared_by = by if level is not None else None
    report.declared_at = timezone.now() if level is not None else None
    return save_versioned(  # type: ignore[return-value]
        report,
        expected_version,
        ["declared_level", "declared_reason", "declared_by", "declared_at"],
    )


def declare_partnership_level(
    crisis: Crisis, start: datetime.date, *, level: int | None, reason: str, by: Any
) -> PartnershipLevel | None:
    """The coordination group's level for the whole partnership in a period
    (``None`` takes it back, leaving the computed one). Not once the crisis
    is stood down: its levels are history then."""
    if crisis.status != Crisis.Status.ACTIVE:
        raise ValidationError(_("The crisis is stood down: its levels can no longer be changed."))
    if level is None:
        PartnershipLevel.objects.filter(crisis=crisis, period_start=start).delete()
        return None
    if level not in (1, 2, 3, 4):
        raise ValidationError(_("Choose a level from 1 to 4."))
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason for the declared level."))
    row, _created = PartnershipLevel.objects.update_or_create(
        crisis=crisis,
        period_start=start,
        defaults={"level": level, "reason": reason, "by": by, "at": timezone.now()},
    )
    return row


def computed_partnership_level(levels: Iterable[int | None]) -> int | None:
    """The partnership's computed level: the highest level that counts for
    any party (declared over computed); ``None`` before anyone reports."""
    present = [level for level in levels if level]
    return max(present) if present else None


# --- Crises --------------------------------------------------------------------------


def open_crisis(
    partnership: Partnership,
    *,
    name: str,
    form: ReportForm,
    starts_on: datetime.date,
    by: Any,
    description: str = "",
    regions: Iterable[Any] = (),
    council: Any = None,
    client_key: uuid.UUID | None = None,
) -> Crisis:
    """Open a crisis (idempotent with ``client_key``)."""
    if client_key is not None:
        existing = Crisis.objects.filter(partnership=partnership, client_key=client_key).first()
        if existing is not None:
            return existing
    if form.partnership_id != partnership.pk:
        raise ValidationError(_("Choose one of this partnership's report forms."))
    regions = list(regions)
    if any(r.partnership_id != partnership.pk for r in regions):
        raise ValidationError(_("Choose regions of this partnership."))
    if council is not None and council.partnership_id != partnership.pk:
        raise ValidationError(_("Choose one of this partnership's councils."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                crisis = Crisis.objects.create(
                    partnership=partnership,
                    name=name.strip(),
                    description=description.strip(),
                    form=form,
                    starts_on=periods.align(form, starts_on),
                    council=council,
                    opened_by=by,
                    client_key=client_key,
                )
        except IntegrityError:
            found = Crisis.objects.filter(client_key=client_key).first()
            if found is None:
                raise
            return found
        crisis.regions.set(regions)
    current_rule(partnership, by)
    return crisis


def stand_down(crisis: Crisis, *, by: Any) -> Crisis:
    """Stand the crisis down: no more reports; everything stays readable."""
    if crisis.status == Crisis.Status.STOOD_DOWN:
        return crisis
    crisis.status = Crisis.Status.STOOD_DOWN
    crisis.stood_down_at = timezone.now()
    crisis.stood_down_by = by
    crisis.save(update_fields=["status", "stood_down_at", "stood_down_by"])
    return crisis


@dataclass
class Completeness:
    expected: list[Organisation]
    submitted: set[int]
    late: list[Organisation]
    missing: list[Organisation]

    @property
    def share(self) -> float:
        return len(self.submitted) / len(self.expected) if self.expected else 0.0


def completeness(
    crisis: Crisis,
    start: datetime.date,
    *,
    parties: list[Organisation] | None = None,
    now: datetime.datetime | None = None,
) -> Completeness:
    """Who has submitted the period's report (objective: submitted with its
    required values), who has not, and who is late (past the deadline)."""
    moment = now or timezone.now()
    parties = parties if parties is not None else parties_of(crisis)
    submitted = set(
        Report.objects.filter(
            crisis=crisis, period_start=start, status=Report.Status.SUBMITTED
        ).values_list("organisation_id", flat=True)
    )
    missing = [o for o in parties if o.pk not in submitted]
    late = [o for o in missing if periods.deadline(crisis.form, o, start) < moment]
    return Completeness(
        expected=parties, submitted={p.pk for p in parties} & submitted, late=late, missing=missing
    )
