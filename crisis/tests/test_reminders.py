"""Reminders of situation reports, with a frozen clock: once when the
reminder window before the deadline opens, once after the deadline, never
twice for the same party, period and stage; to the coordinators and leaders
of parties that have not submitted; headlines with the crisis and period,
never a value."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from crisis import periods, services
from crisis.models import Crisis
from crisis.reminders import DUE, LATE, reminder_path, send_reminders, stage_at
from crisis.tests.conftest import hf, kommune_values, levanger, make_crisis, namsos, period
from notifications.models import Notification

HOUR = datetime.timedelta(hours=1)


def _sent(crisis: Crisis, user: Any = None) -> list[Notification]:
    rows = Notification.objects.filter(
        kind=Notification.Kind.CRISIS_REPORT_DUE,
        path__startswith=f"/hnt/intern/krise/{crisis.pk}/",
    ).order_by("pk")
    if user is not None:
        rows = rows.filter(user=user)
    return list(rows)


def _deadline(crisis: Crisis) -> datetime.datetime:
    """The kommuner's deadline for the reporting period (the hospital's is
    twelve hours earlier on the Covid-19 form)."""
    return periods.deadline(crisis.form, levanger(), period(crisis))


def test_nobody_is_reminded_before_the_window_opens(people: Any) -> None:
    crisis = make_crisis(people.sara)
    before = _deadline(crisis) - datetime.timedelta(hours=crisis.form.reminder_hours_before) - HOUR
    send_reminders(before)
    assert _sent(crisis, people.lena) == []
    # The hospital's deadline is twelve hours earlier: its window is open.
    assert _sent(crisis, people.hanne) != []


def test_the_window_opening_reminds_once_then_the_deadline_once(people: Any) -> None:
    crisis = make_crisis(people.sara)
    start = period(crisis)
    deadline = _deadline(crisis)
    due_path = reminder_path(crisis, levanger(), start, DUE)
    late_path = reminder_path(crisis, levanger(), start, LATE)

    send_reminders(deadline - HOUR)
    send_reminders(deadline - HOUR / 2)
    assert [n.path for n in _sent(crisis, people.lena)] == [due_path]

    send_reminders(deadline + HOUR)
    send_reminders(deadline + 5 * HOUR)
    assert [n.path for n in _sent(crisis, people.lena)] == [due_path, late_path]
    # The link opens the form.
    form_path = due_path.split("?")[0]
    assert late_path.startswith(form_path)
    assert form_path.endswith(f"/rapport/{levanger().pk}/{start.isoformat()}/")


def test_each_party_is_reminded_at_its_own_deadline(people: Any) -> None:
    crisis = make_crisis(people.sara)
    start = period(crisis)
    # An hour before the kommuner's deadline the hospital's has passed.
    send_reminders(_deadline(crisis) - HOUR)
    assert [n.path for n in _sent(crisis, people.hanne)] == [
        reminder_path(crisis, hf(), start, LATE)
    ]
    assert [n.path for n in _sent(crisis, people.nils)] == [
        reminder_path(crisis, namsos(), start, DUE)
    ]
    assert _sent(crisis, people.sara) == []
    assert _sent(crisis, people.stine) == []


def test_a_submitted_report_is_not_reminded_about(people: Any) -> None:
    crisis = make_crisis(people.sara)
    services.save_report(
        crisis, levanger(), period(crisis), kommune_values(), by=people.lena, submit=True
    )
    send_reminders(_deadline(crisis) - HOUR)
    send_reminders(_deadline(crisis) + HOUR)
    assert _sent(crisis, people.lena) == []
    assert _sent(crisis, people.nils) != []


def test_the_headline_names_crisis_and_period_but_no_value(people: Any) -> None:
    crisis = make_crisis(people.sara, name="Covid-19 varsel")
    services.save_report(
        crisis,
        levanger(),
        period(crisis),
        kommune_values(smittetall="4711", utfordringer="Hemmelig"),
        by=people.lena,
        submit=False,
    )
    send_reminders(_deadline(crisis) + HOUR)
    [notification] = _sent(crisis, people.lena)
    assert "Covid-19 varsel" in notification.headline
    assert str(period(crisis).isocalendar()[1]) in notification.headline
    assert "4711" not in notification.headline
    assert "Hemmelig" not in notification.headline


def test_locked_reports_and_stood_down_crises_are_left_alone(people: Any) -> None:
    crisis = make_crisis(people.sara)
    start = period(crisis)
    assert (
        stage_at(crisis, levanger(), start, periods.lock_at(crisis.form, levanger(), start)) is None
    )
    services.stand_down(crisis, by=people.sara)
    send_reminders(_deadline(crisis) + HOUR)
    assert _sent(crisis) == []


def test_the_command_takes_a_moment(people: Any) -> None:
    crisis = make_crisis(people.sara)
    moment = timezone.localtime(_deadline(crisis) + HOUR).replace(tzinfo=None)
    out = StringIO()
    call_command("send_crisis_reminders", "--now", moment.isoformat(), stdout=out)
    assert "Reminded about" in out.getvalue()
    first = len(_sent(crisis))
    assert first > 0
    call_command("send_crisis_reminders", "--now", moment.isoformat(), stdout=StringIO())
    assert len(_sent(crisis)) == first
