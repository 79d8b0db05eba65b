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

import copy
import datetime
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from auditlog.context import auditlog_disabled
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry as AuditEntry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Exists,
    F,
    FilteredRelation,
    JSONField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.guard import check_instance
from core.services import EditConflict, save_versioned
from core.validators import validate_no_identity_number
from crisis import alerts, figures, levels, periods
from crisis.levels import indicator_levels, party_level
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
from crisis.numbers import plain
from partnerships.models import Organisation, Participation, Partnership

T = Indicator.ValueType
LEVEL_WORDS = levels.ANSWER_WORDS
YES = {"ja", "yes", "true", "1", "j", "y"}
NO = {"nei", "no", "false", "0", "n"}
THRESHOLD_FIELDS = ("level2_at", "level3_at", "level4_at")
UNLOCK_HOURS = 48


def key_of(code: str, item: str = "") -> str:
    return f"{code}:{item}" if item else code


# --- Who reports what ----------------------------------------------------------------


def reporting_participations(crisis: Crisis) -> Any:
    """The current party participations that make their party report in the
    crisis: every party of the partnership, or in a regional crisis the
    kommuner of its regions (hospitals and other parties always)."""
    participations = Participation.objects.current().filter(
        partnership_id=crisis.partnership_id, role=Participation.Role.PARTY
    )
    region_ids = [r.pk for r in crisis.regions.all()]
    if region_ids:
        participations = participations.filter(
            Q(region_id__in=region_ids) | ~Q(organisation__kind=Organisation.Kind.KOMMUNE)
        )
    return participations


def _party_participations(
    organisation: Organisation, crisis: Crisis | None = None
) -> QuerySet[Participation]:
    """The party's current participations that make it report in the crisis,
    as :func:`parties_of` decides it: a party of the crisis's partnership; a
    kommune, in a regional crisis, only in one of its regions. Without
    ``crisis``, a subquery of a query on crises (``OuterRef``)."""
    crisis_id: Any = crisis.pk if crisis else OuterRef(OuterRef("pk"))
    participations = Participation.objects.current().filter(
        partnership_id=crisis.partnership_id if crisis else OuterRef("partnership_id"),
        organisation_id=organisation.pk,
        role=Participation.Role.PARTY,
    )
    if organisation.kind == Organisation.Kind.KOMMUNE:
        regions = Crisis.regions.through.objects.filter(crisis_id=crisis_id)
        participations = participations.filter(
            Q(~Exists(regions)) | Q(region_id__in=regions.values("region_id"))
        )
    return participations


def reports_in(crisis: Crisis, organisation: Organisation) -> bool:
    """Whether the party reports in this crisis (one query)."""
    return _party_participations(organisation, crisis).exists()


def parties_of(crisis: Crisis) -> list[Organisation]:
    """The parties that report in this crisis: every current party of the
    partnership, or those of its regions (hospitals always), by name."""
    participations = reporting_participations(crisis)
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
                        % {"min": plain(indicator.min_value)},
                    )
                    continue
                if indicator.max_value is not None and number > indicator.max_value:
                    result.error(
                        key,
                        _("The value must be at most %(max)s.")
                        % {"max": plain(indicator.max_value)},
                    )
                    continue
                if (indicator.soft_min is not None and number < indicator.soft_min) or (
                    indicator.soft_max is not None and number > indicator.soft_max
                ):
                    result.warnings[key] = _(
                        "The value is unusual (expected %(low)s–%(high)s). "
                        "Check it, and explain it in the comment."
                    ) % {
                        "low": plain(indicator.soft_min) if indicator.soft_min is not None else "…",
                        "high": plain(indicator.soft_max)
                        if indicator.soft_max is not None
                        else "…",
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
        entry = threshold_entry(indicator)
        if entry is not None:
            snapshot[indicator.code] = entry
    return snapshot


def threshold_entry(indicator: Indicator) -> dict[str, Any] | None:
    """One indicator's thresholds as a rule version stores them; None
    without any (``relative_to`` loaded with it)."""
    levels = {
        name: plain(getattr(indicator, name))
        for name in THRESHOLD_FIELDS
        if getattr(indicator, name) is not None
    }
    if not levels:
        return None
    return {
        **levels,
        "lower_is_worse": indicator.lower_is_worse,
        "relative_to": indicator.relative_to.code if indicator.relative_to else None,
    }


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


def _rule_for(
    partnership: Partnership, lines: list[FormIndicator], latest: LevelRule | None, by: Any
) -> LevelRule:
    """The rule version a submit computes its level with: the latest
    (``latest``, read with the save's context: no query) when it holds the
    thresholds of the report's indicators as they are now; otherwise
    :func:`current_rule`, which makes a new version. The level depends on
    those indicators alone, so the version named is always the one used."""
    if latest is not None and all(
        latest.thresholds.get(line.indicator.code) == threshold_entry(line.indicator)
        for line in lines
    ):
        return latest
    return current_rule(partnership, by)


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
    # One query; none for values that came with the report (prefetched, or
    # just stored by save_report).
    cached = getattr(report, "_prefetched_objects_cache", {}).get("values")
    for value in cached if cached is not None else report.values.select_related("indicator"):
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
        return levels.ANSWER_CODES.get(int(number), plain(number))
    if indicator.value_type == T.BOOLEAN:
        return "ja" if number else "nei"
    return plain(number)


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
    *,
    reports: bool | None = None,
) -> None:
    """Refused for a stood-down crisis, a day that is not one of its periods
    and a party that does not report in it (``reports``, when already known,
    saves the query)."""
    if crisis.status != Crisis.Status.ACTIVE:
        raise ValidationError(_stood_down_message())
    if not periods.is_period(crisis, start, now):
        raise ValidationError(_("There is no such reporting period in this crisis."))
    if not (reports_in(crisis, organisation) if reports is None else reports):
        raise ValidationError(_("This party does not report in this crisis."))


# --- Saving a report -----------------------------------------------------------------
#
# A save reads what it depends on in one query (:func:`save_context`): whether
# the party reports in the crisis, its report for the period, whether the
# request's client key saved it or another report already, its latest
# revision, the latest rule version. It validates (the form's lines, the cross
# rules: two queries) and writes in one transaction: a first save inserts the
# report as it ends up (one INSERT, one audit entry); a later one is one
# conditional UPDATE on the version read (compare-and-set, as
# ``core.services.save_versioned``) and its audit entry, written from the row
# as read instead of read again. Then the values (a later save deletes the old
# ones first) and, when submitting, the revision. When the row changed between
# the read and the write (the UPDATE finds no row at that version), the save
# reads the row again locked and decides again; two first saves at once meet
# at the unique constraint, and the one that lost starts again from the row
# the other made. The API's submit is then: the token, the context with the
# crisis, the lines, the rules, and the writes (insert 4, update 5).

_REPORT_FIELDS = [field.attname for field in Report._meta.concrete_fields]


@dataclass
class SaveContext:
    """What saving a party's report for a period depends on besides the
    values and the form, as :func:`save_context` reads it (or the save
    reads it again, locked)."""

    crisis: Crisis
    organisation: Organisation
    start: datetime.date
    client_key: uuid.UUID | None
    # The party reports in the crisis.
    reports: bool
    # Its report for the period, if there is one.
    report: Report | None
    # The client key saved that report (its latest save or a submission).
    key_used: bool
    # The client key saved another report of the party or of the period (the
    # API refuses that; the service saves this report as a new request).
    key_elsewhere: bool
    # The number of the report's latest revision (0: never submitted), and
    # its values as stored in the revision.
    revision: int
    submitted_values: dict[str, Any] | None
    # The partnership's latest rule version.
    latest_rule: LevelRule | None
    # The region of the party's participation (its figures' group), and the
    # level that counted in its latest submitted report before the period.
    region_id: int | None = None
    earlier_level: int | None = None


def _context_annotations(
    organisation: Organisation, start: datetime.date, client_key: uuid.UUID | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The annotations of a query on crises that read a save's context: the
    filtered relation to the party's report first, then the values."""
    own = {"organisation_id": organisation.pk, "period_start": start}
    relation = {
        "this_report": FilteredRelation(
            "reports", condition=Q(**{f"reports__{k}": v for k, v in own.items()})
        )
    }
    revisions = ReportRevision.objects.filter(
        report__crisis=OuterRef("pk"), **{f"report__{k}": v for k, v in own.items()}
    ).order_by("-number")
    rules = LevelRule.objects.filter(partnership=OuterRef("partnership_id")).order_by("-version")
    values: dict[str, Any] = {
        f"this_{name}": F(f"this_report__{name}") for name in _REPORT_FIELDS
    } | {
        "party_reports": Exists(_party_participations(organisation)),
        "party_region": Subquery(_party_participations(organisation).values("region_id")[:1]),
        "earlier_level": Subquery(
            Report.objects.filter(
                crisis=OuterRef("pk"),
                organisation_id=organisation.pk,
                period_start__lt=start,
                status=Report.Status.SUBMITTED,
            )
            .order_by("-period_start")
            .annotate(counted=Coalesce("declared_level", "computed_level"))
            .values("counted")[:1]
        ),
        "revision_number": Subquery(revisions.values("number")[:1]),
        "revision_values": Subquery(revisions.values("values")[:1], output_field=JSONField()),
        "rule_id": Subquery(rules.values("pk")[:1]),
        "rule_version": Subquery(rules.values("version")[:1]),
        "rule_thresholds": Subquery(rules.values("thresholds")[:1], output_field=JSONField()),
    }
    if client_key is not None:
        keyed = Q(client_key=client_key) | Exists(
            ReportRevision.objects.filter(report=OuterRef("pk"), client_key=client_key)
        )
        of_crisis = Report.objects.filter(keyed, crisis=OuterRef("pk"))
        values["key_used"] = Exists(of_crisis.filter(**own))
        # Only the party's reports and the period's (an index each): no scan
        # of every report of a long crisis.
        values["key_elsewhere"] = Exists(
            of_crisis.filter(Q(organisation_id=organisation.pk) | Q(period_start=start)).exclude(
                **own
            )
        )
    return relation, values


def save_context(
    crisis: Crisis | QuerySet[Crisis],
    organisation: Organisation,
    start: datetime.date,
    client_key: uuid.UUID | None = None,
) -> SaveContext | None:
    """What a save of the party's report for the period depends on, in one
    query. Given a crisis, read for it; given a query of crises (the API's
    "this crisis, of the token's partnership"), the crisis comes along with
    its form and partnership, and None when the query finds none."""
    relation, annotations = _context_annotations(organisation, start, client_key)
    row: dict[str, Any] | None
    if isinstance(crisis, Crisis):
        found = crisis
        row = (
            Crisis.objects.filter(pk=crisis.pk)
            .annotate(**relation)
            .annotate(**annotations)
            .values(*annotations)
            .first()
        )
        if row is None:
            raise Crisis.DoesNotExist
    else:
        loaded = (
            crisis.select_related("form", "partnership")
            .annotate(**relation)
            .annotate(**annotations)
            .first()
        )
        if loaded is None:
            return None
        found = loaded
        row = {name: getattr(loaded, name) for name in annotations}
    report = None
    if row["this_id"] is not None:
        report = Report.from_db(
            found._state.db, _REPORT_FIELDS, [row[f"this_{name}"] for name in _REPORT_FIELDS]
        )
        report.crisis = found
        report.organisation = organisation
    rule = None
    if row["rule_id"] is not None:
        rule = LevelRule(
            pk=row["rule_id"],
            partnership_id=found.partnership_id,
            version=row["rule_version"],
            thresholds=row["rule_thresholds"],
        )
    return SaveContext(
        crisis=found,
        organisation=organisation,
        start=start,
        client_key=client_key,
        reports=bool(row["party_reports"]),
        report=report,
        key_used=bool(row.get("key_used")),
        key_elsewhere=bool(row.get("key_elsewhere")),
        revision=row["revision_number"] or 0,
        submitted_values=row["revision_values"],
        latest_rule=rule,
        region_id=row["party_region"],
        earlier_level=row["earlier_level"],
    )


def _locked_context(context: SaveContext) -> SaveContext:
    """The context read again inside the save's transaction, the report's
    row locked (one query)."""
    revisions = ReportRevision.objects.filter(report=OuterRef("pk")).order_by("-number")
    annotations: dict[str, Any] = {
        "revision_number": Subquery(revisions.values("number")[:1]),
        "revision_values": Subquery(revisions.values("values")[:1], output_field=JSONField()),
    }
    if context.client_key is not None:
        annotations["key_in_revisions"] = Exists(revisions.filter(client_key=context.client_key))
    report = (
        Report.objects.select_for_update()
        .filter(
            crisis=context.crisis, organisation=context.organisation, period_start=context.start
        )
        .annotate(**annotations)
        .first()
    )
    if report is None:
        return replace(
            context,
            report=None,
            key_used=False,
            key_elsewhere=False,
            revision=0,
            submitted_values=None,
        )
    report.crisis = context.crisis
    report.organisation = context.organisation
    annotated: Any = report
    return replace(
        context,
        report=report,
        key_used=getattr(annotated, "key_in_revisions", False),
        key_elsewhere=False,
        revision=annotated.revision_number or 0,
        submitted_values=annotated.revision_values,
    )


def is_repeat(context: SaveContext) -> bool:
    """Whether the request's client key already saved the party's report for
    the period (its latest save, or one of its submissions)."""
    report = context.report
    return (
        report is not None
        and context.client_key is not None
        and (context.key_used or report.client_key == context.client_key)
    )


def _repeat(context: SaveContext) -> Report | None:
    """The report a request with this client key already saved (a double
    submit, a retry), with ``repeated`` set; None for a new request."""
    if not is_repeat(context):
        return None
    assert context.report is not None
    context.report.repeated = True
    return context.report


def _refusal(
    context: SaveContext, *, submit: bool, expected_version: int | None, moment: datetime.datetime
) -> Exception | None:
    """Why the report as read may not be saved (locked, changed since the
    version the person started from, a submitted report saved as a draft)."""
    report = context.report
    if is_locked(context.crisis, report, context.organisation, context.start, moment):
        return ValidationError(_locked_message())
    if report is None:
        return EditConflict(0) if expected_version not in (None, 0) else None
    if expected_version is not None and report.version != expected_version:
        return EditConflict(report.version)
    if report.status == Report.Status.SUBMITTED and not submit:
        return ValidationError(
            _("This report has been submitted; changes to it are submitted again.")
        )
    return None


def _log_update(old: Report, new: Report, fields: list[str]) -> None:
    """The audit entry ``save()`` would have written, from the row as this
    save read it (``save()`` would read it once more)."""
    if auditlog_disabled.get():
        return
    # (A setting auditlog gives its default when it loads.)
    as_json = getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)
    changes = model_instance_diff(old, new, fields_to_check=fields, use_json_for_changes=as_json)
    if changes:
        AuditEntry.objects.log_create(new, action=AuditEntry.Action.UPDATE, changes=changes)


def _remember_values(report: Report, values: list[Value]) -> None:
    """Keep the values just stored on the report as ``prefetch_related``
    would, so showing it (:func:`values_by_key`) needs no query."""
    stored: Any = report.values.all()
    stored._result_cache = values
    stored._prefetch_done = True
    report._prefetched_objects_cache = {"values": stored}  # type: ignore[attr-defined]


def _numbers(values: Mapping[str, Mapping[str, Any]]) -> dict[tuple[str, str], Decimal | None]:
    """A revision's values as (code, item) → number."""
    result: dict[tuple[str, str], Decimal | None] = {}
    for key, value in values.items():
        code, _sep, item = key.partition(":")
        result[(code, item)] = None if value["number"] is None else Decimal(value["number"])
    return result


@dataclass
class _Outcome:
    """What a save did: the report saved (or repeated), or why it was
    refused; for a submit, its values now and as submitted before."""

    report: Report | None = None
    refused: Exception | None = None
    # The report's row as this save found it (None: the save made it).
    before: Report | None = None
    # (code, item) → number: the values submitted now, and as the report was
    # submitted before (None: never submitted before). Set for a submit only.
    submitted: dict[tuple[str, str], Decimal | None] | None = None
    previous: dict[tuple[str, str], Decimal | None] | None = None


def _write(
    context: SaveContext,
    checked: Checked,
    lines: list[FormIndicator],
    rule: LevelRule | None,
    *,
    by: Any,
    submit: bool,
    expected_version: int | None,
    no_change: bool,
    locked: bool,
    moment: datetime.datetime,
) -> _Outcome:
    """Store the checked values, inside the save's transaction. A refusal is
    returned (the caller raises it after the transaction), not raised here:
    nothing is written before it."""
    by = by if getattr(by, "pk", None) else None
    indicators = {line.indicator.pk: line.indicator for line in lines}
    numbers = {
        (indicators[i].code, item): number for (i, item), (number, _t, _c) in checked.values.items()
    }
    fields: dict[str, Any] = {"no_change": no_change, "client_key": context.client_key}
    if submit:
        assert rule is not None
        first = context.report.first_submitted_at if context.report else None
        fields |= {
            "status": Report.Status.SUBMITTED,
            "submitted_at": moment,
            "first_submitted_at": first or moment,
            "submitted_by": by,
            "computed_level": party_level(indicator_levels(numbers, rule.thresholds)),
            "rule_version": rule.version,
            "figure_group": figures.group_of(context.organisation, context.region_id),
        }
    for attempt in range(2):
        if locked or attempt:
            context = _locked_context(context)
            repeated = _repeat(context)
            if repeated is not None:
                return _Outcome(report=repeated)
            if submit and context.report and context.report.first_submitted_at:
                fields["first_submitted_at"] = context.report.first_submitted_at
        refused = _refusal(context, submit=submit, expected_version=expected_version, moment=moment)
        if refused is not None:
            return _Outcome(refused=refused)
        old = context.report
        if old is None:
            report = Report(
                crisis=context.crisis,
                organisation=context.organisation,
                period_start=context.start,
                version=1,
                created_by=by,
                **fields,
            )
            # A first save at the same moment as this one makes this INSERT
            # fail (IntegrityError): the caller starts again from its row.
            report.save(force_insert=True)
            break
        report = copy.copy(old)
        for name, value in fields.items():
            setattr(report, name, value)
        report.version = old.version + 1
        check_instance(report)
        changed = Report.objects.filter(pk=old.pk, version=old.version).update(
            version=report.version, **fields
        )
        if changed:
            _log_update(old, report, list(fields))
            Value.objects.filter(report=report).delete()
            break
        # Changed since it was read: read it again, locked, and decide again.
    else:
        raise AssertionError("the report changed under its lock")
    values = [
        Value(
            report=report,
            indicator=indicators[indicator_id],
            item=item,
            number=number,
            text=text,
            comment=comment,
        )
        for (indicator_id, item), (number, text, comment) in checked.values.items()
    ]
    Value.objects.bulk_create(values)
    _remember_values(report, values)
    if submit:
        ReportRevision.objects.create(
            report=report,
            number=context.revision + 1,
            submitted_at=moment,
            submitted_by=by,
            values={
                key_of(indicators[i].code, item): {
                    "number": None if number is None else plain(number),
                    "text": text,
                    "comment": comment,
                }
                for (i, item), (number, text, comment) in checked.values.items()
            },
            computed_level=report.computed_level,
            no_change=no_change,
            client_key=context.client_key,
        )
        # Its values as submitted before: from the latest revision, read with
        # the context (a submitted report changes only by a new revision).
        was_submitted = old is not None and old.status == Report.Status.SUBMITTED
        return _Outcome(
            report=report,
            before=old,
            submitted=numbers,
            previous=_numbers(context.submitted_values or {}) if was_submitted else None,
        )
    return _Outcome(report=report, before=old)


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
    context: SaveContext | None = None,
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
      report without changing it (a double submit), with ``repeated`` set.
    - ``context``: what :func:`save_context` read for this save (the API
      reads it with the crisis); read here otherwise.

    Queries: the context, the form's lines, the cross rules, then a first
    save 3 (4 when submitting), a later one 5 (6), a repeat none; see
    above for what they are.
    """
    comments = comments or {}
    moment = now or timezone.now()
    if context is None:
        found = save_context(crisis, organisation, start, client_key)
        assert found is not None
        context = found
    repeated = _repeat(context)
    if repeated is not None:
        return repeated
    _check_can_report(crisis, organisation, start, moment, reports=context.reports)
    if is_locked(crisis, context.report, organisation, start, moment):
        raise ValidationError(_locked_message())
    lines = lines_for(crisis.form, organisation)
    checked = check(crisis.form, organisation, raw, comments, complete=submit, lines=lines)
    _refuse(checked)
    rule = _rule_for(crisis.partnership, lines, context.latest_rule, by) if submit else None
    # No savepoint: at the outside this is the request's transaction, and a
    # refusal leaves it without raising.
    inside = transaction.get_connection().in_atomic_block
    outcome = _Outcome()
    for locked in (False, True):
        try:
            with transaction.atomic(savepoint=False):
                outcome = _write(
                    context,
                    checked,
                    lines,
                    rule,
                    by=by,
                    submit=submit,
                    expected_version=expected_version,
                    no_change=no_change,
                    locked=locked,
                    moment=moment,
                )
                if outcome.submitted is not None:
                    _after_submit(context, outcome)
            break
        except IntegrityError:
            # Another request made the party's first report for the period
            # meanwhile: start again from that report, locked. (Inside a
            # caller's transaction there is no starting again.)
            if locked or inside:
                raise
    if outcome.refused is not None:
        raise outcome.refused
    assert outcome.report is not None
    return outcome.report


def _after_submit(context: SaveContext, outcome: _Outcome) -> None:
    """Inside a submit's transaction: the period's figures of the party's
    group (and of the group it was counted in before, if it moved) are
    recomputed, and a changed level is told to the coordination group."""
    report, before = outcome.report, outcome.before
    assert report is not None
    was_submitted = before is not None and before.status == Report.Status.SUBMITTED
    groups = {report.figure_group or figures.OUTSIDE}
    if was_submitted and before is not None and before.figure_group is not None:
        groups.add(before.figure_group)
    figures.refresh(context.crisis.pk, context.start, groups)
    own_before = (
        levels.counting(before.declared_level, before.computed_level)
        if was_submitted and before is not None
        else context.earlier_level
    )
    alerts.level_submitted(context.crisis, report, own_before)


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
    context = save_context(crisis, organisation, start, client_key)
    assert context is not None
    repeated = _repeat(context)
    if repeated is not None:
        return repeated
    if context.report is not None and context.report.status == Report.Status.SUBMITTED:
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
        context=context,
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
