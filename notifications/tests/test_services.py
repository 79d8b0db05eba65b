"""notify, notify_many and send_digests: what is recorded, who is e-mailed
when, and that the e-mails carry the headline and the link only."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from followups.tests.conftest import make_followup
from notifications import services
from notifications.models import Notification, NotificationPreference
from notifications.tests.conftest import bodies_by_recipient, make_users

Kind = Notification.Kind
DIGEST = NotificationPreference.Delivery.DIGEST
PATH = "/hnt/intern/rad/asu/"
HEADLINE = "ASU 12.03.2026: innkalling publisert"
SECRET = "FORTROLIG-INNHOLD-7731"


def _notify(hnt: Any, users: list[Any], **overrides: Any) -> int:
    values: dict[str, Any] = {
        "partnership": hnt,
        "headline": HEADLINE,
        "path": PATH,
        **overrides,
    }
    kind = values.pop("kind", Kind.NOTICE_PUBLISHED)
    return services.notify(kind, users, **values)


def test_it_records_and_e_mails_once_the_transaction_commits(
    people: Any, hnt: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert _notify(hnt, [people.lena, people.nils]) == 2
        # Nothing is e-mailed before the commit.
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert set(bodies_by_recipient()) == {"lena@levanger.example", "nils@namsos.example"}
    rows = Notification.objects.filter(path=PATH)
    assert {n.user_id for n in rows} == {people.lena.pk, people.nils.pk}
    assert all(n.sent_at is not None for n in rows)
    assert all(n.kind == Kind.NOTICE_PUBLISHED and n.partnership == hnt for n in rows)


def test_nothing_is_e_mailed_when_the_transaction_does_not_commit(
    people: Any, hnt: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify(hnt, [people.lena])
    assert len(callbacks) == 1
    assert mail.outbox == []
    assert Notification.objects.get(user=people.lena, path=PATH).sent_at is None


@override_settings(SITE_URL="https://samspill.example.no")
def test_the_e_mail_holds_the_headline_and_the_link_only(
    people: Any, hnt: Any, django_capture_on_commit_callbacks: Any
) -> None:
    followup = make_followup(people, title="Ny rutine for KAD", description=SECRET)
    path = f"/hnt/intern/oppfolging/{followup.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        _notify(hnt, [people.lena], kind=Kind.FOLLOWUP_DUE, headline="Ny rutine for KAD", path=path)
    (message,) = mail.outbox
    assert message.to == ["lena@levanger.example"]
    assert SECRET not in message.body
    # The list in the body is exactly the kind with the headline, and the link.
    lines = message.body.splitlines()
    with translation.override(settings.LANGUAGE_CODE):  # e-mails use the site's language
        label = str(Kind.FOLLOWUP_DUE.label)
    index = lines.index(f"- {label}: Ny rutine for KAD")
    assert lines[index + 1] == f"  https://samspill.example.no{path}"
    # The link to the preferences page.
    assert "https://samspill.example.no/konto/varsler/" in message.body
    assert "Ny rutine for KAD" not in message.subject


def test_the_headline_is_plain_text_on_one_line(
    people: Any, hnt: Any, django_capture_on_commit_callbacks: Any
) -> None:
    headline = "<b>Møte</b> %(name)s {{ user }}\nneste linje"
    with django_capture_on_commit_callbacks(execute=True):
        _notify(hnt, [people.lena], headline=headline)
    stored = Notification.objects.get(user=people.lena, path=PATH).headline
    assert stored == "<b>Møte</b> %(name)s {{ user }} neste linje"
    assert f": {stored}\n" in mail.outbox[0].body
    assert "&lt;" not in mail.outbox[0].body


def test_a_long_headline_is_cut(people: Any, hnt: Any) -> None:
    _notify(hnt, [people.lena], headline="x" * 400)
    stored = Notification.objects.get(user=people.lena, path=PATH).headline
    assert len(stored) == Notification.HEADLINE_MAX_LENGTH
    assert stored.endswith("…")


def test_digest_people_wait_for_the_digest(
    people: Any, hnt: Any, django_capture_on_commit_callbacks: Any
) -> None:
    services.set_delivery(people.nils, DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(hnt, [people.lena, people.nils])
        _notify(hnt, [people.nils], kind=Kind.MINUTES_FOR_APPROVAL, path="/hnt/intern/rad/psu/")
    assert set(bodies_by_recipient()) == {"lena@levanger.example"}
    assert Notification.objects.filter(user=people.nils, sent_at__isnull=True).count() == 2
    mail.outbox.clear()
    now = timezone.now()
    assert services.send_digests(now) == 1
    (message,) = mail.outbox
    assert message.to == ["nils@namsos.example"]
    assert "/hnt/intern/rad/asu/" in message.body and "/hnt/intern/rad/psu/" in message.body
    assert set(Notification.objects.filter(user=people.nils).values_list("sent_at", flat=True)) == {
        now
    }


def test_a_second_digest_run_sends_nothing(people: Any, hnt: Any) -> None:
    services.set_delivery(people.nils, DIGEST)
    _notify(hnt, [people.nils])
    assert services.send_digests() == 1
    assert services.send_digests() == 0
    assert len(mail.outbox) == 1


def test_the_digest_also_sends_what_immediate_people_still_have_waiting(
    people: Any, hnt: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Lena had the digest, then chose immediate e-mails: what was recorded
    before goes with the next digest run rather than waiting for ever."""
    services.set_delivery(people.lena, DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(hnt, [people.lena])
    assert mail.outbox == []
    services.set_delivery(people.lena, NotificationPreference.Delivery.IMMEDIATE)
    assert services.send_digests() == 1
    assert mail.outbox[0].to == ["lena@levanger.example"]


def test_an_unsent_duplicate_is_refreshed_not_repeated(
    people: Any, hnt: Any, django_capture_on_commit_callbacks: Any
) -> None:
    services.set_delivery(people.nils, DIGEST)
    _notify(hnt, [people.nils, people.nils], headline="Første versjon")
    first = Notification.objects.get(user=people.nils, path=PATH)
    assert _notify(hnt, [people.nils], headline="Andre versjon") == 1
    (only,) = Notification.objects.filter(user=people.nils, path=PATH)
    assert only.pk == first.pk
    assert only.headline == "Andre versjon"
    assert only.created >= first.created
    # Another kind, or the same after it was sent, is a new notification.
    _notify(hnt, [people.nils], kind=Kind.PAPERS_CHANGED)
    services.send_digests()
    _notify(hnt, [people.nils], headline="Tredje versjon")
    assert Notification.objects.filter(user=people.nils).count() == 3


def test_inactive_people_are_skipped(people: Any, hnt: Any) -> None:
    people.hanne.is_active = False
    people.hanne.save()
    assert _notify(hnt, [people.hanne, people.lena]) == 1
    assert not Notification.objects.filter(user=people.hanne).exists()


def test_people_made_inactive_before_sending_get_nothing(people: Any, hnt: Any) -> None:
    _notify(hnt, [people.lena])
    people.lena.is_active = False
    people.lena.save()
    assert services.send_digests() == 0
    assert mail.outbox == []


def test_several_items_for_one_person_make_one_e_mail(
    people: Any, hnt: Any, django_capture_on_commit_callbacks: Any
) -> None:
    items = [
        services.Item(people.lena, Kind.FOLLOWUP_DUE, hnt, f"Tiltak {i}", f"/hnt/intern/t/{i}/")
        for i in range(3)
    ] + [services.Item(people.nils, Kind.INPUT_REQUESTED, hnt, "Innspill", "/hnt/intern/i/")]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify_many(items) == 4
    recipients = bodies_by_recipient()
    assert set(recipients) == {"lena@levanger.example", "nils@namsos.example"}
    lena = recipients["lena@levanger.example"].body
    assert all(f"/hnt/intern/t/{i}/" in lena for i in range(3))
    assert "/hnt/intern/i/" not in lena


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"path": "https://evil.example/"}, ValidationError),
        ({"path": "//evil.example/"}, ValidationError),
        ({"path": ""}, ValidationError),
        ({"headline": "Gjelder 30108299920"}, ValidationError),
        ({"kind": "gossip"}, ValueError),
    ],
)
def test_it_refuses_bad_input(
    people: Any, hnt: Any, overrides: dict[str, str], error: type[Exception]
) -> None:
    with pytest.raises(error):
        _notify(hnt, [people.lena], **overrides)
    assert not Notification.objects.filter(user=people.lena).exists()


def _queries_for(hnt: Any, users: list[Any], capture: Any) -> tuple[int, int]:
    """Queries of notify itself, and of the e-mailing after the commit."""
    with capture(execute=False) as callbacks, CaptureQueriesContext(connection) as recording:
        _notify(hnt, users)
    with CaptureQueriesContext(connection) as sending:
        for callback in callbacks:
            callback()
    return len(recording), len(sending)


def test_notify_costs_the_same_for_one_person_or_twenty(
    people: Any, hnt: Any, django_capture_on_commit_callbacks: Any
) -> None:
    one = make_users(1, prefix="one")
    twenty = make_users(20, prefix="many")
    for user in twenty[::2]:
        services.set_delivery(user, DIGEST)
    # notify: savepoint, the matching unsent notifications, one bulk insert,
    # release; after the commit: savepoint, the unsent notifications of the
    # immediate people (preferences as a subquery), one update, release.
    first = _queries_for(hnt, one, django_capture_on_commit_callbacks)
    assert first == (4, 4)
    assert _queries_for(hnt, twenty, django_capture_on_commit_callbacks) == first
    assert len(mail.outbox) == 1 + 10
    # Again: the digest half's unsent notifications are refreshed (+ one bulk
    # update), the immediate half get new ones.
    assert _queries_for(hnt, twenty, django_capture_on_commit_callbacks) == (5, 4)
    assert Notification.objects.filter(user__in=twenty).count() == 30
    assert len(mail.outbox) == 1 + 10 + 10


def test_send_digests_takes_a_time(people: Any, hnt: Any) -> None:
    _notify(hnt, [people.lena])
    when = timezone.now() - datetime.timedelta(hours=1)
    services.send_digests(when)
    assert Notification.objects.get(user=people.lena, path=PATH).sent_at == when


def test_nothing_is_recorded_or_sent_while_quiet(
    people: Any, hnt: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from notifications.services import notify, quiet

    with django_capture_on_commit_callbacks(execute=True), quiet():
        count = notify(
            Notification.Kind.NOTICE_PUBLISHED,
            [people.lena],
            partnership=hnt,
            headline="ASU",
            path="/hnt/intern/",
        )
    assert count == 0
    assert not Notification.objects.filter(user=people.lena, headline="ASU").exists()
    assert not mail.outbox
