"""The follow-up rules: the transition table, progress and closing, the log,
versions and the generic link to the origin."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.services import EditConflict
from followups import services
from followups.models import FollowUp
from followups.services import TRANSITIONS
from followups.tests.conftest import levanger, make_followup
from partnerships.models import Contact, Organisation, Partnership

S = FollowUp.Status
ALL_PAIRS = [(old, new) for old in S.values for new in S.values]
ALLOWED = [(old, new) for old, new in ALL_PAIRS if new in TRANSITIONS[old]]
REFUSED = [(old, new) for old, new in ALL_PAIRS if new not in TRANSITIONS[old]]
LABELS = dict(S.choices)


def _at(people: Any, status: str) -> FollowUp:
    """A follow-up put in ``status`` directly (the starting point of a test)."""
    followup = make_followup(people)
    FollowUp.objects.filter(pk=followup.pk).update(status=status)
    followup.refresh_from_db()
    return followup


def test_the_table_covers_every_status_and_names_only_known_ones() -> None:
    assert set(TRANSITIONS) == set(S.values)
    for following in TRANSITIONS.values():
        assert following <= set(S.values)
    # Every status can be left, and nothing "moves" to itself.
    assert all(following and old not in following for old, following in TRANSITIONS.items())
    # The workflow as agreed: reopening goes back to in progress, a cancelled
    # follow-up is revived as planned.
    assert {
        "planned": {"in_progress", "done", "cancelled"},
        "in_progress": {"done", "cancelled", "planned"},
        "done": {"in_progress"},
        "cancelled": {"planned"},
    } == {old: set(following) for old, following in TRANSITIONS.items()}


@pytest.mark.parametrize(("old", "new"), ALLOWED, ids=[f"{o}->{n}" for o, n in ALLOWED])
def test_an_allowed_transition_changes_the_status_and_logs_it(
    people: Any, old: str, new: str
) -> None:
    followup = _at(people, old)
    services.change_status(
        followup, new, by=people.sara, expected_version=followup.version, comment="Avklart i ASU"
    )
    followup.refresh_from_db()
    assert followup.status == new
    assert followup.version == 1
    entry = followup.log_entries.get()
    assert (entry.status_from, entry.status_to) == (old, new)
    assert entry.text == "Avklart i ASU"
    assert entry.author == people.sara


@pytest.mark.parametrize(("old", "new"), REFUSED, ids=[f"{o}->{n}" for o, n in REFUSED])
def test_a_transition_outside_the_table_is_refused_with_both_statuses_named(
    people: Any, old: str, new: str
) -> None:
    followup = _at(people, old)
    with pytest.raises(ValidationError) as refused:
        services.change_status(followup, new, by=people.sara, expected_version=followup.version)
    message = " ".join(refused.value.messages)
    assert str(LABELS[old]) in message
    assert str(LABELS[new]) in message
    followup.refresh_from_db()
    assert followup.status == old
    assert followup.version == 0
    assert not followup.log_entries.exists()


def test_done_closes_with_full_progress_and_reopening_clears_the_closing(people: Any) -> None:
    followup = make_followup(people)
    services.add_log_entry(followup, by=people.lena, text="Halvveis", progress=50)
    services.change_status(followup, S.DONE, by=people.sara, expected_version=followup.version)
    followup.refresh_from_db()
    assert followup.closed_at is not None
    assert followup.progress == 100
    services.change_status(
        followup, S.IN_PROGRESS, by=people.sara, expected_version=followup.version
    )
    followup.refresh_from_db()
    assert followup.closed_at is None
    assert followup.status == S.IN_PROGRESS


def test_cancelling_closes_but_keeps_the_progress(people: Any) -> None:
    followup = make_followup(people)
    services.add_log_entry(followup, by=people.lena, text="Startet", progress=20)
    services.change_status(followup, S.CANCELLED, by=people.sara, expected_version=followup.version)
    followup.refresh_from_db()
    assert followup.closed_at is not None
    assert followup.progress == 20
    services.change_status(followup, S.PLANNED, by=people.sara, expected_version=followup.version)
    followup.refresh_from_db()
    assert followup.closed_at is None


def test_a_stale_version_is_refused_as_an_edit_conflict(people: Any) -> None:
    followup = make_followup(people)
    seen_by_ada = FollowUp.objects.get(pk=followup.pk)
    services.change_status(followup, S.DONE, by=people.sara, expected_version=0)
    with pytest.raises(EditConflict) as conflict:
        services.change_status(seen_by_ada, S.CANCELLED, by=people.ada, expected_version=0)
    assert conflict.value.current_version == 1
    followup.refresh_from_db()
    assert followup.status == S.DONE
    assert followup.log_entries.count() == 1


def test_an_edit_from_a_stale_version_is_refused(people: Any) -> None:
    followup = make_followup(people)
    services.update_followup(followup, {"title": "Ny tittel"}, expected_version=0)
    with pytest.raises(EditConflict):
        services.update_followup(
            FollowUp.objects.get(pk=followup.pk), {"title": "Gammel"}, expected_version=0
        )
    followup.refresh_from_db()
    assert followup.title == "Ny tittel"


def test_status_and_progress_cannot_be_changed_through_an_edit(people: Any) -> None:
    followup = make_followup(people)
    with pytest.raises(ValueError, match="status"):
        services.update_followup(followup, {"status": S.DONE}, expected_version=0)


def test_progress_in_a_log_entry_moves_a_planned_follow_up_to_in_progress(people: Any) -> None:
    followup = make_followup(people)
    entry = services.add_log_entry(followup, by=people.lena, text="Første møte holdt", progress=10)
    followup.refresh_from_db()
    assert followup.status == S.IN_PROGRESS
    assert followup.progress == 10
    assert followup.version == 1
    assert (entry.status_from, entry.status_to) == (S.PLANNED, S.IN_PROGRESS)


def test_a_log_entry_without_progress_leaves_status_and_progress_alone(people: Any) -> None:
    followup = make_followup(people)
    services.add_log_entry(followup, by=people.lena, text="Venter på svar", progress=0)
    services.add_log_entry(followup, by=people.lena, text="Fortsatt venter")
    followup.refresh_from_db()
    assert followup.status == S.PLANNED
    assert followup.progress == 0
    assert followup.log_entries.count() == 2


def test_the_log_is_newest_first(people: Any) -> None:
    followup = make_followup(people)
    today = timezone.localdate()
    services.add_log_entry(followup, by=people.lena, text="I dag", date=today)
    services.add_log_entry(
        followup, by=people.lena, text="Forrige uke", date=today - datetime.timedelta(days=7)
    )
    services.add_log_entry(followup, by=people.lena, text="Også i dag", date=today)
    assert [e.text for e in followup.log_entries.all()] == ["Også i dag", "I dag", "Forrige uke"]


def test_progress_cannot_be_reported_on_a_closed_follow_up(people: Any) -> None:
    followup = make_followup(people)
    services.change_status(followup, S.DONE, by=people.sara, expected_version=0)
    with pytest.raises(ValidationError) as refused:
        services.add_log_entry(followup, by=people.lena, text="Mer arbeid", progress=40)
    assert "progress" in refused.value.message_dict
    # A remark without progress is still welcome.
    services.add_log_entry(followup, by=people.lena, text="Evaluert i ettertid")
    followup.refresh_from_db()
    assert followup.progress == 100


@pytest.mark.parametrize(
    ("text", "progress", "days_ahead", "field"),
    [("", None, 0, "text"), ("Ok", 101, 0, "progress"), ("Ok", None, 1, "date")],
)
def test_a_log_entry_is_checked(
    people: Any, text: str, progress: int | None, days_ahead: int, field: str
) -> None:
    followup = make_followup(people)
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    with pytest.raises(ValidationError) as refused:
        services.add_log_entry(followup, by=people.lena, text=text, progress=progress, date=day)
    assert field in refused.value.message_dict
    assert not followup.log_entries.exists()


def test_an_identity_number_in_a_log_entry_or_status_comment_is_refused(people: Any) -> None:
    followup = make_followup(people)
    with pytest.raises(ValidationError):
        services.add_log_entry(followup, by=people.lena, text="Pasient 30108299920", progress=30)
    with pytest.raises(ValidationError):
        services.change_status(
            followup, S.DONE, by=people.sara, expected_version=0, comment="Gjelder 30108299920"
        )
    followup.refresh_from_db()
    assert (followup.status, followup.progress, followup.version) == (S.PLANNED, 0, 0)
    assert not followup.log_entries.exists()


def test_create_followup_links_any_object_as_its_source(people: Any) -> None:
    decision_stand_in = Contact.objects.get(organisation=levanger())
    followup = make_followup(
        people,
        source=decision_stand_in,
        source_url="/hnt/intern/parter/1/",
        responsible_person=people.lena,
        review_date=timezone.localdate(),
    )
    fresh = FollowUp.objects.get(pk=followup.pk)
    assert fresh.source == decision_stand_in
    assert fresh.source_content_type is not None
    assert fresh.source_content_type.model_class() is Contact
    assert fresh.status == S.PLANNED
    assert fresh.progress == 0
    assert fresh.created_by == people.sara
    assert fresh.origin == FollowUp.Origin.DECISION


def test_create_followup_refuses_an_unsaved_source(people: Any) -> None:
    with pytest.raises(ValueError, match="saved"):
        make_followup(people, source=Organisation(name="Ulagret"))


def test_create_followup_refuses_a_responsible_party_outside_the_partnership(people: Any) -> None:
    trondheim = Organisation.objects.get(municipality_number="5001")
    with pytest.raises(ValidationError) as refused:
        make_followup(people, responsible_organisation=trondheim)
    assert "responsible_organisation" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        make_followup(people, responsible_person=people.tor)
    assert "responsible_person" in refused.value.message_dict
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "hnt/x"]
)
def test_create_followup_keeps_the_source_link_on_this_site(people: Any, url: str) -> None:
    with pytest.raises(ValidationError) as refused:
        make_followup(people, source_url=url)
    assert "source_url" in refused.value.message_dict


def test_create_followup_with_the_same_client_key_returns_the_first(people: Any) -> None:
    key = uuid.uuid4()
    before = FollowUp.objects.count()
    first = make_followup(people, client_key=key)
    second = make_followup(people, client_key=key, title="Dobbelt")
    assert second.pk == first.pk
    assert FollowUp.objects.count() == before + 1
    # The key is per partnership.
    stolav = Partnership.objects.get(slug="stolav")
    other = make_followup(people, partnership=stolav, client_key=key, responsible_organisation=None)
    assert other.pk != first.pk


def test_overdue_lists_open_follow_ups_past_their_deadline(people: Any) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    late = make_followup(people, title="Sen", deadline=yesterday)
    make_followup(people, title="I tide")
    done = make_followup(people, title="Ferdig", deadline=yesterday)
    services.change_status(done, S.DONE, by=people.sara, expected_version=0)
    hnt = Partnership.objects.get(slug="hnt")
    assert list(services.overdue(hnt)) == [late]
    assert late.is_overdue
    done.refresh_from_db()
    assert not done.is_overdue
