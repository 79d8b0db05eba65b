"""Coordination: the generated agenda, regional meetings, the crisis log and
its follow-ups, and the resource-request workflow."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from core.services import EditConflict
from councils import services as councils
from councils.models import Case, Council, Meeting, Treatment
from crisis import agenda, periods, resources
from crisis import log as crisis_log
from crisis.catalogue import ensure_covid_form
from crisis.models import CoordinationMeeting, Crisis, LogEntry, ResourceRequest
from crisis.services import open_crisis, save_report
from crisis.tests.conftest import (
    frosta,
    hf,
    hnt,
    hospital_values,
    kommune_values,
    levanger,
    namsos,
)
from followups.models import FollowUp
from notifications.models import Notification
from partnerships.models import Region

R = ResourceRequest.Status
VALID_NUMBER = "30108299920"


def coordination_group() -> Council:
    found = Council.objects.filter(partnership=hnt(), kind=Council.Kind.COORDINATION).first()
    return found or Council.objects.create(
        partnership=hnt(),
        kind=Council.Kind.COORDINATION,
        slug="koordineringsgruppe-test",
        name="Koordineringsgruppen",
        short_name="KG",
    )


def region(name: str) -> Region:
    return Region.objects.get(partnership=hnt(), name=name)


def make_crisis(
    by: Any, *, name: str = "Covid-19 koordinering", council: bool = True, regions: Any = ()
) -> Crisis:
    return open_crisis(
        hnt(),
        name=name,
        form=ensure_covid_form(hnt()),
        starts_on=timezone.localdate() - datetime.timedelta(weeks=3),
        by=by,
        council=coordination_group() if council else None,
        regions=regions,
    )


def week(crisis: Crisis) -> datetime.date:
    return periods.reporting_period(crisis)


def submit(crisis: Crisis, organisation: Any, start: datetime.date, values: Any, by: Any) -> None:
    save_report(crisis, organisation, start, values, by=by, submit=True)


def with_reports(people: Any, crisis: Crisis) -> datetime.date:
    """Levanger worsens (equipment and nursing homes) since last week; Namsos
    reports for the first time; Frosta is short of gloves; the hospital has
    only a draft; Namsos asks for personnel."""
    start = week(crisis)
    before = periods.previous(crisis.form, start)
    submit(crisis, levanger(), before, kommune_values(), people.lena)
    submit(
        crisis,
        levanger(),
        start,
        kommune_values(
            **{
                "smittevernutstyr:munnbind": "14",
                "belegg:sykehjem": "96",
                "utfordringer": "Mange ansatte i karantene",
                "behov": "Trenger to sykepleiere",
            }
        ),
        people.lena,
    )
    submit(crisis, namsos(), start, kommune_values(), people.nils)
    submit(
        crisis, frosta(), start, kommune_values(**{"smittevernutstyr:hansker": "30"}), people.sara
    )
    save_report(
        crisis,
        hf(),
        start,
        hospital_values(utfordringer="UTKAST-TEKST fra sykehuset"),
        by=people.hanne,
        submit=False,
    )
    resources.request_resources(
        crisis,
        organisation=namsos(),
        kind=ResourceRequest.Kind.PERSONNEL,
        description="Intensivsykepleiere til sykehjemmet",
        quantity="2",
        by=people.nils,
    )
    return start


def generate(crisis: Crisis, start: datetime.date, by: Any, **kwargs: Any) -> CoordinationMeeting:
    with translation.override("en"):
        return agenda.generate_agenda(
            crisis, start, by=by, starts_at=timezone.now() + datetime.timedelta(days=1), **kwargs
        )


def papers(link: CoordinationMeeting) -> list[Case]:
    return [
        t.case
        for t in link.meeting.treatments.filter(case__isnull=False)
        .select_related("case")
        .order_by("position")
        if t.case is not None
    ]


def line_of(text: str, party: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"- {party}"))


# --- The generated agenda ------------------------------------------------------------


def test_the_agenda_is_written_from_the_submitted_reports(people: Any) -> None:
    crisis = make_crisis(people.sara)
    start = with_reports(people, crisis)
    link = generate(crisis, start, people.sara)

    meeting = link.meeting
    assert meeting.council == crisis.council
    assert str(start.isocalendar().week) in meeting.title and crisis.name in meeting.title
    cases = papers(link)
    assert len(cases) == 6
    assert {c.visibility for c in cases} == {"council"}
    assert {c.council_id for c in cases} == {crisis.council.pk}  # type: ignore[union-attr]
    status, equipment, capacity, changes, needs, requests = (c.background for c in cases)
    everything = "\n".join(c.background for c in cases)
    # A draft never counts.
    assert "UTKAST" not in everything

    assert "Reported: 3 of 20 parties." in status
    assert "Innherred (1 of 2 reported)" in status
    assert line_of(status, "Levanger").startswith("- Levanger kommune: level 3 (computed)")
    assert "Smittevernutstyr på lager (level 3)" in line_of(status, "Levanger")
    assert "Belegg (i bruk) (level 3)" in line_of(status, "Levanger")
    assert line_of(status, "Namsos").startswith("- Namsos kommune: level 1 (computed)")
    assert line_of(status, "Frosta").startswith("- Frosta kommune: level 2 (computed)")
    assert "not reported" in line_of(status, "Helse Nord-Trøndelag HF")
    assert "Partnership level: computed level 3." in status

    assert "- Levanger kommune: lowest Munnbind 14 dager." in equipment
    assert "Under the thresholds: Munnbind 14 dager (level 3)" in line_of(equipment, "Levanger")
    assert "Hansker 30 dager (level 2)" in line_of(equipment, "Frosta")
    assert "Under the thresholds" not in line_of(equipment, "Namsos")
    assert "Lowest of all: Munnbind, 14 dager (Levanger kommune)." in equipment

    assert "Sykehjem 96 of 100 (96 %, level 3)" in line_of(capacity, "Levanger")
    assert "Sykehjem 80 of 100 (80 %)" in line_of(capacity, "Namsos")
    assert "Total: Sykehjem 256 of 300 (85 %)" in capacity

    assert "party level 1 → 3" in line_of(changes, "Levanger")
    assert "Smittevernutstyr på lager 1 → 3" in line_of(changes, "Levanger")
    assert "Namsos" in changes.splitlines()[-1] and "Frosta" in changes.splitlines()[-1]

    assert "- Særlige utfordringer: Mange ansatte i karantene" in needs
    assert "- Behov for hjelp: Trenger to sykepleiere" in needs
    assert "Namsos" not in needs

    assert "Namsos kommune asks for personnel: Intensivsykepleiere til sykehjemmet (2)" in requests
    assert "Status: Requested" in requests

    kinds = [t.kind for t in meeting.treatments.filter(case__isnull=False).order_by("position")]
    assert kinds[:4] == [Treatment.Kind.INFORMATION] * 4


def test_generating_again_returns_the_same_meeting(people: Any) -> None:
    crisis = make_crisis(people.sara)
    start = with_reports(people, crisis)
    key = uuid.uuid4()
    first = generate(crisis, start, people.sara, client_key=key)
    cases = Case.objects.count()
    again = generate(crisis, start, people.sara, client_key=key)
    also = generate(crisis, start, people.sara)
    assert again.pk == first.pk == also.pk
    assert Case.objects.count() == cases
    assert CoordinationMeeting.objects.filter(crisis=crisis).count() == 1
    assert Meeting.objects.filter(crisis_link__crisis=crisis).count() == 1


def test_the_database_holds_one_meeting_per_period_and_region(people: Any) -> None:
    """What keeps two generators at the same instant to one meeting on
    SQLite too: the unique constraints (the generator returns the first)."""
    from django.db import IntegrityError, transaction

    crisis = make_crisis(people.sara)
    start = with_reports(people, crisis)
    whole = generate(crisis, start, people.sara)
    regional = generate(crisis, start, people.sara, region=region("Værnesregionen"))
    for made in (whole, regional):
        other = Meeting.objects.create(
            council=made.meeting.council, starts_at=made.meeting.starts_at, title="Kopi"
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            CoordinationMeeting.objects.create(
                crisis=crisis, meeting=other, period_start=start, region=made.region
            )


def test_a_regional_meeting_takes_only_the_regions_parties(people: Any) -> None:
    crisis = make_crisis(people.sara)
    start = with_reports(people, crisis)
    whole = generate(crisis, start, people.sara)
    regional = generate(crisis, start, people.sara, region=region("Værnesregionen"))
    assert regional.pk != whole.pk and regional.region == region("Værnesregionen")
    assert "Værnesregionen" in regional.meeting.title
    status = papers(regional)[0].background
    # Stjørdal, Meråker, Frosta and the hospital.
    assert "Reported: 1 of 4 parties." in status
    assert "Frosta" in status and "Helse Nord-Trøndelag HF" in status
    assert "Levanger" not in "\n".join(c.background for c in papers(regional))
    assert "Namsos" not in papers(regional)[5].background


def test_a_local_outbreak_gets_a_regional_meeting(people: Any) -> None:
    crisis = make_crisis(
        people.sara, name="Lokalt utbrudd Frosta", regions=[region("Værnesregionen")]
    )
    start = week(crisis)
    submit(crisis, frosta(), start, kommune_values(smittetall="40"), people.sara)
    link = generate(crisis, start, people.sara, region=region("Værnesregionen"))
    assert "Reported: 1 of 4 parties." in papers(link)[0].background
    with pytest.raises(ValidationError):
        generate(crisis, start, people.sara, region=region("Innherred"))


def test_it_refuses_without_a_coordination_group(people: Any) -> None:
    crisis = make_crisis(people.sara, council=False)
    with pytest.raises(ValidationError) as refused:
        generate(crisis, week(crisis), people.sara)
    with translation.override("en"):
        assert "coordination group" in " ".join(refused.value.messages)
    assert not CoordinationMeeting.objects.filter(crisis=crisis).exists()


def test_it_refuses_a_period_that_is_not_the_crisiss(people: Any) -> None:
    crisis = make_crisis(people.sara)
    future = periods.align(crisis.form, timezone.localdate() + datetime.timedelta(weeks=2))
    for day in (
        week(crisis) + datetime.timedelta(days=1),  # not the start of a period
        crisis.starts_on - datetime.timedelta(weeks=1),  # before the crisis
        future,
    ):
        with pytest.raises(ValidationError):
            generate(crisis, day, people.sara)


def test_an_identity_number_in_a_report_never_reaches_the_agenda(people: Any) -> None:
    crisis = make_crisis(people.sara)
    start = week(crisis)
    with pytest.raises(ValidationError):
        submit(
            crisis, namsos(), start, kommune_values(behov=f"Pasient {VALID_NUMBER}"), people.nils
        )
    link = generate(crisis, start, people.sara)
    assert VALID_NUMBER not in "".join(c.background for c in papers(link))


def test_a_decision_in_the_generated_meeting_can_be_followed_up(people: Any) -> None:
    crisis = make_crisis(people.sara)
    link = generate(crisis, with_reports(people, crisis), people.sara)
    meeting = link.meeting
    meeting = councils.change_meeting_status(
        meeting, Meeting.Status.NOTICE_PUBLISHED, meeting.version
    )
    meeting = councils.change_meeting_status(meeting, Meeting.Status.HELD, meeting.version)
    treatment = meeting.treatments.filter(case__isnull=False).order_by("-position").first()
    assert treatment is not None
    decision = councils.record_decision(
        treatment,
        adopted_as_recommended=False,
        adopted_text="Helse Nord-Trøndelag HF låner ut to intensivsykepleiere til Namsos.",
        by=people.sara,
    )
    followup = councils.followup_from_decision(
        decision,
        title="Lån av sykepleiere til Namsos",
        by=people.sara,
        responsible_organisation=hf(),
    )
    assert followup.origin == FollowUp.Origin.DECISION
    assert followup.source == decision
    assert followup.origin_group == crisis.council.short_name  # type: ignore[union-attr]


def test_the_secretariat_generates_from_the_page(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara)
    start = with_reports(people, crisis)
    url = f"/hnt/intern/krise/{crisis.pk}/koordinering/"
    client = as_person("sara")
    assert client.get(url).status_code == 200
    data = {
        "period": start.isoformat(),
        "region": "",
        "date": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
        "time": "09:30",
        "client_key": str(uuid.uuid4()),
    }
    response = client.post(url, data)
    link = CoordinationMeeting.objects.get(crisis=crisis)
    assert response.status_code == 302
    assert response["Location"] == f"/hnt/intern/rad/moter/{link.meeting_id}/"
    assert timezone.localtime(link.meeting.starts_at).strftime("%H:%M") == "09:30"
    assert client.get(response["Location"]).status_code == 200
    assert client.post(url, data)["Location"] == response["Location"]
    page = as_person("stine").get(url)
    assert page.status_code == 200
    assert f"/hnt/intern/rad/moter/{link.meeting_id}/" in page.content.decode()
    assert page.context["form"] is None


def test_the_page_explains_a_missing_coordination_group(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara, council=False)
    response = as_person("sara").post(
        f"/hnt/intern/krise/{crisis.pk}/koordinering/",
        {
            "period": week(crisis).isoformat(),
            "date": timezone.localdate().isoformat(),
            "time": "10:00",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert not CoordinationMeeting.objects.filter(crisis=crisis).exists()


# --- The crisis log ------------------------------------------------------------------


def test_the_secretariat_logs_an_event_once(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara)
    url = f"/hnt/intern/krise/{crisis.pk}/logg/"
    data = {
        "occurred_on": timezone.localdate().isoformat(),
        "occurred_time": "08:15",
        "text": "Nasjonale tiltak innført",
        "client_key": str(uuid.uuid4()),
    }
    client = as_person("sara")
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    entry = LogEntry.objects.get(crisis=crisis)
    assert entry.by == people.sara
    assert timezone.localtime(entry.occurred_at).strftime("%H:%M") == "08:15"
    page = as_person("stine").get(url)
    assert "Nasjonale tiltak innført" in page.content.decode()
    assert page.context["form"] is None


def test_the_log_is_newest_first(people: Any) -> None:
    crisis = make_crisis(people.sara)
    now = timezone.now()
    crisis_log.add_log_entry(
        crisis, text="Først", by=people.sara, occurred_at=now - datetime.timedelta(days=2)
    )
    crisis_log.add_log_entry(crisis, text="Sist", by=people.sara, occurred_at=now)
    assert [e.text for e in crisis.log.all()] == ["Sist", "Først"]


def test_an_identity_number_in_the_log_is_refused_and_the_text_kept(
    as_person: Any, people: Any
) -> None:
    crisis = make_crisis(people.sara)
    text = f"Pasient {VALID_NUMBER} flyttet"
    response = as_person("sara").post(
        f"/hnt/intern/krise/{crisis.pk}/logg/",
        {"occurred_on": timezone.localdate().isoformat(), "text": text},
    )
    assert response.status_code == 400
    assert "text" in response.context["form"].errors
    assert text in response.content.decode()
    assert not LogEntry.objects.filter(crisis=crisis).exists()
    with pytest.raises(ValidationError):
        crisis_log.add_log_entry(crisis, text=text, by=people.sara)


def test_a_log_entry_becomes_a_follow_up(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara)
    entry = crisis_log.add_log_entry(crisis, text="Mangel på munnbind i Levanger", by=people.sara)
    url = f"/hnt/intern/krise/{crisis.pk}/logg/{entry.pk}/oppfolging/"
    client = as_person("sara")
    assert client.get(url).status_code == 200
    data = {
        "title": "Skaffe munnbind til Levanger",
        "responsible_organisation": levanger().pk,
        "deadline": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
        "client_key": str(uuid.uuid4()),
    }
    response = client.post(url, data)
    followup = FollowUp.objects.get(title="Skaffe munnbind til Levanger")
    assert response["Location"] == f"/hnt/intern/oppfolging/{followup.pk}/"
    assert client.post(url, data).status_code == 302
    assert FollowUp.objects.filter(title="Skaffe munnbind til Levanger").count() == 1
    assert followup.origin == FollowUp.Origin.CRISIS
    assert followup.source == entry
    assert followup.responsible_organisation == levanger()
    assert followup.source_url == f"/hnt/intern/krise/{crisis.pk}/logg/#entry-{entry.pk}"
    log = client.get(f"/hnt/intern/krise/{crisis.pk}/logg/")
    assert f"/hnt/intern/oppfolging/{followup.pk}/" in log.content.decode()
    assert client.post(url, {"title": ""}).status_code == 400


def test_a_log_entry_of_another_crisis_is_not_found(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara)
    other = make_crisis(people.sara, name="Annen krise")
    entry = crisis_log.add_log_entry(other, text="Hendelse", by=people.sara)
    url = f"/hnt/intern/krise/{crisis.pk}/logg/{entry.pk}/oppfolging/"
    assert as_person("sara").get(url).status_code == 404


# --- Resource requests ---------------------------------------------------------------


def make_request(people: Any, crisis: Crisis | None = None) -> ResourceRequest:
    return resources.request_resources(
        crisis or make_crisis(people.sara),
        organisation=levanger(),
        kind=ResourceRequest.Kind.EQUIPMENT,
        description="Munnbind type IIR",
        quantity="2000",
        needed_by=timezone.localdate() + datetime.timedelta(days=5),
        by=people.lena,
    )


def step(request: ResourceRequest, status: str, who: str, **kwargs: Any) -> ResourceRequest:
    own, manages = {
        "lena": ({levanger().pk}, False),
        "nils": ({namsos().pk}, False),
        "hanne": ({hf().pk}, False),
        "sara": (set(), True),
    }[who]
    if status == R.OFFERED:
        kwargs.setdefault("offering_organisation", namsos() if who == "nils" else hf())
        kwargs.setdefault("offer", "Vi kan sende 1000 munnbind i morgen")
    fresh = ResourceRequest.objects.get(pk=request.pk)
    return resources.change_request(
        fresh, status, own=own, manages=manages, by=None, expected_version=fresh.version, **kwargs
    )


def test_the_whole_workflow(people: Any) -> None:
    request = make_request(people)
    assert request.status == R.REQUESTED
    offered = step(request, R.OFFERED, "nils")
    assert offered.status == R.OFFERED and offered.offering_organisation == namsos()
    assert offered.offer == "Vi kan sende 1000 munnbind i morgen"
    assert step(request, R.AGREED, "lena").status == R.AGREED
    assert step(request, R.DELIVERED, "nils").status == R.DELIVERED


def test_the_table_refuses_every_step_it_does_not_hold(people: Any) -> None:
    request = make_request(people)
    everyone = frozenset(
        {
            resources.REQUESTER,
            resources.OFFERER,
            resources.OTHER_PARTY,
            resources.SECRETARIAT,
        }
    )
    for current in R.values:
        request.status = current
        for new in R.values:
            if new in resources.TRANSITIONS[current]:
                resources.check_step(request, new, everyone)
                continue
            with pytest.raises(ValidationError) as refused:
                resources.check_step(request, new, everyone)
            assert refused.value.code == "transition"


@pytest.mark.parametrize(
    ("before", "status", "who", "allowed"),
    [
        ([], R.OFFERED, "nils", True),
        ([], R.OFFERED, "lena", False),  # a party does not offer to itself
        ([], R.OFFERED, "sara", False),  # the secretariat offers for no party
        ([], R.WITHDRAWN, "lena", True),
        ([], R.WITHDRAWN, "nils", False),
        ([], R.WITHDRAWN, "sara", False),
        ([], R.AGREED, "lena", False),  # nothing offered yet
        ([(R.OFFERED, "nils")], R.AGREED, "lena", True),
        ([(R.OFFERED, "nils")], R.AGREED, "sara", True),
        ([(R.OFFERED, "nils")], R.AGREED, "nils", False),  # the offerer does not agree
        ([(R.OFFERED, "nils")], R.AGREED, "hanne", False),
        ([(R.OFFERED, "nils")], R.WITHDRAWN, "lena", True),
        ([(R.OFFERED, "nils")], R.OFFERED, "hanne", False),  # already offered
        ([(R.OFFERED, "nils"), (R.AGREED, "lena")], R.DELIVERED, "nils", True),
        ([(R.OFFERED, "nils"), (R.AGREED, "lena")], R.DELIVERED, "lena", True),
        ([(R.OFFERED, "nils"), (R.AGREED, "lena")], R.DELIVERED, "sara", True),
        ([(R.OFFERED, "nils"), (R.AGREED, "lena")], R.DELIVERED, "hanne", False),
        ([(R.OFFERED, "nils"), (R.AGREED, "lena")], R.WITHDRAWN, "lena", False),
        ([(R.WITHDRAWN, "lena")], R.OFFERED, "nils", False),
    ],
)
def test_who_may_take_each_step(
    people: Any, before: list[tuple[str, str]], status: str, who: str, allowed: bool
) -> None:
    request = make_request(people)
    for earlier, by in before:
        step(request, earlier, by)
    if allowed:
        assert step(request, status, who).status == status
    else:
        with pytest.raises(ValidationError):
            step(request, status, who)
        request.refresh_from_db()
        assert request.status == (before[-1][0] if before else R.REQUESTED)


def test_an_offer_needs_a_text_and_an_own_party(people: Any) -> None:
    request = make_request(people)
    with pytest.raises(ValidationError) as refused:
        step(request, R.OFFERED, "nils", offer="  ")
    assert "offer" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        step(request, R.OFFERED, "nils", offering_organisation=hf())
    assert "offering_organisation" in refused.value.message_dict


def test_two_offers_at_once_the_second_gets_an_edit_conflict(people: Any) -> None:
    request = make_request(people)
    seen_by_nils = ResourceRequest.objects.get(pk=request.pk)
    seen_by_hanne = ResourceRequest.objects.get(pk=request.pk)
    resources.change_request(
        seen_by_nils,
        R.OFFERED,
        own={namsos().pk},
        manages=False,
        by=people.nils,
        expected_version=seen_by_nils.version,
        offering_organisation=namsos(),
        offer="1000 munnbind",
    )
    with pytest.raises(EditConflict):
        resources.change_request(
            seen_by_hanne,
            R.OFFERED,
            own={hf().pk},
            manages=False,
            by=people.hanne,
            expected_version=seen_by_hanne.version,
            offering_organisation=hf(),
            offer="500 munnbind",
        )
    request.refresh_from_db()
    assert request.offering_organisation == namsos() and request.offer == "1000 munnbind"


def test_the_parties_are_notified_of_offers_and_agreements(people: Any) -> None:
    request = make_request(people)
    path = f"/hnt/intern/krise/{request.crisis_id}/ressurser/{request.pk}/"
    step(request, R.OFFERED, "nils")
    offered = Notification.objects.filter(kind=Notification.Kind.CRISIS_REQUEST, path=path)
    assert people.lena.pk in {n.user_id for n in offered}
    assert people.nils.pk not in {n.user_id for n in offered}
    step(request, R.AGREED, "lena")
    agreed = Notification.objects.filter(
        kind=Notification.Kind.CRISIS_REQUEST, path=path, user=people.nils
    )
    assert agreed.exists()
    assert all("Munnbind" not in n.headline for n in Notification.objects.filter(path=path))


def test_a_stood_down_crisis_takes_no_new_requests(people: Any) -> None:
    from crisis.services import stand_down

    crisis = make_crisis(people.sara)
    stand_down(crisis, by=people.sara)
    with pytest.raises(ValidationError):
        make_request(people, crisis)


def test_a_party_asks_and_another_offers_on_the_pages(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara)
    base = f"/hnt/intern/krise/{crisis.pk}/ressurser/"
    data = {
        "organisation": levanger().pk,
        "kind": "equipment",
        "description": "Munnbind type IIR",
        "quantity": "2000",
        "needed_by": "",
        "client_key": str(uuid.uuid4()),
    }
    lena = as_person("lena")
    response = lena.post(f"{base}ny/", data)
    request = ResourceRequest.objects.get(crisis=crisis)
    assert response["Location"] == f"{base}{request.pk}/"
    lena.post(f"{base}ny/", data)
    assert ResourceRequest.objects.filter(crisis=crisis).count() == 1
    # Lena may not ask on behalf of Namsos.
    assert lena.post(f"{base}ny/", data | {"organisation": namsos().pk}).status_code == 400

    nils = as_person("nils")
    page = nils.get(f"{base}{request.pk}/")
    assert page.context["offer_form"] is not None and page.context["steps"] == []
    assert (
        nils.post(f"{base}{request.pk}/steg/", {"status": "offered", "version": 0}).status_code
        == 400
    )
    stale = {"status": "offered", "version": 0, "offering_organisation": namsos().pk}
    response = nils.post(f"{base}{request.pk}/steg/", stale | {"offer": "1000 stk i morgen"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == R.OFFERED and request.version == 1

    hanne = as_person("hanne")
    response = hanne.post(
        f"{base}{request.pk}/steg/",
        {"status": "offered", "version": 0, "offering_organisation": hf().pk, "offer": "500"},
    )
    assert response.status_code == 302  # refused: already offered, explained in a message
    request.refresh_from_db()
    assert request.offering_organisation == namsos()

    page = lena.get(f"{base}{request.pk}/")
    assert [s for s, _label in page.context["steps"]] == [R.AGREED, R.WITHDRAWN]
    assert (
        lena.post(f"{base}{request.pk}/steg/", {"status": "agreed", "version": 0}).status_code
        == 302
    )
    request.refresh_from_db()
    assert request.status == R.OFFERED  # a stale version changes nothing
    lena.post(f"{base}{request.pk}/steg/", {"status": "agreed", "version": request.version})
    request.refresh_from_db()
    assert request.status == R.AGREED

    listing = as_person("stine").get(base)
    assert listing.status_code == 200
    assert f"{base}{request.pk}/" in listing.content.decode()
    assert as_person("stine").get(base + "?status=delivered").context["page"].paginator.count == 0


def test_an_offer_with_a_stale_version_keeps_the_text(as_person: Any, people: Any) -> None:
    request = make_request(people)
    url = f"/hnt/intern/krise/{request.crisis_id}/ressurser/{request.pk}/steg/"
    nils = as_person("nils")
    # Someone else changed the request (a corrected description) after Nils opened it.
    ResourceRequest.objects.filter(pk=request.pk).update(version=3)
    response = nils.post(
        url,
        {
            "status": "offered",
            "version": 0,
            "offering_organisation": namsos().pk,
            "offer": "Vi sender 1000 stk",
        },
    )
    assert response.status_code == 400
    assert "Vi sender 1000 stk" in response.content.decode()
    assert response.context["offer_form"]["version"].value() == "3"
    request.refresh_from_db()
    assert request.status == R.REQUESTED


# --- Pinned query counts -------------------------------------------------------------


def _grow(people: Any, crisis: Crisis, n: int) -> None:
    for i in range(n):
        entry = crisis_log.add_log_entry(crisis, text=f"Hendelse {i}", by=people.sara)
        crisis_log.log_followup(
            entry, title=f"Tiltak {i}", by=people.sara, responsible_organisation=namsos()
        )
        request = make_request(people, crisis)
        if i % 2:
            step(request, R.OFFERED, "nils")
    regions = Region.objects.filter(partnership=hnt()).order_by("position")
    taken = CoordinationMeeting.objects.filter(crisis=crisis).count()
    for place in regions[taken : taken + n]:
        generate(crisis, week(crisis), people.sara, region=place)


# The request's own queries: the session, the person, their second factor (or
# whether they need one), the partnership, their roles and memberships, and
# saving the session (three).
BASE = 9


def test_the_log_and_request_pages_do_not_grow_with_their_rows(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara)
    _grow(people, crisis, 1)
    slug = f"/hnt/intern/krise/{crisis.pk}"
    expected = {
        # The crisis, the count, one page (with who logged each entry), and the
        # page's follow-ups.
        ("sara", f"{slug}/logg/"): BASE + 4,
        ("lena", f"{slug}/logg/"): BASE + 4,
        # The crisis, the count and one page (with the parties); for a party's
        # coordinator also whether the parties she reports for (known from her
        # access) take part in the crisis (its regions, its parties).
        ("sara", f"{slug}/ressurser/"): BASE + 3,
        ("sara", f"{slug}/ressurser/?status=all&mine=on"): BASE + 3,
        ("lena", f"{slug}/ressurser/"): BASE + 5,
        ("lena", f"{slug}/ressurser/?status=all&mine=on"): BASE + 5,
        # The crisis and the meetings (with their regions); for the
        # secretariat the form: whether the crisis has regions, and the regions.
        ("sara", f"{slug}/koordinering/"): BASE + 4,
        ("lena", f"{slug}/koordinering/"): BASE + 2,
    }
    for grow in (0, 6):
        _grow(people, crisis, grow)
        for (who, url), count in expected.items():
            client = as_person(who)
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            assert len(queries) == count, (who, url, grow)
    assert LogEntry.objects.filter(crisis=crisis).count() == 7
    assert CoordinationMeeting.objects.filter(crisis=crisis).count() == 6


def test_the_agenda_is_gathered_in_constant_queries(people: Any) -> None:
    crisis = make_crisis(people.sara)
    start = week(crisis)
    submit(crisis, levanger(), start, kommune_values(), people.lena)
    with CaptureQueriesContext(connection) as few:
        agenda.snapshot(crisis, start)
    with_reports(people, crisis)
    for organisation in Region.objects.get(
        partnership=hnt(), name="Indre Namdal"
    ).participations.all():
        submit(crisis, organisation.organisation, start, kommune_values(), people.sara)
    with CaptureQueriesContext(connection) as many:
        snap = agenda.snapshot(crisis, start)
    assert len(snap.reported) == 8
    # The period's picture with values (crisis.picture: the crisis's regions,
    # the participations, the parties, the regions with their areas, the
    # form, the period's reports, the earlier ones, the declared levels, the
    # action card, the key figures, the values, the rule versions = 12) and
    # the open requests (1).
    assert len(few) == len(many) == 13
