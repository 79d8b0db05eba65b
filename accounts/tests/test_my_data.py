"""What Samspill holds about me: the page on My page and the JSON download,
gathered from every app's personal_data.py (core/personal_data.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ExternalIdentity
from conftest import totp_device
from councils.models import Appointment
from deviations.models import Deviation, DeviationMessage
from followups.models import FollowUp, FollowUpLogEntry
from notifications.models import Notification
from partnerships.models import Membership

PAGE = "/konto/mine-data/"
DOWNLOAD = "/konto/mine-data/samspill-mine-data.json"


def download(client: Any) -> tuple[Any, dict[str, Any]]:
    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    return response, json.loads(response.content)


def sections(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {section["key"]: section["rows"] for section in data["sections"]}


def test_anonymous_visitors_are_sent_to_log_in(as_person: Any) -> None:
    for url in (PAGE, DOWNLOAD):
        response = as_person(None).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/konto/logg-inn/")


def test_the_download_is_a_json_file_kept_by_nobody_on_the_way(as_person: Any) -> None:
    response, data = download(as_person("lena"))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="samspill-mine-data-')
    assert "no-store" in response["Cache-Control"]
    assert "no-store" in as_person("lena").get(PAGE)["Cache-Control"]
    assert data["person"] == {"full_name": "Lena Koordinator", "email": "lena@levanger.example"}


def test_it_holds_the_persons_own_items(people: Any, as_person: Any) -> None:
    lena = people.lena
    deviation = Deviation.objects.filter(reported_by=lena).order_by("pk")[0]
    DeviationMessage.objects.create(deviation=deviation, author=lena, text="Lena svarer her.")
    followup = FollowUp.objects.filter(partnership__slug="hnt").order_by("pk")[0]
    FollowUpLogEntry.objects.create(followup=followup, author=lena, text="Lena sin merknad.")

    _response, data = download(as_person("lena"))
    rows = sections(data)

    assert rows["accounts.account"][0]["email"] == lena.email
    assert {m["organisation"] for m in rows["partnerships.memberships"]} == {
        m.organisation.name for m in Membership.objects.filter(user=lena)
    }
    assert len(rows["councils.seats"]) == Appointment.objects.filter(person=lena).count() > 0
    assert {d["number"] for d in rows["deviations.reported"]} == {
        d.number for d in Deviation.objects.filter(reported_by=lena)
    }
    assert "Lena svarer her." in {m["text"] for m in rows["deviations.messages"]}
    assert "Lena sin merknad." in {r["remark"] for r in rows["followups.log"]}
    # The page lists the same sections with their counts.
    page = as_person("lena").get(PAGE).content.decode()
    assert f'href="{DOWNLOAD}"' in page


def test_it_holds_nothing_of_another_persons(people: Any, as_person: Any) -> None:
    deviation = Deviation.objects.filter(reported_by=people.lena).order_by("pk")[0]
    DeviationMessage.objects.create(deviation=deviation, author=people.nils, text="Nils skriver.")
    Notification.objects.create(
        user=people.nils,
        partnership=deviation.partnership,
        kind=Notification.Kind.DEVIATION_MESSAGE,
        headline="Til Nils",
        path="/hnt/",
    )
    LogEntry.objects.log_create(
        deviation, action=LogEntry.Action.UPDATE, changes={"status": ["a", "b"]}, actor=people.nils
    )

    response, data = download(as_person("lena"))
    body = response.content.decode()

    assert people.nils.email not in body
    assert "Nils skriver." not in body and "Til Nils" not in body
    rows = sections(data)
    assert len(rows["core.audit_trail"]) == LogEntry.objects.filter(actor=people.lena).count()
    assert len(rows["notifications.notifications"]) == (
        Notification.objects.filter(user=people.lena).count()
    )


def test_secrets_are_said_to_exist_but_never_given(people: Any, as_person: Any) -> None:
    sara = people.sara
    device = totp_device(sara)
    response, data = download(as_person("sara"))
    body = response.content.decode()
    assert sara.password not in body
    assert device.key not in body
    second_factor = next(s for s in data["sections"] if s["key"] == "accounts.second_factor")
    assert second_factor["rows"][0]["kind"] == "authenticator app"
    assert second_factor["note"]
    assert TOTPDevice.objects.filter(user=sara).exists()


def _grow(people: Any) -> None:
    """More rows of every kind Lena has, in several apps."""
    lena = people.lena
    deviation = Deviation.objects.filter(reported_by=lena).order_by("pk")[0]
    followup = FollowUp.objects.filter(partnership__slug="hnt").order_by("pk")[0]
    for i in range(3):
        DeviationMessage.objects.create(deviation=deviation, author=lena, text=f"Melding {i}")
        FollowUpLogEntry.objects.create(followup=followup, author=lena, text=f"Merknad {i}")
        Notification.objects.create(
            user=lena,
            partnership=deviation.partnership,
            kind=Notification.Kind.DEVIATION_MESSAGE,
            headline=f"Varsel {i}",
            path=f"/hnt/{i}/",
        )
        LogEntry.objects.log_create(
            deviation, action=LogEntry.Action.UPDATE, changes={"status": ["a", "b"]}, actor=lena
        )
        ExternalIdentity.objects.create(
            user=lena,
            provider="idporten",
            issuer=f"https://issuer-{i}.example",
            subject=f"pairwise-{i}",
            linked_how=ExternalIdentity.LinkedHow.ADMINISTRATOR,
            linked_by=people.sara,
        )
    Deviation.objects.filter(pk__in=Deviation.objects.values("pk")[:5]).update(
        reported_by=lena, assigned_to=lena
    )


# The download (and the page) as Lena: the session, the user, whether her
# roles need two-factor (RequireTwoFactorMiddleware); then the sources —
# accounts 5 (authenticator apps, recovery codes counted, sessions, linked
# sign-on log-ins, failed log-ins), partnerships 3 (memberships, partnership roles, invitations),
# councils 5 (seats, attendance, votes, cases, attachments), followups 2,
# representation 3, notifications 2, calendars 1, deviations 4 (reported,
# handled, messages, API keys), crisis 5 (reports, log, requests, unlocks,
# levels), the audit trail 1 — and the session saved (SESSION_SAVE_EVERY_REQUEST:
# a savepoint, the update, its release).
DOWNLOAD_QUERIES = 37


@pytest.mark.parametrize("url", [DOWNLOAD, PAGE])
def test_the_query_count_does_not_grow_with_the_rows(people: Any, as_person: Any, url: str) -> None:
    client = as_person("lena")
    client.get(url)  # warm the caches (content types, translations)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    _grow(people)
    with CaptureQueriesContext(connection) as after:
        assert client.get(url).status_code == 200
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]
    assert len(before) == DOWNLOAD_QUERIES, [q["sql"] for q in before.captured_queries]
