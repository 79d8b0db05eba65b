"""Reporting periods, deadlines and locks.

A weekly period starts on a Monday, a daily one on its day. The report for a
period is due a number of hours after the period ends (the form says how
many, for kommuner and hospitals apart) and locks a number of days after
that. The *reporting period* at a moment is the latest period that has ended
(or the first one, while it is still running).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from crisis.models import Crisis, ReportForm
from partnerships.models import Organisation


def align(form: ReportForm, day: datetime.date) -> datetime.date:
    """The start of the period that holds ``day``."""
    if form.period_type == ReportForm.PeriodType.WEEKLY:
        return day - datetime.timedelta(days=day.weekday())
    return day


def length(form: ReportForm) -> datetime.timedelta:
    return datetime.timedelta(days=7 if form.period_type == ReportForm.PeriodType.WEEKLY else 1)


def period_end(form: ReportForm, start: datetime.date) -> datetime.date:
    """The first day after the period."""
    return start + length(form)


def previous(form: ReportForm, start: datetime.date) -> datetime.date:
    return start - length(form)


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def deadline(
    form: ReportForm, organisation: Organisation, start: datetime.date
) -> datetime.datetime:
    hours = (
        form.deadline_hours_kommune
        if organisation.kind == Organisation.Kind.KOMMUNE
        else form.deadline_hours_hospital
    )
    return _midnight(period_end(form, start)) + datetime.timedelta(hours=hours)


def lock_at(
    form: ReportForm, organisation: Organisation, start: datetime.date
) -> datetime.datetime:
    return deadline(form, organisation, start) + datetime.timedelta(days=form.lock_after_days)


def reporting_period(crisis: Crisis, now: datetime.datetime | None = None) -> datetime.date:
    """The period parties report on now: the latest that has ended, or the
    first while it runs; for a stood-down crisis, its last period."""
    form = crisis.form
    moment = now or timezone.now()
    if crisis.stood_down_at is not None:
        moment = min(moment, crisis.stood_down_at)
    today = timezone.localtime(moment).date()
    first = align(form, crisis.starts_on)
    latest_ended = previous(form, align(form, today))
    return max(first, latest_ended)


def periods(crisis: Crisis, until: datetime.date | None = None) -> list[datetime.date]:
    """Every period of the crisis from its first to ``until`` (default: the
    reporting period), oldest first."""
    form = crisis.form
    last = until or reporting_period(crisis)
    result = []
    day = align(form, crisis.starts_on)
    while day <= last:
        result.append(day)
        day = period_end(form, day)
    return result


def is_period(crisis: Crisis, start: datetime.date, now: datetime.datetime | None = None) -> bool:
    """Whether ``start`` is a period of the crisis that can be reported on:
    aligned, not before the first, not after the running one."""
    form = crisis.form
    today = timezone.localtime(now or timezone.now()).date()
    return (
        align(form, start) == start
        and start >= align(form, crisis.starts_on)
        and start <= align(form, today)
    )
