"""Retention rules (core/retention.py and every app's retention.py).

The clock is frozen with time-machine at the moment the test starts, and
every date that matters is set relative to it, so the tests pass on any day:
the demo's deviations end today and its crises keep their real dates, so
each test moves the rows it looks at to just past or just inside a period.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from accounts.models import User, UserSession
from core.retention import apply_all, rules
from councils.models import Appointment
from crisis.models import Crisis, Report, ReportRevision, Value
from deviations.models import Deviation, DeviationMessage
from partnerships.demo import DEMO_PASSWORD
from partnerships.models import Membership, PartnershipRole

RULES = [
    "core.audit_trail",
    "accounts.ended_sessions",
    "partnerships.left_people",
    "deviations.closed_texts",
    "crisis.report_texts",
]


@pytest.fixture
def now(people: Any) -> Iterator[datetime.datetime]:
    moment = timezone.now().replace(microsecond=0)
    with time_machine.travel(moment, tick=False):
        yield moment


def days_ago(now: datetime.datetime, days: int) -> datetime.datetime:
    return now - datetime.timedelta(days=days)


def counts(**options: Any) -> dict[str, int]:
    return {outcome.rule.key: outcome.count for outcome in apply_all(**options)}


def run_entries() -> Any:
    return LogEntry.objects.filter(object_pk__startswith="retention:")


def test_every_app_contributes_its_rule(people: Any) -> None:
    assert sorted(r.key for r in rules()) == sorted(RULES)


# --- deviations ---------------------------------------------------------------------


@pytest.fixture
def two_closed(now: datetime.datetime) -> tuple[Deviation, Deviation]:
    """A deviation closed just past the period, with a dialogue and an audited
    description, and one closed just inside it."""
    days = settings.SAMSPILL_RETAIN_CLOSED_DEVIATIONS_DAYS
    old, recent = Deviation.objects.filter(status=Deviation.Status.CLOSED).order_by("pk")[:2]
    old.description = "Epikrisen kom ikke med pasienten ved utskrivning."
    old.external_reference = "SYN-2291"
    old.answer_cause = "Rutinen ble ikke fulgt."
    old.save()  # through auditlog: the audit trail now holds the text too
    DeviationMessage.objects.create(deviation=old, text="Vi ser på saken.")
    Deviation.objects.filter(pk=old.pk).update(closed_at=days_ago(now, days + 1))
    Deviation.objects.filter(pk=recent.pk).update(closed_at=days_ago(now, days - 1))
    return old, recent


def test_closed_deviations_lose_their_texts_and_keep_their_figures(
    two_closed: tuple[Deviation, Deviation],
) -> None:
    old, recent = two_closed
    closed_before = Deviation.objects.filter(status=Deviation.Status.CLOSED).count()
    audited = LogEntry.objects.get_for_object(old)
    assert any("description" in (e.changes or {}) for e in audited)

    apply_all()

    old.refresh_from_db()
    assert (old.description, old.external_reference, old.answer_cause) == ("", "", "")
    assert not DeviationMessage.objects.filter(deviation=old).exists()
    # The row and what statistics count stay.
    assert old.status == Deviation.Status.CLOSED and old.category_id and old.number
    assert Deviation.objects.filter(status=Deviation.Status.CLOSED).count() == closed_before
    # The audit trail keeps the change, not the text.
    for entry in LogEntry.objects.get_for_object(old):
        assert "description" not in (entry.changes or {})
        assert "Epikrisen" not in str(entry.changes)
    # Closed inside the period: untouched.
    before = recent.description
    recent.refresh_from_db()
    assert recent.description == before != ""


def test_deleting_the_dialogue_writes_no_audit_entry_with_its_text(
    two_closed: tuple[Deviation, Deviation],
) -> None:
    apply_all()
    assert not LogEntry.objects.filter(changes__icontains="Vi ser på saken").exists()


# --- crisis -------------------------------------------------------------------------


@pytest.fixture
def crises(now: datetime.datetime) -> tuple[Crisis, Crisis]:
    """The demo's covid-19 crisis stood down just past the period, the local
    outbreak just inside it."""
    days = settings.SAMSPILL_RETAIN_CRISIS_REPORTS_DAYS
    covid = Crisis.objects.get(name="Covid-19")
    outbreak = Crisis.objects.exclude(pk=covid.pk).get(status=Crisis.Status.STOOD_DOWN)
    Crisis.objects.filter(pk=covid.pk).update(stood_down_at=days_ago(now, days + 1))
    Crisis.objects.filter(pk=outbreak.pk).update(stood_down_at=days_ago(now, days - 1))
    return covid, outbreak


def _figures(crisis: Crisis) -> Any:
    submitted = Value.objects.filter(report__crisis=crisis, report__status="submitted")
    return submitted.aggregate(total=Sum("number"))["total"], submitted.count()


def test_crisis_reports_lose_texts_and_drafts_after_stand_down(
    crises: tuple[Crisis, Crisis],
) -> None:
    covid, outbreak = crises
    assert Value.objects.filter(report__crisis=covid).exclude(text="").exists()
    assert Report.objects.filter(crisis=covid, status=Report.Status.DRAFT).exists()
    figures = _figures(covid)
    outbreak_texts = Value.objects.filter(report__crisis=outbreak).exclude(text="").count()
    assert outbreak_texts

    apply_all()

    values = Value.objects.filter(report__crisis=covid)
    assert not values.exclude(text="").exists()
    assert not values.exclude(comment="").exists()
    assert not Report.objects.filter(crisis=covid, status=Report.Status.DRAFT).exists()
    for revision in ReportRevision.objects.filter(report__crisis=covid):
        assert not any(v.get("text") or v.get("comment") for v in revision.values.values())
    # Every figure and who submitted stay.
    assert _figures(covid) == figures
    assert Report.objects.filter(crisis=covid, submitted_by__isnull=False).exists()
    # Stood down inside the period: untouched.
    assert Value.objects.filter(report__crisis=outbreak).exclude(text="").count() == outbreak_texts


# --- the audit trail ----------------------------------------------------------------


def test_audit_entries_older_than_the_period_are_deleted(now: datetime.datetime) -> None:
    days = settings.SAMSPILL_RETAIN_AUDIT_DAYS
    kind = ContentType.objects.get_for_model(User)
    old, kept = (
        LogEntry.objects.create(
            content_type=kind,
            object_pk="1",
            object_repr="x",
            action=LogEntry.Action.UPDATE,
            timestamp=days_ago(now, age),
        )
        for age in (days + 1, days - 1)
    )
    apply_all()
    assert not LogEntry.objects.filter(pk=old.pk).exists()
    assert LogEntry.objects.filter(pk=kept.pk).exists()


# --- sessions -----------------------------------------------------------------------


def test_records_of_ended_sessions_are_deleted_and_live_ones_kept(
    people: Any, now: datetime.datetime
) -> None:
    live, ended = SessionStore(), SessionStore()
    for store in (live, ended):
        store.create()
    Session.objects.filter(session_key=ended.session_key).update(expire_date=days_ago(now, 1))
    for store in (live, ended):
        UserSession.objects.create(user=people.lena, session_key=str(store.session_key))
    UserSession.objects.create(user=people.lena, session_key="gone-from-the-store")

    assert counts(dry_run=True)["accounts.ended_sessions"] == 3  # 2 records, 1 session
    apply_all()

    kept = set(UserSession.objects.filter(user=people.lena).values_list("session_key", flat=True))
    assert kept == {live.session_key}
    assert not Session.objects.filter(session_key=ended.session_key).exists()


# --- people who left ----------------------------------------------------------------


def _end_every_role(user: User, day: datetime.date, *, seats: bool = True) -> None:
    for model in (Membership, PartnershipRole):
        model.objects.filter(user=user).update(valid_to=day)
    if seats:
        Appointment.objects.filter(person=user).update(valid_to=day)


def test_a_person_whose_roles_ended_cannot_log_in_but_keeps_their_name(
    people: Any, now: datetime.datetime
) -> None:
    days = settings.SAMSPILL_RETAIN_LEFT_PEOPLE_DAYS
    kai = people.kai
    client = Client()
    response = client.post("/konto/logg-inn/", {"email": kai.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert UserSession.objects.filter(user=kai).exists()
    reported = Deviation.objects.filter(reported_by=kai).first()
    assert reported is not None
    _end_every_role(kai, timezone.localdate() - datetime.timedelta(days=days))

    assert counts(dry_run=True)["partnerships.left_people"] == 1
    assert counts()["partnerships.left_people"] == 1

    kai.refresh_from_db()
    assert not kai.is_active and not kai.has_usable_password()
    # The session is over, and the password no longer opens a new one.
    assert client.get("/konto/").status_code == 302
    assert not UserSession.objects.filter(user=kai).exists()
    again = Client().post("/konto/logg-inn/", {"email": kai.email, "password": DEMO_PASSWORD})
    assert again.status_code == 200
    # Their name stays on what they did.
    reported.refresh_from_db()
    assert reported.reported_by == kai and kai.full_name == "Kai Tobeint"
    # The audit trail says the account was deactivated.
    assert any("is_active" in (e.changes or {}) for e in LogEntry.objects.get_for_object(kai))


def test_a_seat_or_a_recent_end_keeps_the_log_in(people: Any, now: datetime.datetime) -> None:
    days = settings.SAMSPILL_RETAIN_LEFT_PEOPLE_DAYS
    today = timezone.localdate()
    # Nils's membership ended long ago, but he still sits in a council.
    _end_every_role(people.nils, today - datetime.timedelta(days=days + 30), seats=False)
    # Lena's roles all ended, one day short of the period.
    _end_every_role(people.lena, today - datetime.timedelta(days=days - 1))
    apply_all()
    for person in (people.nils, people.lena, people.otto):  # Otto never had a role
        person.refresh_from_db()
        assert person.is_active and person.has_usable_password()


# --- the job as a whole -------------------------------------------------------------


def test_a_dry_run_changes_nothing_and_counts_what_a_run_does(
    two_closed: tuple[Deviation, Deviation], crises: tuple[Crisis, Crisis]
) -> None:
    old, _recent = two_closed
    entries = LogEntry.objects.count()
    texts = Value.objects.exclude(text="").count()

    planned = counts(dry_run=True)

    assert LogEntry.objects.count() == entries
    assert Value.objects.exclude(text="").count() == texts
    old.refresh_from_db()
    assert old.description
    assert planned["deviations.closed_texts"] >= 1
    assert planned["crisis.report_texts"] >= 1
    assert counts() == planned


def test_a_second_run_finds_nothing_left(
    two_closed: tuple[Deviation, Deviation], crises: tuple[Crisis, Crisis]
) -> None:
    first = counts()
    assert first["deviations.closed_texts"] and first["crisis.report_texts"]
    assert counts() == dict.fromkeys(RULES, 0)


def test_the_command_prints_a_count_and_writes_an_audit_entry_per_rule(
    two_closed: tuple[Deviation, Deviation],
) -> None:
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert not run_entries().exists()
    assert all(f"{key} (" in out.getvalue() for key in RULES)
    assert "would remove or empty" in out.getvalue()

    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    days = settings.SAMSPILL_RETAIN_CLOSED_DEVIATIONS_DAYS
    assert f"deviations.closed_texts (SAMSPILL_RETAIN_CLOSED_DEVIATIONS_DAYS={days}" in (
        out.getvalue()
    )
    entries = {e.additional_data["rule"]: e for e in run_entries()}
    assert sorted(entries) == sorted(RULES)
    deviations = entries["deviations.closed_texts"].additional_data
    assert deviations["count"] >= 1
    assert deviations["days"] == settings.SAMSPILL_RETAIN_CLOSED_DEVIATIONS_DAYS
