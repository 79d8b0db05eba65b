"""Crisis' retention rule (see :mod:`core.retention`): situation reports
after the crisis.

Situation reports carry aggregate figures about services (cases, beds,
equipment, staffing levels), not people; what may touch a person is their
free text — the week's challenges and needs, comments on unusual values, the
reasons given for a declared level or for unlocking a report — and the
drafts a party never submitted. ``SAMSPILL_RETAIN_CRISIS_REPORTS_DAYS``
after a crisis was stood down, those go: drafts are deleted (nothing points
at a report but its own values, revisions and unlocks), and in submitted
reports the text values, the comments and the reasons are emptied, in the
report, in every revision kept of it, and in the audit trail's copies.

What stays is what an evaluation of the crisis needs: every figure and
level, who submitted each report and when, and the crisis log and resource
requests, which are the partnership's record of what it decided and did.
"""

from __future__ import annotations

from typing import Any

from auditlog.context import disable_auditlog
from django.conf import settings
from django.db.models import Q

from core.retention import Context, forget_audited_fields, rule
from crisis.models import Crisis, PartnershipLevel, Report, ReportRevision, ReportUnlock, Value


def _without_texts(values: Any) -> Any:
    """A revision's values ({"code:item": {"number", "text", "comment"}}) with
    text and comment emptied; the same object when there was nothing to empty."""
    if not isinstance(values, dict):
        return values
    changed = False
    kept = {}
    for key, value in values.items():
        if isinstance(value, dict) and (value.get("text") or value.get("comment")):
            value = {**value, "text": "", "comment": ""}
            changed = True
        kept[key] = value
    return kept if changed else values


@rule(
    "crisis.report_texts",
    "The free texts and comments of situation reports, and drafts never submitted, "
    "are removed after the crisis was stood down; the figures and levels stay.",
    setting="SAMSPILL_RETAIN_CRISIS_REPORTS_DAYS",
)
def report_texts(context: Context) -> int:
    cutoff = context.cutoff(settings.SAMSPILL_RETAIN_CRISIS_REPORTS_DAYS)
    crises = Crisis.objects.filter(status=Crisis.Status.STOOD_DOWN, stood_down_at__lt=cutoff)
    reports = Report.objects.filter(crisis__in=crises)
    drafts = reports.filter(status=Report.Status.DRAFT)
    values = Value.objects.filter(report__in=reports.filter(status=Report.Status.SUBMITTED))
    values = values.filter(~Q(text="") | ~Q(comment=""))
    reasons = reports.filter(status=Report.Status.SUBMITTED).exclude(declared_reason="")
    unlocks = ReportUnlock.objects.filter(report__in=reports).exclude(reason="")
    levels = PartnershipLevel.objects.filter(crisis__in=crises).exclude(reason="")
    revisions = [
        revision
        for revision in ReportRevision.objects.filter(report__in=reports)
        .only("pk", "values")
        .iterator(chunk_size=500)
        if _without_texts(revision.values) is not revision.values
    ]
    counts = [q.count() for q in (drafts, values, reasons, unlocks, levels)]
    total = sum(counts) + len(revisions)
    if context.dry_run or not total:
        return total
    # The audit trail's copies first, while the rows still hold the text.
    forget_audited_fields(reports.exclude(declared_reason=""), ["declared_reason"])
    forget_audited_fields(unlocks, ["reason"])
    forget_audited_fields(levels, ["reason"])
    for revision in revisions:
        revision.values = _without_texts(revision.values)
    ReportRevision.objects.bulk_update(revisions, ["values"], batch_size=500)
    # Queryset updates and a delete without audit entries: none repeats a text.
    values.update(text="", comment="")
    reasons.update(declared_reason="")
    unlocks.update(reason="")
    levels.update(reason="")
    with disable_auditlog():
        drafts.delete()
    return total
