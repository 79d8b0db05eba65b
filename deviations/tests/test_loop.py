"""The learning loop: a trend of deviations taken to the council, the
decision's follow-up "revise the routine", the revised version tracing back
to the deviations, and the routine's deviations before and after."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from councils import services as council_services
from councils.models import Council, Meeting, Treatment
from deviations import loop, statistics
from deviations.models import Deviation, DeviationConfig, Guideline, TrendCase
from deviations.tests.conftest import hnt, make_deviation
from routines.models import Routine, RoutineVersion


def _routine(slug: str = "utskrivning") -> Routine:
    return Routine.objects.get(partnership=hnt(), slug=slug)


def _decide(trend_case: TrendCase, by: Any) -> Any:
    """The council decided on the trend case in a meeting held yesterday."""
    council = trend_case.case.council
    meeting = council_services.plan_meeting(
        council, starts_at=timezone.now() + datetime.timedelta(days=7)
    )
    council_services.add_to_agenda(meeting, trend_case.case, Treatment.Kind.DECISION)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    treatment = Treatment.objects.select_related("meeting").get(
        meeting=meeting, case=trend_case.case
    )
    return council_services.record_decision(
        treatment, adopted_as_recommended=True, adopted_text="", by=by
    )


# --- The demo ----------------------------------------------------------------------


def test_the_demos_discharge_routine_was_revised_through_the_loop(db: Any) -> None:
    routine = _routine()
    revision = routine.versions.get(status=RoutineVersion.Status.IN_FORCE)
    assert revision.decision is not None and revision.followup is not None
    trend_case = TrendCase.objects.get(case=revision.decision.treatment.case)
    assert trend_case.routine == routine and trend_case.followup == revision.followup
    assert trend_case.deviations.count() > 0
    # The decision came before the revision, the counted deviations before the case.
    assert revision.in_force_from is not None
    assert (
        timezone.localdate(revision.decision.treatment.meeting.starts_at) < revision.in_force_from
    )
    assert all(
        d.submitted_at is not None and timezone.localdate(d.submitted_at) <= trend_case.period_to
        for d in trend_case.deviations.all()
    )
    figures = loop.before_after(routine)
    assert figures is not None and figures.version == revision
    assert figures.mean_before is not None
    # The routine's deviations drop after the revision (the demo is built so).
    if figures.mean_after is not None:
        assert figures.mean_after < figures.mean_before


# --- The rules --------------------------------------------------------------------------


def test_a_trend_case_counts_the_routines_deviations_once_a_day(people: Any) -> None:
    routine = _routine()
    asu = Council.objects.get(partnership=hnt(), slug="asu")
    new = make_deviation(people, routine=routine)
    trend_case, created = loop.open_case(
        hnt(), loop.Subject(routine=routine), council=asu, by=people.sara
    )
    again, created_again = loop.open_case(
        hnt(), loop.Subject(routine=routine), council=asu, by=people.sara
    )
    assert created and not created_again and again == trend_case
    assert new in trend_case.deviations.all()
    assert (
        trend_case.deviations.count()
        == loop.deviations_of(hnt(), loop.Subject(routine=routine))
        .filter(submitted_at__date__gte=trend_case.period_from)
        .count()
    )
    paper = trend_case.case.background
    assert "<table>" in paper and str(trend_case.deviations.count()) in paper
    # The council asks for the routine to be revised.
    assert "revid" in trend_case.case.proposed_decision.lower()


def test_a_subject_without_deviations_makes_no_case(people: Any) -> None:
    routine = _routine("kad")
    Deviation.objects.filter(routine=routine).update(routine=None)
    asu = Council.objects.get(partnership=hnt(), slug="asu")
    with pytest.raises(ValidationError):
        loop.open_case(hnt(), loop.Subject(routine=routine), council=asu, by=people.sara)
    assert not TrendCase.objects.filter(routine=routine).exists()


def test_the_follow_up_revises_the_routine_and_is_made_once(people: Any) -> None:
    routine = _routine("utskrivningsklare-levanger")
    make_deviation(people, routine=routine)
    asu = Council.objects.get(partnership=hnt(), slug="asu")
    trend_case, _created = loop.open_case(
        hnt(), loop.Subject(routine=routine), council=asu, by=people.sara
    )
    decision = _decide(trend_case, people.sara)
    first = loop.revise_followup(trend_case, decision, by=people.sara)
    second = loop.revise_followup(trend_case, decision, by=people.sara)
    assert first == second
    # The party that owns the routine is responsible for revising it.
    assert first.responsible_organisation == routine.owner_party
    trend_case.refresh_from_db()
    assert trend_case.followup == first


def test_statistics_count_per_routine_and_per_clause(db: Any) -> None:
    submitted = Deviation.objects.filter(partnership=hnt()).exclude(status="draft")
    by_routine = {row.key: row.count for row in statistics.by_routine(submitted)}
    routine = _routine()
    assert by_routine[str(routine.pk)] == submitted.filter(routine=routine).count()
    clauses = statistics.by_clause(submitted)
    assert sum(r.count for r in clauses) == submitted.count()
    assert any("Utskrivning" in r.label for r in clauses if r.key)


# --- The pages --------------------------------------------------------------------------


def test_the_secretariat_takes_a_trend_to_asu_from_the_statistics_page(
    as_person: Any, people: Any
) -> None:
    sara = as_person("sara")
    page = sara.get("/hnt/intern/avvik/statistikk/").content.decode()
    routine = _routine()
    assert f'value="routine-{routine.pk}"' in page
    asu = Council.objects.get(partnership=hnt(), slug="asu")
    data = {"subject": f"routine-{routine.pk}", "council": str(asu.pk)}
    response = sara.post("/hnt/intern/avvik/statistikk/sak/", data)
    trend_case = TrendCase.objects.filter(routine=routine).latest("created")
    assert response["Location"] == f"/hnt/intern/rad/saker/{trend_case.case_id}/"
    sara.post("/hnt/intern/avvik/statistikk/sak/", data)
    assert (
        TrendCase.objects.filter(routine=routine, case__council=asu).count() == 2
    )  # demo's + this
    # A coordinator sees the statistics of her own party but makes no case.
    assert as_person("lena").post("/hnt/intern/avvik/statistikk/sak/", data).status_code == 403


def test_the_routine_page_shows_the_loop(as_person: Any, people: Any) -> None:
    routine = _routine()
    page = as_person("hanne").get(f"/hnt/intern/rutiner/{routine.pk}/").content.decode()
    assert 'id="loop-heading"' in page
    revision = routine.versions.get(status=RoutineVersion.Status.IN_FORCE)
    assert revision.decision is not None
    assert f"/hnt/intern/rad/saker/{revision.decision.treatment.case_id}/" in page
    assert f"/hnt/intern/oppfolging/{revision.followup_id}/" in page


def test_the_public_sees_the_figures_only_where_statistics_are_published(
    client: Any, people: Any
) -> None:
    url = "/hnt/samhandlingsrutiner/utskrivning/"
    DeviationConfig.objects.filter(partnership=hnt()).update(public_statistics=False)
    assert 'id="loop-heading"' not in client.get(url).content.decode()
    DeviationConfig.objects.filter(partnership=hnt()).update(public_statistics=True)
    page = client.get(url).content.decode()
    assert 'id="loop-heading"' in page
    # The public gets the counts, not the internal case and follow-up.
    assert "/intern/" not in page.split('id="loop-heading"')[1].split("</section>")[0]


def test_the_trend_follow_up_is_made_from_the_routine_page(as_person: Any, people: Any) -> None:
    routine = _routine("utskrivningsklare-levanger")
    make_deviation(people, routine=routine)
    asu = Council.objects.get(partnership=hnt(), slug="asu")
    trend_case, _created = loop.open_case(
        hnt(), loop.Subject(routine=routine), council=asu, by=people.sara
    )
    _decide(trend_case, people.sara)
    sara = as_person("sara")
    page = sara.get(f"/hnt/intern/rutiner/{routine.pk}/").content.decode()
    url = f"/hnt/intern/avvik/trendsak/{trend_case.pk}/oppfolging/"
    assert url in page
    assert as_person("lena").post(url).status_code == 403
    response = sara.post(url)
    trend_case.refresh_from_db()
    assert trend_case.followup is not None
    assert response["Location"] == f"/hnt/intern/oppfolging/{trend_case.followup_id}/"
    assert url not in sara.get(f"/hnt/intern/rutiner/{routine.pk}/").content.decode()


def test_guidelines_are_subjects_too(people: Any) -> None:
    guideline = Guideline.objects.get(partnership=hnt(), number=1)
    subject = loop.subject_from_choice(hnt(), f"guideline-{guideline.number}")
    assert subject.guideline == guideline
    with pytest.raises(ValidationError):
        loop.subject_from_choice(hnt(), "routine-999999")


@pytest.mark.parametrize(
    "person", ["anon", "sara", "ada", "lena", "hanne", "stine", "kai", "tor", "otto"]
)
def test_trend_followup_permission_matrix(as_person: Any, people: Any, person: str) -> None:
    """The demo's trend case (decided, its follow-up made): the secretariat
    gets the same follow-up again; other insiders may not; outsiders 404."""
    trend_case = TrendCase.objects.get(routine=_routine())
    url = f"/hnt/intern/avvik/trendsak/{trend_case.pk}/oppfolging/"
    client = as_person(None if person == "anon" else person)
    expected = {"anon": 302, "sara": 302, "ada": 302, "tor": 404, "otto": 404}.get(person, 403)
    assert client.post(url).status_code == expected
    assert client.get(url).status_code == 405
    trend_case.refresh_from_db()
    assert TrendCase.objects.get(pk=trend_case.pk).followup == trend_case.followup
