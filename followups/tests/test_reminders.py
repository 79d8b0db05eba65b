"""Reminders: who gets them, what they say (links only), once a day, by e-mail
at once or in the daily digest as each person chose (through the
notifications app)."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from followups import services
from followups.models import FollowUp
from followups.tests.conftest import levanger, make_followup, namsos
from notifications.models import Notification, NotificationPreference
from notifications.services import send_digests, set_delivery
from partnerships.models import Membership

# A fixed "today" passed to the service; after the demo memberships began
# (they start on the real today).
TODAY = timezone.localdate() + datetime.timedelta(days=10)
SECRET = "Fortrolig: drøfting av bemanning ved legevakta"


def _days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def _due(people: Any, **overrides: Any) -> FollowUp:
    return make_followup(people, description=SECRET, deadline=_days(3), **overrides)


@pytest.fixture
def remind(django_capture_on_commit_callbacks: Any) -> Any:
    """send_reminders as a daily run does it: the immediate e-mails go out
    when its transaction commits (the test's own transaction never does)."""

    def run(today: datetime.date) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return services.send_reminders(today)

    return run


def _by_recipient() -> dict[str, Any]:
    result = {}
    for message in mail.outbox:
        (address,) = message.to
        assert address not in result, f"{address} got more than one e-mail"
        result[address] = message
    return result


@override_settings(SITE_URL="https://samspill.example.no")
def test_the_responsible_person_gets_links_only(remind: Any, people: Any) -> None:
    followup = _due(people, responsible_person=people.hanne, title="Ny rutine for KAD")
    services.add_log_entry(followup, by=people.lena, text="Loggtekst som er intern")
    assert remind(TODAY) == 1
    message = _by_recipient()["hanne@hnt-hf.example"]
    assert "Ny rutine for KAD" in message.body
    assert f"https://samspill.example.no/hnt/intern/oppfolging/{followup.pk}/" in message.body
    assert SECRET not in message.body
    assert "Loggtekst som er intern" not in message.body
    assert "Ny rutine for KAD" not in message.subject


def test_without_a_person_the_partys_coordinators_are_reminded(remind: Any, people: Any) -> None:
    Membership.objects.create(
        user=people.hanne, organisation=levanger(), role=Membership.Role.LEADER
    )
    _due(people, responsible_organisation=levanger())
    assert remind(TODAY) == 1
    # Lena is Levanger's coordinator; Hanne is only a leader there.
    assert set(_by_recipient()) == {"lena@levanger.example"}


def test_ended_coordinators_and_inactive_people_are_not_reminded(remind: Any, people: Any) -> None:
    Membership.objects.filter(user=people.nils).update(valid_to=TODAY)
    _due(people, responsible_organisation=namsos())
    people.hanne.is_active = False
    people.hanne.save()
    _due(people, responsible_person=people.hanne)
    assert remind(TODAY) == 0
    assert mail.outbox == []


def test_each_person_gets_one_e_mail_listing_all_their_follow_ups(remind: Any, people: Any) -> None:
    first = _due(people, title="Første tiltak", responsible_organisation=levanger())
    second = _due(
        people,
        title="Andre tiltak",
        responsible_organisation=namsos(),
        responsible_person=people.lena,
    )
    _due(people, title="Tredje tiltak", responsible_organisation=namsos())
    assert remind(TODAY) == 2
    recipients = _by_recipient()
    lena = recipients["lena@levanger.example"].body
    assert "Første tiltak" in lena and "Andre tiltak" in lena and "Tredje tiltak" not in lena
    assert f"/oppfolging/{first.pk}/" in lena and f"/oppfolging/{second.pk}/" in lena
    assert "Tredje tiltak" in recipients["nils@namsos.example"].body


@pytest.mark.parametrize(
    ("deadline", "review_date", "status", "reminded"),
    [
        (7, None, "planned", True),  # deadline within a week
        (8, None, "planned", False),  # not yet
        (-30, None, "in_progress", True),  # overdue
        (None, 0, "planned", True),  # review date today
        (None, -2, "planned", True),  # review date past
        (None, 1, "planned", False),  # review date tomorrow
        (None, None, "planned", False),  # no dates
        (-1, -1, "done", False),  # closed
        (-1, -1, "cancelled", False),  # closed
    ],
)
def test_which_follow_ups_are_due(
    remind: Any,
    people: Any,
    deadline: int | None,
    review_date: int | None,
    status: str,
    reminded: bool,
) -> None:
    followup = make_followup(
        people,
        responsible_person=people.lena,
        deadline=_days(deadline) if deadline is not None else None,
        review_date=_days(review_date) if review_date is not None else None,
    )
    FollowUp.objects.filter(pk=followup.pk).update(status=status)
    assert remind(TODAY) == int(reminded)


def test_a_second_run_the_same_day_sends_nothing_and_the_next_day_again(
    remind: Any, people: Any
) -> None:
    followup = _due(people, responsible_person=people.lena)
    assert remind(TODAY) == 1
    assert remind(TODAY) == 0
    assert len(mail.outbox) == 1
    followup.refresh_from_db()
    assert followup.last_reminded_on == TODAY
    assert remind(_days(1)) == 1
    assert len(mail.outbox) == 2


def test_the_command_sends_and_says_how_many(
    people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _due(people, responsible_person=people.lena)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_followup_reminders", "--date", TODAY.isoformat(), stdout=out)
    assert "Reminded 1 " in out.getvalue()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_followup_reminders", "--date", TODAY.isoformat(), stdout=out)
    assert "Reminded 0 " in out.getvalue()
    assert len(mail.outbox) == 1


def test_the_reminder_is_a_follow_up_notification(remind: Any, people: Any) -> None:
    followup = _due(people, responsible_person=people.lena, title="Ny rutine for KAD")
    remind(TODAY)
    notification = Notification.objects.get(user=people.lena)
    assert notification.kind == Notification.Kind.FOLLOWUP_DUE
    assert notification.path == f"/hnt/intern/oppfolging/{followup.pk}/"
    assert notification.headline.startswith("Ny rutine for KAD (")
    assert notification.partnership.slug == "hnt"
    assert notification.sent_at is not None


def test_people_who_chose_the_digest_get_it_the_next_morning(remind: Any, people: Any) -> None:
    set_delivery(people.lena, NotificationPreference.Delivery.DIGEST)
    followup = _due(people, responsible_person=people.lena, title="Ny rutine for KAD")
    _due(people, responsible_person=people.hanne, title="Hannes tiltak")
    assert remind(TODAY) == 2
    # Hanne (immediate) is e-mailed now; Lena waits for the digest.
    assert set(_by_recipient()) == {"hanne@hnt-hf.example"}
    # The next day's reminder refreshes Lena's unsent notification instead
    # of adding a second one.
    assert remind(_days(1)) == 2
    assert Notification.objects.filter(user=people.lena, sent_at__isnull=True).count() == 1
    mail.outbox.clear()
    assert send_digests() == 1
    (message,) = mail.outbox
    assert message.to == ["lena@levanger.example"]
    assert "Ny rutine for KAD" in message.body
    assert f"/hnt/intern/oppfolging/{followup.pk}/" in message.body
    assert SECRET not in message.body
