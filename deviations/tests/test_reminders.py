"""Reminders of answer deadlines, with a frozen "today": once when the
reminder window opens, the day after the deadline and then weekly, never
twice the same day, never for answered or closed deviations; to the
receiving party's coordinators and leaders; e-mails with number, date and
link only."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from deviations import services
from deviations.models import Deviation, DeviationCategory
from notifications.models import Notification
from partnerships.models import Membership, Organisation, Partnership

# A fixed day, after the demo memberships began (they start on the real today).
TODAY = timezone.localdate() + datetime.timedelta(days=10)
SECRET = "Pasienten kom hjem uten epikrise fra ortopedisk sengepost"


def levanger() -> Organisation:
    return Organisation.objects.get(municipality_number="5037")


def trust() -> Organisation:
    return Organisation.objects.get(name="Helse Nord-Trøndelag HF")


@pytest.fixture(autouse=True)
def _only_ours(people: Any) -> None:
    """The demo's own open deviations would be reminded about too: they are
    closed first, so each test counts only its own."""
    Deviation.objects.filter(status__in=Deviation.OPEN_STATUSES).update(
        status=Deviation.Status.CLOSED
    )


def make_deviation(
    people: Any,
    *,
    deadline: datetime.date,
    reporter: Organisation | None = None,
    receiver: Organisation | None = None,
    status: str = Deviation.Status.SUBMITTED,
) -> Deviation:
    """A deviation reported through the service, then given a deadline and
    a status as if time had passed."""
    hnt = Partnership.objects.get(slug="hnt")
    services.ensure_categories(hnt)
    reporter = reporter or trust()
    receiver = receiver or levanger()
    deviation = services.report(
        hnt,
        {
            "reporting_organisation": reporter,
            "receiving_organisation": receiver,
            "receiving_unit": "Hjemmetjenesten",
            "occurred_at": timezone.now() - datetime.timedelta(days=1),
            "category": DeviationCategory.objects.get(partnership=hnt, code="C"),
            "description": SECRET,
            "consequence": Deviation.Consequence.MINOR,
        },
        by=people.hanne,
        own=frozenset({reporter.pk}),
    )
    Deviation.objects.filter(pk=deviation.pk).update(response_deadline=deadline, status=status)
    deviation.refresh_from_db()
    return deviation


@pytest.fixture
def remind(django_capture_on_commit_callbacks: Any) -> Any:
    """send_reminders as the daily run does it: immediate e-mails go out
    when its transaction commits (the test's own transaction never does)."""

    def run(today: datetime.date) -> int:
        mail.outbox.clear()
        Notification.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            return services.send_reminders(today)

    return run


def _days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


# Deadline = TODAY + offset; reminder days = 5 (the default).
@pytest.mark.parametrize(
    ("offset", "reminded"),
    [
        (6, False),  # the window opens tomorrow
        (5, True),  # the window opens today
        (4, False),  # reminded when it opened, not again every day
        (0, False),  # due today: the day after it passes is the next reminder
        (-1, True),  # passed yesterday
        (-2, False),
        (-7, False),
        (-8, True),  # a week later
        (-9, False),
        (-15, True),  # and weekly after that
        (-29, True),
    ],
)
def test_when_a_reminder_is_due(remind: Any, people: Any, offset: int, reminded: bool) -> None:
    make_deviation(people, deadline=_days(offset))
    # The daily run has run every day of the last six weeks.
    for back in range(42, 0, -1):
        remind(TODAY - datetime.timedelta(days=back))
    Notification.objects.all().delete()
    assert remind(TODAY) == int(reminded)
    assert Notification.objects.filter(kind="deviation_due").exists() == reminded


def test_the_window_follows_the_partnerships_reminder_days(remind: Any, people: Any) -> None:
    config = services.config_for(Partnership.objects.get(slug="hnt"))
    config.reminder_days_before = 2
    config.save()
    first = make_deviation(people, deadline=_days(2))
    second = make_deviation(people, deadline=_days(6))
    assert remind(TODAY) == 1
    first.refresh_from_db()
    assert first.last_reminded_on == TODAY
    # The second's window opens; the first's deadline has passed since.
    assert remind(_days(4)) == 2
    second.refresh_from_db()
    assert second.last_reminded_on == _days(4)


@pytest.mark.parametrize(
    ("status", "reminded"),
    [
        (Deviation.Status.SUBMITTED, True),
        (Deviation.Status.RECEIVED, True),
        (Deviation.Status.IN_PROGRESS, True),
        (Deviation.Status.ANSWERED, False),
        (Deviation.Status.CLOSED, False),
        (Deviation.Status.DRAFT, False),
    ],
)
def test_only_open_deviations_are_reminded_about(
    remind: Any, people: Any, status: str, reminded: bool
) -> None:
    make_deviation(people, deadline=_days(-1), status=status)
    make_deviation(people, deadline=_days(5), status=status)
    assert remind(TODAY) == 2 * int(reminded)


def test_never_twice_the_same_day(remind: Any, people: Any) -> None:
    deviation = make_deviation(people, deadline=_days(-1))
    assert remind(TODAY) == 1
    assert len(mail.outbox) == 1
    with_first_run = Notification.objects.count()
    mail.outbox.clear()
    assert services.send_reminders(TODAY) == 0
    assert Notification.objects.count() == with_first_run
    assert mail.outbox == []
    deviation.refresh_from_db()
    assert deviation.last_reminded_on == TODAY


def test_the_receiving_partys_coordinators_and_leaders_are_reminded(
    remind: Any, people: Any
) -> None:
    leader = User.objects.create_user(email="leder@levanger.example", full_name="Leder Levanger")
    member = User.objects.create_user(email="ansatt@levanger.example", full_name="Ansatt")
    former = User.objects.create_user(email="tidligere@levanger.example", full_name="Tidligere")
    Membership.objects.create(user=leader, organisation=levanger(), role="leader")
    Membership.objects.create(user=member, organisation=levanger(), role="member")
    Membership.objects.create(
        user=former,
        organisation=levanger(),
        role="coordinator",
        valid_from=timezone.localdate() - datetime.timedelta(days=30),
        valid_to=timezone.localdate(),
    )
    # Reported by the HF to Levanger: Levanger's people answer.
    deviation = make_deviation(people, deadline=_days(-1))
    assert remind(TODAY) == 1
    notified = Notification.objects.filter(kind=Notification.Kind.DEVIATION_DUE)
    assert set(notified.values_list("user__email", flat=True)) == {
        "lena@levanger.example",
        "leder@levanger.example",
    }
    for notification in notified:
        assert notification.path == f"/hnt/intern/avvik/{deviation.pk}/"
        assert notification.partnership.slug == "hnt"
        assert deviation.number in notification.headline
    assert sorted(m.to[0] for m in mail.outbox) == [
        "leder@levanger.example",
        "lena@levanger.example",
    ]


def test_a_deviation_to_the_trust_reminds_its_leader_not_the_reporter(
    remind: Any, people: Any
) -> None:
    make_deviation(people, reporter=levanger(), receiver=trust(), deadline=_days(5))
    assert remind(TODAY) == 1
    # Hanne leads the HF; Sara is only a member there; Lena reported.
    assert list(Notification.objects.values_list("user__email", flat=True)) == [
        "hanne@hnt-hf.example"
    ]


@override_settings(SITE_URL="https://samspill.example.no")
def test_the_e_mail_holds_number_date_and_link_only(remind: Any, people: Any) -> None:
    deviation = make_deviation(people, deadline=_days(-8))
    remind(TODAY)
    (message,) = mail.outbox
    assert message.to == ["lena@levanger.example"]
    assert deviation.number in message.body
    assert _days(-8).isoformat() in message.body
    assert f"https://samspill.example.no/hnt/intern/avvik/{deviation.pk}/" in message.body
    for secret in (SECRET, "Hjemmetjenesten", "Ved utskrivning", "Helse Nord-Trøndelag"):
        assert secret not in message.body
        assert secret not in message.subject


def test_the_command_sends_and_says_how_many(
    people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_deviation(people, deadline=_days(5))
    make_deviation(people, deadline=_days(-1))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_deviation_reminders", "--date", TODAY.isoformat(), stdout=out)
    assert f"Reminded about 2 deviation(s) for {TODAY.isoformat()}." in out.getvalue()
    assert len(mail.outbox) == 1  # Lena: one e-mail listing both
    out = StringIO()
    call_command("send_deviation_reminders", "--date", TODAY.isoformat(), stdout=out)
    assert "Reminded about 0 " in out.getvalue()


def test_a_missed_daily_run_still_reminds_the_next_day(remind: Any, people: Any) -> None:
    # The run on the day the window opened (TODAY - 1) did not happen.
    make_deviation(people, deadline=_days(4))
    # The day after the deadline passed: the run did not happen either.
    make_deviation(people, deadline=_days(-2))
    assert remind(TODAY) == 2
