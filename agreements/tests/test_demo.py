"""The demo's agreements (built once per test session, relative to the day it
was built): the § 6-2 coverage with point 13 as its one gap, a revision being
ratified that binds some parties while the others stay on 2021, the 2021
ratifications with a change and a dispute, a særavtale for some parties, and
clause keys shared across versions.

Parties are picked by what they did (their ratification's outcome), never by
name or by today's date."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from agreements import binding
from agreements.demo import build_agreements_demo
from agreements.models import (
    Agreement,
    AgreementVersion,
    Clause,
    ClauseCoverage,
    JointMeasure,
    LegalPoint,
    Ratification,
)
from core.identity_numbers import find_identity_numbers
from core.richtext import sanitise
from partnerships.models import Organisation, Participation

Status = AgreementVersion.Status
Outcome = Ratification.Outcome


def _loaded(hnt: Any, slug: str) -> Agreement:
    (found,) = [a for a in binding.load(hnt) if a.slug == slug]
    return found


def _versions(hnt: Any) -> tuple[AgreementVersion, AgreementVersion]:
    """The samarbeidsavtale's 2021 version and the revision being ratified."""
    v2021 = AgreementVersion.objects.get(
        agreement__partnership=hnt, agreement__slug="samarbeidsavtale", label="2021"
    )
    revision = AgreementVersion.objects.get(previous=v2021)
    return v2021, revision


def _party(version: AgreementVersion, outcome: str) -> Organisation:
    ratification = version.ratifications.filter(outcome=outcome).order_by("pk").first()
    assert ratification is not None, outcome
    return ratification.organisation


def test_the_demo_is_built_once(hnt: Any, people: Any) -> None:
    def counts() -> tuple[int, ...]:
        return (
            Agreement.objects.count(),
            AgreementVersion.objects.count(),
            Clause.objects.count(),
            Ratification.objects.count(),
        )

    before = counts()
    assert Agreement.objects.filter(partnership=hnt).count() == 8
    assert build_agreements_demo(vars(people)) == 0
    assert counts() == before


def test_point_13_is_the_one_gap(hnt: Any) -> None:
    points = binding.coverage(hnt, timezone.localdate())
    assert [p.point for p in points if p.is_gap] == [LegalPoint.CHILDREN]
    # The samarbeidsavtale and the six guidelines cover the twelve others.
    covering = {c.agreement_version.agreement.slug for p in points for c in p.clauses}
    assert {"samarbeidsavtale", *(f"retningslinje-{n}" for n in range(1, 7))} <= covering


def test_the_revision_covers_point_13_once_in_force(hnt: Any) -> None:
    _v2021, revision = _versions(hnt)
    assert revision.status == Status.RATIFICATION
    assert ClauseCoverage.objects.filter(
        clause__agreement_version=revision, point=LegalPoint.CHILDREN
    ).exists()


def test_who_has_adopted_the_revision_is_bound_by_it_and_the_others_by_2021(hnt: Any) -> None:
    today = timezone.localdate()
    v2021, revision = _versions(hnt)
    assert revision.in_force_from is not None and revision.in_force_from <= today
    agreement = _loaded(hnt, "samarbeidsavtale")

    def label(party: Organisation) -> str | None:
        found = binding.binding(agreement, party, today)
        return found.version.label if found else None

    adopted = revision.ratifications.filter(outcome=Outcome.ADOPTED)
    assert 10 <= adopted.count() <= 14
    for ratification in adopted.select_related("organisation"):
        assert label(ratification.organisation) == revision.label, ratification
    assert revision.ratifications.filter(outcome=Outcome.REJECTED).count() == 1
    assert label(_party(revision, Outcome.REJECTED)) == "2021"
    pending = revision.ratifications.filter(outcome=Outcome.PENDING)
    assert pending.count() >= 5
    on_2021 = [
        r.organisation
        for r in pending.select_related("organisation")
        if v2021.ratifications.get(organisation=r.organisation).outcome == Outcome.ADOPTED
    ]
    assert on_2021 and all(label(party) == "2021" for party in on_2021)


def test_the_oldest_pending_answer_has_waited_about_two_months(hnt: Any) -> None:
    _v2021, revision = _versions(hnt)
    assert revision.sent_to_parties_on is not None
    waited = timezone.localdate() - revision.sent_to_parties_on
    assert datetime.timedelta(days=55) <= waited <= datetime.timedelta(days=65)
    assert revision.ratifications.filter(outcome=Outcome.PENDING).exists()


def test_all_parties_handled_2021_one_with_changes_one_in_dispute(hnt: Any) -> None:
    v2021, _revision = _versions(hnt)
    outcomes = sorted(v2021.ratifications.values_list("outcome", flat=True))
    assert len(outcomes) == 20  # the 19 kommuner and the trust
    assert outcomes.count(Outcome.ADOPTED) == 18
    assert outcomes.count(Outcome.ADOPTED_WITH_CHANGES) == 1
    assert outcomes.count(Outcome.DISPUTE) == 1
    for ratification in v2021.ratifications.all():
        assert ratification.case_number and ratification.meeting_date, ratification
        assert ratification.meeting_date.year == 2021
    assert v2021.sent_to_directorate_on is not None
    assert not AgreementVersion.objects.filter(
        agreement__partnership=hnt, label="2021", sent_to_directorate_on=None
    ).exists()


def test_the_party_that_adopted_with_changes_is_bound_with_them(hnt: Any) -> None:
    v2021, _revision = _versions(hnt)
    party = _party(v2021, Outcome.ADOPTED_WITH_CHANGES)
    found = binding.binding(_loaded(hnt, "samarbeidsavtale"), party, datetime.date(2022, 1, 1))
    assert found is not None and found.version == v2021
    assert found.with_changes.startswith("Med den endring at")


def test_the_party_in_dispute_stays_on_2017(hnt: Any) -> None:
    v2021, _revision = _versions(hnt)
    party = _party(v2021, Outcome.DISPUTE)
    found = binding.binding(_loaded(hnt, "samarbeidsavtale"), party, datetime.date(2022, 1, 1))
    assert found is not None and found.version.label == "2017"


def test_the_saeravtale_binds_only_its_parties(hnt: Any) -> None:
    special = _loaded(hnt, "saeravtale-kad-indre-namdal")
    assert not special.all_parties and special.yields_to is not None
    assert special.yields_to.slug == "samarbeidsavtale"
    bound = {p.pk for p in special.parties.all()}
    kinds = Organisation.objects.filter(pk__in=bound).values_list("kind", flat=True)
    assert sorted(set(kinds)) == ["helseforetak", "kommune"] and len(bound) == 6
    today = timezone.localdate()
    for ratification in _versions(hnt)[0].ratifications.select_related("organisation"):
        party = ratification.organisation
        assert (binding.binding(special, party, today) is not None) == (party.pk in bound), party


def test_unchanged_clauses_keep_their_key_from_2021(hnt: Any) -> None:
    v2021, revision = _versions(hnt)
    old = {c.key: c for c in v2021.clauses.all()}
    new = {c.key: c for c in revision.clauses.all()}
    assert len(set(new) - set(old)) == 1  # one added
    assert len(set(old) - set(new)) == 1  # one removed
    shared = set(old) & set(new)
    changed = {key for key in shared if old[key].text != new[key].text}
    assert len(changed) == 3
    assert len(shared - changed) >= 5
    for key in shared - changed:
        assert old[key].heading == new[key].heading
    assert v2021.previous is not None and v2021.previous.label == "2017"


def test_the_guidelines_are_in_force_with_clauses_and_the_midwife_measure(hnt: Any) -> None:
    guidelines = Agreement.objects.filter(partnership=hnt, level__name="Retningslinjer")
    assert guidelines.count() == 6
    for guideline in guidelines:
        (version,) = guideline.versions.all()
        assert version.status == Status.IN_FORCE and version.label == "2021"
        assert 3 <= version.clauses.count() <= 6
    measure = JointMeasure.objects.get(
        clause__agreement_version__agreement__partnership=hnt, name__icontains="jordmor"
    )
    assert measure.employer and measure.organisation and measure.financing


def test_the_texts_are_sanitised_and_free_of_identity_numbers(hnt: Any) -> None:
    for clause in Clause.objects.filter(agreement_version__agreement__partnership=hnt):
        assert clause.text.startswith("<") and sanitise(clause.text) == clause.text, clause
        assert not find_identity_numbers(clause.text), clause
    for ratification in Ratification.objects.filter(
        agreement_version__agreement__partnership=hnt
    ).exclude(changes=""):
        assert not find_identity_numbers(ratification.changes)


def test_st_olav_has_its_own_agreement_adopted_by_its_own_parties(hnt: Any) -> None:
    (agreement,) = Agreement.objects.exclude(partnership=hnt)
    (version,) = agreement.versions.all()
    parties = Participation.objects.filter(
        partnership=agreement.partnership, role=Participation.Role.PARTY
    ).values_list("organisation_id", flat=True)
    assert {r.organisation_id for r in version.ratifications.all()} == set(parties)


def test_the_revision_was_on_consultation_and_adopted_by_psus_decision(hnt: Any) -> None:
    revision = AgreementVersion.objects.get(
        agreement__partnership=hnt, agreement__slug="samarbeidsavtale", status=Status.RATIFICATION
    )
    (consultation,) = revision.consultations.all()
    assert not consultation.is_open
    answers = list(consultation.answers.all())
    addressed = consultation.addressed.count()
    assert len(answers) == 8 and addressed > len(answers)
    # Those that did not answer were reminded; one answer came after the deadline.
    assert consultation.addressed.filter(reminded_at__isnull=False).count() == addressed - 8
    assert sum(timezone.localdate(a.answered_at) > consultation.deadline for a in answers) == 1
    assert {a.position for a in answers} >= {"supports", "comments", "objects", "no_comment"}
    commented = {c.clause.key for a in answers for c in a.comments.all()}
    assert commented <= set(revision.clauses.values_list("key", flat=True)) and commented
    # PSU decided on the version's case before it went to the parties.
    assert revision.case is not None and revision.adopted_by is not None
    assert revision.adopted_by.treatment.case == revision.case
    meeting = revision.adopted_by.treatment.meeting
    assert meeting.council.slug == "psu"
    assert revision.sent_to_parties_on is not None
    assert timezone.localdate(meeting.starts_at) < revision.sent_to_parties_on
