"""Drafting versions and clauses, moving a version on, recording ratifications."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from agreements import services
from agreements.models import Agreement, AgreementLevel, AgreementVersion, Ratification
from core.services import EditConflict
from partnerships.models import Organisation

D = datetime.date
Status = AgreementVersion.Status
Outcome = Ratification.Outcome


@pytest.fixture
def agreement(hnt: Any) -> Agreement:
    level = AgreementLevel.objects.create(partnership=hnt, name="Test: nivå")
    return Agreement.objects.create(
        partnership=hnt, level=level, number="T1", title="Testavtale", slug="test-t1"
    )


@pytest.fixture
def drafted(agreement: Agreement, people: Any) -> AgreementVersion:
    version = services.new_version(agreement, "2026", by=people.sara)
    services.add_clause(
        version, number="1", heading="Formål", text="<p>Avtalen skal sikre samhandling.</p>",
        points=[1],
    )  # fmt: skip
    services.add_clause(
        version, number="2", heading="Utskrivning", text="Kommunen varsles <b>tidlig</b>.",
        points=[2, 5],
    )  # fmt: skip
    return version


def _levanger() -> Organisation:
    return Organisation.objects.get(municipality_number="5037")


def test_a_new_version_copies_the_clauses_and_their_keys(drafted: Any, people: Any) -> None:
    services.move_on(drafted, drafted.version, Status.ADOPTED)
    services.move_on(drafted, drafted.version + 1, Status.IN_FORCE, in_force_from=D(2026, 1, 1))
    nxt = services.new_version(drafted.agreement, "2027", by=people.sara, based_on=drafted)
    old = list(drafted.clauses.order_by("position"))
    new = list(nxt.clauses.order_by("position"))
    assert [c.key for c in new] == [c.key for c in old]
    assert [c.heading for c in new] == ["Formål", "Utskrivning"]
    assert sorted(new[1].coverage.values_list("point", flat=True)) == [2, 5]
    assert nxt.status == Status.DRAFT and nxt.previous == drafted


def test_clause_text_is_sanitised(drafted: Any) -> None:
    clause = drafted.clauses.get(number="2")
    # Text that does not start as HTML is plain text: a paragraph, escaped.
    assert clause.text == "<p>Kommunen varsles &lt;b&gt;tidlig&lt;/b&gt;.</p>"
    dirty = services.add_clause(
        drafted, number="3", heading="X", text='<p onclick="x()">Hei<script>x()</script></p>',
        points=[],
    )  # fmt: skip
    assert "onclick" not in dirty.text and "<script" not in dirty.text


def test_a_version_sent_on_is_not_edited(drafted: Any) -> None:
    services.move_on(drafted, drafted.version, Status.CONSULTATION)
    clause = drafted.clauses.first()
    with pytest.raises(ValidationError, match="kan ikke lenger redigeres"):
        services.change_clause(
            clause, clause.version, number="1", heading="Ny", text="Ny", points=[]
        )
    with pytest.raises(ValidationError):
        services.add_clause(drafted, number="9", heading="Ny", text="", points=[])
    with pytest.raises(ValidationError):
        services.remove_clause(clause)
    clause.refresh_from_db()
    assert clause.heading == "Formål"


def test_two_people_editing_one_clause_do_not_overwrite_each_other(drafted: Any) -> None:
    clause = drafted.clauses.get(number="1")
    seen = clause.version
    services.change_clause(clause, seen, number="1", heading="Første", text="A", points=[1])
    with pytest.raises(EditConflict):
        services.change_clause(clause, seen, number="1", heading="Andre", text="B", points=[1])
    clause.refresh_from_db()
    assert clause.heading == "Første"


def test_points_are_set_to_what_was_chosen(drafted: Any) -> None:
    clause = drafted.clauses.get(number="2")
    services.change_clause(
        clause, clause.version, number="2", heading="Utskrivning", text="x", points=[5, 13]
    )
    assert sorted(clause.coverage.values_list("point", flat=True)) == [5, 13]


def test_the_way_of_a_version(drafted: Any) -> None:
    with pytest.raises(ValidationError):
        services.move_on(drafted, drafted.version, Status.IN_FORCE)  # not adopted
    v = services.move_on(drafted, drafted.version, Status.CONSULTATION)
    v = services.move_on(v, v.version, Status.ADOPTED)
    v = services.move_on(v, v.version, Status.RATIFICATION, today=D(2026, 3, 1))
    assert v.sent_to_parties_on == D(2026, 3, 1)
    with pytest.raises(ValidationError, match="hvilken dato"):
        services.move_on(v, v.version, Status.IN_FORCE)
    v = services.move_on(v, v.version, Status.IN_FORCE, in_force_from=D(2026, 6, 1))
    assert v.status == Status.IN_FORCE and v.in_force_from == D(2026, 6, 1)


def test_an_empty_version_goes_nowhere(agreement: Agreement, people: Any) -> None:
    version = services.new_version(agreement, "tom", by=people.sara)
    with pytest.raises(ValidationError, match="ingen punkter"):
        services.move_on(version, version.version, Status.CONSULTATION)


def test_a_new_version_in_force_replaces_the_old(drafted: Any, people: Any) -> None:
    services.move_on(drafted, 0, Status.ADOPTED)
    old = services.move_on(drafted, 1, Status.IN_FORCE, in_force_from=D(2021, 1, 1))
    new = services.new_version(drafted.agreement, "2027", by=people.sara, based_on=old)
    services.move_on(new, 0, Status.ADOPTED)
    services.move_on(new, 1, Status.IN_FORCE, in_force_from=D(2027, 1, 1))
    old.refresh_from_db()
    assert old.status == Status.REPLACED


def test_a_stale_transition_is_refused(drafted: Any) -> None:
    services.move_on(drafted, drafted.version, Status.CONSULTATION)
    with pytest.raises(EditConflict):
        services.move_on(drafted, 0, Status.ADOPTED)


def test_ratification_waits_for_the_council(drafted: Any, people: Any) -> None:
    with pytest.raises(ValidationError, match="ikke vedtatt"):
        services.record_ratification(
            drafted, _levanger(), None, by=people.lena, outcome=Outcome.ADOPTED
        )


def test_ratification_is_recorded_once_and_changed_with_its_version(
    drafted: Any, people: Any
) -> None:
    services.move_on(drafted, 0, Status.ADOPTED)
    first = services.record_ratification(
        drafted, _levanger(), None, by=people.lena, outcome=Outcome.PENDING,
        body=Ratification.Body.MUNICIPAL_COUNCIL,
    )  # fmt: skip
    # A second "first record" (a double submit, or a colleague) is a conflict.
    with pytest.raises(EditConflict):
        services.record_ratification(
            drafted, _levanger(), None, by=people.lena, outcome=Outcome.ADOPTED
        )
    changed = services.record_ratification(
        drafted, _levanger(), first.version, by=people.lena, outcome=Outcome.ADOPTED,
        case_number="PS 12/26", meeting_date=D(2026, 3, 12),
    )  # fmt: skip
    assert changed.outcome == Outcome.ADOPTED and changed.case_number == "PS 12/26"
    with pytest.raises(EditConflict):
        services.record_ratification(
            drafted, _levanger(), first.version, by=people.lena, outcome=Outcome.REJECTED
        )
    assert Ratification.objects.filter(agreement_version=drafted).count() == 1


def test_with_changes_needs_the_changes_and_others_drop_them(drafted: Any, people: Any) -> None:
    services.move_on(drafted, 0, Status.ADOPTED)
    with pytest.raises(ValidationError, match="hva parten endret"):
        services.record_ratification(
            drafted, _levanger(), None, by=people.lena,
            outcome=Outcome.ADOPTED_WITH_CHANGES, changes="  ",
        )  # fmt: skip
    r = services.record_ratification(
        drafted, _levanger(), None, by=people.lena, outcome=Outcome.ADOPTED, changes="stale"
    )
    assert r.changes == ""


def test_a_party_the_agreement_does_not_bind_records_nothing(drafted: Any, people: Any) -> None:
    agreement = drafted.agreement
    agreement.all_parties = False
    agreement.save()
    agreement.parties.add(Organisation.objects.get(municipality_number="5038"))
    services.move_on(drafted, 0, Status.ADOPTED)
    with pytest.raises(ValidationError, match="binder ikke"):
        services.record_ratification(
            drafted, _levanger(), None, by=people.lena, outcome=Outcome.ADOPTED
        )
    assert [p.municipality_number for p in services.parties_of(agreement)] == ["5038"]


def test_the_parties_of_an_agreement_for_all(agreement: Agreement) -> None:
    parties = services.parties_of(agreement)
    assert len(parties) == 20  # the demo's 19 kommuner and the trust
    assert all(p.kind in ("kommune", "helseforetak") for p in parties)


def test_sending_for_ratification_tells_each_partys_coordinators_and_leaders(
    drafted: Any, people: Any
) -> None:
    from notifications.models import Notification

    services.move_on(drafted, 0, Status.ADOPTED)
    services.move_on(drafted, 1, Status.RATIFICATION, in_force_from=D(2027, 1, 1))
    told = Notification.objects.filter(kind=Notification.Kind.AGREEMENT_TO_RATIFY)
    who = set(told.values_list("user__email", flat=True))
    assert {people.lena.email, people.hanne.email, people.nils.email} <= who
    assert people.stine.email not in who  # an observer ratifies nothing
    assert people.sara.email not in who
    levanger = _levanger()
    lena = told.get(user=people.lena)
    assert lena.path == f"/hnt/intern/avtaler/versjon/{drafted.pk}/ratifisering/{levanger.pk}/"
    assert "Testavtale" in lena.headline
