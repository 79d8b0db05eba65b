"""A party may let all its members report deviations.

Off by default: a member without a handling role gets 403. Once the party's
coordinator (or the secretariat) turns it on, a member reports for that
party, follows what they reported and writes in its dialogue, but does not
answer, close, add measures or see the statistics or other deviations.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from deviations import services
from deviations.models import Deviation, DeviationMessage, PartyReporting
from deviations.tests.conftest import (
    form_data,
    hnt,
    levanger,
    make_deviation,
    namsos,
    report_data,
)
from notifications.models import Notification
from partnerships.models import Membership

RIGHTS = "/hnt/intern/avvik/meldere/"


@pytest.fixture
def member(people: Any) -> User:
    """A nurse in Levanger with a plain membership (no handling role)."""
    user = User.objects.create_user(
        email="mia.sykepleier@levanger.example", password="x", full_name="Mia Sykepleier"
    )
    Membership.objects.create(
        user=user,
        organisation=levanger(),
        role=Membership.Role.MEMBER,
        valid_from=timezone.localdate() - datetime.timedelta(days=30),
    )
    return user


@pytest.fixture
def as_member(member: User) -> Any:
    from django.test import Client

    from conftest import log_in

    client = Client()
    log_in(client, member)
    return client


def _open_levanger(as_person: Any) -> None:
    response = as_person("lena").post(
        RIGHTS, {"organisation": levanger().pk, "members_may_report": "yes"}
    )
    assert response.status_code == 302


def test_members_do_not_report_until_their_party_allows_it(as_member: Any, as_person: Any) -> None:
    assert as_member.get("/hnt/intern/avvik/").status_code == 403
    assert as_member.get("/hnt/intern/avvik/ny/").status_code == 403
    assert "/hnt/intern/avvik/" not in as_member.get("/hnt/intern/").content.decode()

    _open_levanger(as_person)

    setting = PartyReporting.objects.get(partnership=hnt(), organisation=levanger())
    assert setting.members_may_report
    assert setting.changed_by is not None and setting.changed_by.email == "lena@levanger.example"
    assert LogEntry.objects.get_for_object(setting).exists()
    assert "/hnt/intern/avvik/" in as_member.get("/hnt/intern/").content.decode()
    form = as_member.get("/hnt/intern/avvik/ny/")
    assert form.status_code == 200
    # Only the member's own party is offered as the reporter.
    choices = form.context["form"].fields["reporting_organisation"].queryset
    assert list(choices) == [levanger()]


def test_a_member_reports_follows_and_writes_but_does_not_close(
    as_member: Any, as_person: Any, people: Any, member: User
) -> None:
    _open_levanger(as_person)
    response = as_member.post("/hnt/intern/avvik/ny/", form_data())
    assert response.status_code == 302
    deviation = Deviation.objects.get(reported_by=member)
    assert deviation.status == Deviation.Status.SUBMITTED
    assert deviation.reporting_organisation == levanger()

    # The member sees it in the list and opens it; another Levanger deviation
    # (reported by the coordinator) stays hidden from them.
    other = make_deviation(people)
    listing = as_member.get("/hnt/intern/avvik/").content.decode()
    assert deviation.number in listing and other.number not in listing
    assert as_member.get(f"/hnt/intern/avvik/{deviation.pk}/").status_code == 200
    assert as_member.get(f"/hnt/intern/avvik/{other.pk}/").status_code == 404

    # The dialogue: the member writes for Levanger.
    assert (
        as_member.post(
            f"/hnt/intern/avvik/{deviation.pk}/melding/",
            {"text": "Hvem skal jeg ringe?", "client_key": str(uuid.uuid4())},
        ).status_code
        == 302
    )
    message = DeviationMessage.objects.get(deviation=deviation)
    assert message.organisation == levanger() and message.author == member

    # The HF answers; the member is told, as the coordinators are.
    Notification.objects.all().delete()
    services.answer(
        deviation,
        cause="Epikrisen lå i kø.",
        measures="Ny rutine for utsending.",
        side=services.RECEIVER,
        expected_version=Deviation.objects.get(pk=deviation.pk).version,
    )
    told = set(
        Notification.objects.filter(kind="deviation_answered").values_list("user__email", flat=True)
    )
    assert {"mia.sykepleier@levanger.example", "lena@levanger.example"} <= told

    # Accepting the answer stays with the coordinators and leaders.
    deviation.refresh_from_db()
    as_member.post(
        f"/hnt/intern/avvik/{deviation.pk}/status/",
        {"status": Deviation.Status.CLOSED, "version": deviation.version},
    )
    deviation.refresh_from_db()
    assert deviation.status == Deviation.Status.ANSWERED
    page = as_member.get(f"/hnt/intern/avvik/{deviation.pk}/")
    assert page.context["steps"] == []
    assert page.context["measure_form"] is None
    assert as_member.post(f"/hnt/intern/avvik/{deviation.pk}/tiltak/", {}).status_code == 403
    assert as_member.get("/hnt/intern/avvik/statistikk/").status_code == 403
    assert as_member.get(RIGHTS).status_code == 403


def test_a_members_draft_is_theirs_and_their_coordinators(
    as_member: Any, as_person: Any, people: Any, member: User
) -> None:
    _open_levanger(as_person)
    assert as_member.post("/hnt/intern/avvik/ny/", form_data(action="draft")).status_code == 302
    draft = Deviation.objects.get(reported_by=member)
    assert draft.status == Deviation.Status.DRAFT
    assert as_person("lena").get(f"/hnt/intern/avvik/{draft.pk}/").status_code == 200
    assert as_person("hanne").get(f"/hnt/intern/avvik/{draft.pk}/").status_code == 404
    assert as_person("sara").get(f"/hnt/intern/avvik/{draft.pk}/").status_code == 404

    edit = f"/hnt/intern/avvik/{draft.pk}/rediger/"
    assert as_member.get(edit).status_code == 200
    response = as_member.post(edit, form_data(version=str(draft.version), action="submit"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Deviation.Status.SUBMITTED and draft.number


def test_turning_it_off_stops_new_reports_but_keeps_what_was_reported(
    as_member: Any, as_person: Any, member: User
) -> None:
    _open_levanger(as_person)
    as_member.post("/hnt/intern/avvik/ny/", form_data())
    deviation = Deviation.objects.get(reported_by=member)
    as_person("lena").post(RIGHTS, {"organisation": levanger().pk, "members_may_report": "no"})
    assert not PartyReporting.objects.get(organisation=levanger()).members_may_report
    assert as_member.get("/hnt/intern/avvik/ny/").status_code == 403
    assert as_member.get("/hnt/intern/avvik/").status_code == 200
    assert as_member.get(f"/hnt/intern/avvik/{deviation.pk}/").status_code == 200

    # Leaving the party ends it: the former member sees nothing any more.
    Membership.objects.filter(user=member).update(
        valid_to=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert as_member.get(f"/hnt/intern/avvik/{deviation.pk}/").status_code == 404


def test_a_member_of_a_closed_party_cannot_report_for_an_open_one(
    as_person: Any, member: User
) -> None:
    _open_levanger(as_person)
    with pytest.raises(Exception) as refused:
        services.report(
            hnt(),
            report_data(reporting_organisation=namsos()),
            by=member,
            own=frozenset({levanger().pk}),
        )
    assert "reporting_organisation" in refused.value.message_dict  # type: ignore[attr-defined]


def test_who_sets_reporting_rights_for_which_party(as_person: Any) -> None:
    # The coordinator of another party cannot set Levanger's: as if missing.
    response = as_person("nils").post(
        RIGHTS, {"organisation": levanger().pk, "members_may_report": "yes"}
    )
    assert response.status_code == 404
    assert as_person("stine").get(RIGHTS).status_code == 403
    assert as_person("otto").get(RIGHTS).status_code == 404
    assert as_person("nils").post(RIGHTS, {"organisation": "x"}).status_code == 404
    assert not PartyReporting.objects.filter(organisation=levanger()).exists()
    # The coordinator sees their own party only; the secretariat every party.
    nils_rows = [party for party, _open in as_person("nils").get(RIGHTS).context["rows"]]
    assert nils_rows == [namsos()]
    sara = as_person("sara")
    assert len(sara.get(RIGHTS).context["rows"]) == len(services.parties(hnt()))
    assert (
        sara.post(RIGHTS, {"organisation": levanger().pk, "members_may_report": "yes"}).status_code
        == 302
    )
    assert PartyReporting.objects.get(organisation=levanger()).members_may_report
    # The same choice again changes (and logs) nothing.
    setting = PartyReporting.objects.get(organisation=levanger())
    entries = LogEntry.objects.get_for_object(setting).count()
    assert not services.set_member_reporting(hnt(), levanger(), allowed=True, by=None)
    assert LogEntry.objects.get_for_object(setting).count() == entries


def test_the_rights_page_has_constant_queries(as_person: Any) -> None:
    client = as_person("sara")
    client.get(RIGHTS)
    with CaptureQueriesContext(connection) as before:
        client.get(RIGHTS)
    for party in services.parties(hnt()):
        services.set_member_reporting(hnt(), party, allowed=True, by=None)
    with CaptureQueriesContext(connection) as after:
        client.get(RIGHTS)
    assert len(after) == len(before)
