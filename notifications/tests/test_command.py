"""manage.py send_notification_digest."""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.core import mail
from django.core.management import call_command

from notifications import services
from notifications.models import Notification


def test_the_command_sends_the_digest_and_says_how_many(people: Any, hnt: Any) -> None:
    services.set_delivery(people.nils, "digest")
    services.notify(
        Notification.Kind.MINUTES_FOR_APPROVAL,
        [people.nils],
        partnership=hnt,
        headline="PSU: protokoll til godkjenning",
        path="/hnt/intern/rad/psu/",
    )
    out = StringIO()
    call_command("send_notification_digest", stdout=out)
    assert "Sent 1 " in out.getvalue()
    assert [m.to for m in mail.outbox] == [["nils@namsos.example"]]
    out = StringIO()
    call_command("send_notification_digest", stdout=out)
    assert "Sent 0 " in out.getvalue()
    assert len(mail.outbox) == 1
