"""Situation reports the person created, submitted or declared a level on,
and what they wrote in a crisis's log, requests, unlocks and partnership
levels, for the person's download (see :mod:`core.personal_data`). Five
queries, each with the crisis and party joined in.

A report's figures are about the party's services, not the person: the
section names the reports and what the person did with them, and the reason
they gave for a declared level."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.personal_data import Section, source, when
from crisis.models import LogEntry, PartnershipLevel, Report, ReportUnlock, ResourceRequest


@source
def crisis_work(user: Any) -> Iterator[Section]:
    reports = (
        Report.objects.filter(Q(created_by=user) | Q(submitted_by=user) | Q(declared_by=user))
        .select_related("crisis", "organisation")
        .order_by("period_start", "pk")
    )
    yield Section(
        "crisis.reports",
        _("Situation reports you wrote, submitted or declared a level on"),
        [
            {
                "crisis": r.crisis.name,
                "party": r.organisation.name,
                "period": when(r.period_start),
                "status": str(r.get_status_display()),
                "created_by_you": r.created_by_id == user.pk,
                "submitted_by_you": r.submitted_by_id == user.pk,
                "submitted": when(r.submitted_at),
                "declared_level": r.declared_level if r.declared_by_id == user.pk else None,
                "reason": r.declared_reason if r.declared_by_id == user.pk else "",
            }
            for r in reports
        ],
        _(
            "The figures of a report are about the party's services, not about you, and are "
            "not included. Free texts are removed after the retention period."
        ),
    )
    log = LogEntry.objects.filter(by=user).select_related("crisis").order_by("created", "pk")
    yield Section(
        "crisis.log",
        _("Crisis log entries you wrote"),
        [{"crisis": e.crisis.name, "when": when(e.occurred_at), "text": e.text} for e in log],
    )
    requests = (
        ResourceRequest.objects.filter(created_by=user)
        .select_related("crisis", "requesting_organisation")
        .order_by("created", "pk")
    )
    yield Section(
        "crisis.requests",
        _("Resource requests you made"),
        [
            {
                "crisis": r.crisis.name,
                "party": r.requesting_organisation.name,
                "kind": str(r.get_kind_display()),
                "what_is_needed": r.description,
                "quantity": r.quantity,
                "status": str(r.get_status_display()),
                "created": when(r.created),
            }
            for r in requests
        ],
    )
    unlocks = (
        ReportUnlock.objects.filter(by=user)
        .select_related("report__crisis", "report__organisation")
        .order_by("at", "pk")
    )
    yield Section(
        "crisis.unlocks",
        _("Reports you unlocked"),
        [
            {
                "crisis": u.report.crisis.name,
                "party": u.report.organisation.name,
                "period": when(u.report.period_start),
                "at": when(u.at),
                "until": when(u.until),
                "reason": u.reason,
            }
            for u in unlocks
        ],
    )
    levels = PartnershipLevel.objects.filter(by=user).select_related("crisis").order_by("at", "pk")
    yield Section(
        "crisis.levels",
        _("Partnership levels you declared"),
        [
            {
                "crisis": level.crisis.name,
                "period": when(level.period_start),
                "level": level.level,
                "reason": level.reason,
                "at": when(level.at),
            }
            for level in levels
        ],
    )
