"""The rules of routines: one transition table, drafts only edited, one
version in force, reviews that move the review date, stale saves refused,
no identity numbers."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.services import EditConflict
from routines import services
from routines.models import Routine, RoutineReview, RoutineVersion
from routines.tests.factory import council, draft, guideline, in_force, levanger, make

D = datetime.date
Status = RoutineVersion.Status
Outcome = RoutineReview.Outcome
NUMBER = "15078810022"  # a synthetic identity number the guard knows


@pytest.fixture
def routine(hnt: Any) -> Routine:
    return make(hnt, "Testrutine for utskrivning", "testrutine")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2026, 11, 15), 24, D(2028, 11, 15)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 12, 31), 1, D(2027, 1, 31)),
    ],
)
def test_months_are_added_to_the_end_of_shorter_months(day: D, months: int, expected: D) -> None:
    assert services.add_months(day, months) == expected


def test_the_transitions_are_one_table() -> None:
    expected = {
        Status.DRAFT: {Status.IN_FORCE},
        Status.IN_FORCE: {Status.REPLACED},
        Status.REPLACED: set(),
    }
    assert dict(services.TRANSITIONS) == expected


def test_putting_in_force_replaces_the_version_before_and_sets_the_review(
    routine: Routine, people: Any
) -> None:
    first = in_force(routine, "2024", D(2024, 3, 1))
    routine.refresh_from_db()
    assert routine.next_review == D(2026, 3, 1)
    second = draft(routine, "2026", by=people.sara)
    assert second.previous == first and second.text == first.text
    services.put_in_force(second, second.version, D(2026, 1, 15))
    first.refresh_from_db()
    second.refresh_from_db()
    routine.refresh_from_db()
    assert (first.status, first.in_force_to) == (Status.REPLACED, D(2026, 1, 14))
    assert (second.status, second.in_force_from) == (Status.IN_FORCE, D(2026, 1, 15))
    assert routine.next_review == D(2028, 1, 15)
    assert routine.versions.filter(status=Status.IN_FORCE).count() == 1


def test_a_version_in_force_or_replaced_is_not_put_in_force_again(routine: Routine) -> None:
    first = in_force(routine, "2024", D(2024, 3, 1))
    with pytest.raises(ValidationError):
        services.put_in_force(first, first.version, D(2025, 1, 1))
    in_force(routine, "2025", D(2025, 3, 1))
    first.refresh_from_db()
    with pytest.raises(ValidationError):
        services.put_in_force(first, first.version, D(2026, 1, 1))


def test_a_new_version_comes_in_force_after_the_one_in_force(routine: Routine) -> None:
    in_force(routine, "2024", D(2024, 3, 1))
    later = draft(routine, "2023")
    with pytest.raises(ValidationError) as refused:
        services.put_in_force(later, later.version, D(2024, 3, 1))
    assert "in_force_from" in refused.value.error_dict
    assert RoutineVersion.objects.get(pk=later.pk).status == Status.DRAFT


def test_an_empty_draft_is_not_put_in_force(routine: Routine) -> None:
    empty = draft(routine, "tom", text="")
    with pytest.raises(ValidationError):
        services.put_in_force(empty, empty.version, D(2026, 1, 1))


def test_only_drafts_are_edited(routine: Routine) -> None:
    version = draft(routine, "utkast")
    services.change_draft(version, version.version, text="<p>Ny tekst om utskrivning.</p>")
    version.refresh_from_db()
    assert version.text == "<p>Ny tekst om utskrivning.</p>"
    services.put_in_force(version, version.version, D(2026, 1, 1))
    version.refresh_from_db()
    with pytest.raises(ValidationError):
        services.change_draft(version, version.version, text="<p>Endret etterpå.</p>")
    version.refresh_from_db()
    assert version.text == "<p>Ny tekst om utskrivning.</p>"


def test_a_stale_save_is_refused(routine: Routine, people: Any) -> None:
    version = draft(routine, "utkast")
    services.change_draft(version, 0, summary="Først")
    with pytest.raises(EditConflict):
        services.change_draft(RoutineVersion.objects.get(pk=version.pk), 0, summary="Sist")
    assert RoutineVersion.objects.get(pk=version.pk).summary == "Først"
    with pytest.raises(EditConflict):
        services.put_in_force(version, 0, D(2026, 1, 1))
    assert RoutineVersion.objects.get(pk=version.pk).status == Status.DRAFT
    services.change_routine(routine, 0, title="Nytt navn på rutinen")
    with pytest.raises(EditConflict):
        services.change_routine(Routine.objects.get(pk=routine.pk), 0, title="Et annet navn")
    assert Routine.objects.get(pk=routine.pk).title == "Nytt navn på rutinen"


def test_putting_a_version_in_force_does_not_make_an_open_edit_stale(routine: Routine) -> None:
    """The review date is not one of the edit form's fields."""
    in_force(routine, "2024", D(2024, 3, 1))
    services.change_routine(Routine.objects.get(pk=routine.pk), 0, number="9.9")
    assert Routine.objects.get(pk=routine.pk).number == "9.9"


def test_an_identity_number_in_the_text_is_refused(routine: Routine) -> None:
    hidden = f"<p>Gjelder {NUMBER[:6]}<strong>{NUMBER[6:]}</strong>.</p>"
    with pytest.raises(ValidationError):
        draft(routine, "utkast", text=hidden)
    assert not routine.versions.exists()
    version = draft(routine, "utkast")
    with pytest.raises(ValidationError):
        services.change_draft(version, version.version, text=hidden)
    with pytest.raises(ValidationError):
        services.change_draft(version, version.version, summary=f"Pasient {NUMBER}")
    assert NUMBER not in RoutineVersion.objects.get(pk=version.pk).summary


def test_a_review_that_finds_it_unchanged_moves_the_review_date(
    routine: Routine, people: Any
) -> None:
    in_force(routine, "2024", D(2024, 3, 1))
    review = services.record_review(
        routine,
        reviewed_on=D(2026, 2, 1),
        outcome=Outcome.UNCHANGED,
        next_review=D(2028, 2, 1),
        by=people.sara,
        today=D(2026, 2, 2),
    )
    assert review.next_review == D(2028, 2, 1)
    assert Routine.objects.get(pk=routine.pk).next_review == D(2028, 2, 1)


def test_a_review_that_asks_for_a_revision_keeps_the_date(routine: Routine, people: Any) -> None:
    in_force(routine, "2024", D(2024, 3, 1))
    review = services.record_review(
        routine,
        reviewed_on=D(2026, 4, 1),
        outcome=Outcome.NEEDS_REVISION,
        next_review=D(2028, 2, 1),  # not for this outcome: ignored
        by=people.sara,
        today=D(2026, 4, 1),
    )
    assert review.next_review is None
    assert Routine.objects.get(pk=routine.pk).next_review == D(2026, 3, 1)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"outcome": Outcome.UNCHANGED, "next_review": None}, "next_review"),
        ({"outcome": Outcome.UNCHANGED, "next_review": D(2026, 1, 1)}, "next_review"),
        ({"outcome": Outcome.UNCHANGED, "reviewed_on": D(2026, 3, 1)}, "reviewed_on"),
    ],
)
def test_a_review_is_refused_with_its_reason(
    routine: Routine, people: Any, fields: dict[str, Any], field: str
) -> None:
    in_force(routine, "2024", D(2024, 3, 1))
    data = {"reviewed_on": D(2026, 2, 1), "next_review": D(2028, 2, 1), **fields}
    with pytest.raises(ValidationError) as refused:
        services.record_review(routine, by=people.sara, today=D(2026, 2, 2), **data)
    assert field in refused.value.error_dict
    assert not routine.reviews.exists()


def test_nothing_in_force_is_not_reviewed(routine: Routine, people: Any) -> None:
    draft(routine, "utkast")
    with pytest.raises(ValidationError):
        services.record_review(
            routine,
            reviewed_on=D(2026, 2, 1),
            outcome=Outcome.NEEDS_REVISION,
            by=people.sara,
            today=D(2026, 2, 1),
        )


def test_a_routine_has_exactly_one_owner(hnt: Any) -> None:
    with pytest.raises(ValidationError):
        make(hnt, "To eiere", "to-eiere", party=levanger(), owner=council(hnt))
    with pytest.raises(ValidationError):
        services.create_routine(hnt, agreement=guideline(hnt), title="Ingen", slug="ingen")
    routine = make(hnt, "Eid av en part", "part", party=levanger())
    with pytest.raises(ValidationError):
        services.change_routine(routine, 0, owner_council=council(hnt))
    # And the database says the same, whatever path a row takes.
    with pytest.raises(IntegrityError), transaction.atomic():
        Routine.objects.filter(pk=routine.pk).update(owner_council=council(hnt))


def test_the_clause_must_be_in_the_agreement(hnt: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        make(hnt, "Feil punkt", "feil", clause_key="finnes-ikke")
    assert "clause_key" in refused.value.error_dict
    assert make(hnt, "Riktig punkt", "riktig", clause_key="utskrivning").clause_key


def test_an_owner_party_must_take_part_in_the_partnership(hnt: Any) -> None:
    from partnerships.models import Organisation

    trondheim = Organisation.objects.get(name__startswith="Trondheim")
    with pytest.raises(ValidationError):
        make(hnt, "Utenfor", "utenfor", party=trondheim)


def test_the_same_key_twice_is_one_record(routine: Routine, hnt: Any, people: Any) -> None:
    key = uuid.uuid4()
    first = make(hnt, "Dobbel", "dobbel", client_key=key)
    assert make(hnt, "Dobbel", "dobbel-2", client_key=key) == first
    version_key = uuid.uuid4()
    a = services.new_version(routine, label="1", by=people.sara, client_key=version_key)
    assert services.new_version(routine, label="1", by=people.sara, client_key=version_key) == a
    in_force(routine, "2", D(2025, 1, 1))
    review_key = uuid.uuid4()
    kw = {
        "reviewed_on": D(2026, 1, 1),
        "outcome": Outcome.NEEDS_REVISION,
        "by": people.sara,
        "client_key": review_key,
        "today": D(2026, 1, 1),
    }
    assert services.record_review(routine, **kw) == services.record_review(routine, **kw)
    assert routine.reviews.count() == 1


def test_a_version_name_is_used_once_per_routine(routine: Routine) -> None:
    draft(routine, "2026")
    with pytest.raises(ValidationError):
        draft(routine, "2026")
    other = draft(routine, "2027")
    with pytest.raises(ValidationError):
        services.change_draft(other, other.version, label="2026")
