"""Every representation URL × every named person → the expected status.

Outsiders get 404; a round is seen only by its representative and the
people of the constituency (404 for everyone else, the secretariat
included); a report-back only by its writer and, once reported back, the
constituency; insiders without the right get 403 on writes and overviews.
"""

from __future__ import annotations

from typing import Any

import pytest

from councils.models import Council
from councils.services import plan_meeting
from representation import services
from representation.models import InputRound, ReportBack
from representation.tests.conftest import at, hold, make_meeting, open_round, seat_of
from tests.matrix import PEOPLE

INSIDERS_HNT = {"sara", "ada", "lena", "nils", "hanne", "stine", "siri", "kai"}


def _expect(
    insider: int, *, anon: int = 302, overrides: dict[str, int] | None = None
) -> dict[str, int]:
    result = {p: (insider if p in INSIDERS_HNT else 404) for p in PEOPLE}
    result["anon"] = anon
    result.update(overrides or {})
    return result


def _only(who: dict[str, int], rest: int = 404) -> dict[str, int]:
    return _expect(rest, overrides=who)


# The overview: those who manage meetings and people with a seat in ASU
# (Lena and Hanne as members, Stine as observer); other insiders 403.
OVERVIEW = _expect(200, overrides={"nils": 403, "siri": 403, "kai": 403})
# Asking for input: the members Lena and Hanne only.
OPEN = _expect(403, overrides={"lena": 200, "hanne": 200})
REPORT = {"summary": "Kort referat fra møtet"}
ANSWER = {"text": "Mitt innspill"}
EMPTY: dict[str, str] = {}

CASES: list[tuple[str, str, dict[str, str], dict[str, int]]] = [
    ("GET", "/hnt/intern/representasjon/", EMPTY, _expect(200)),
    ("GET", "/hnt/intern/representasjon/innspill/", EMPTY, _expect(200)),
    ("GET", "/hnt/intern/representasjon/tilbakemeldinger/", EMPTY, _expect(200)),
    ("GET", "/hnt/intern/representasjon/mote/{up}/", EMPTY, OVERVIEW),
    ("GET", "/hnt/intern/representasjon/rad/asu/", EMPTY, OVERVIEW),
    ("GET", "/hnt/intern/representasjon/rad/ukjent/", EMPTY, _expect(404)),
    ("GET", "/hnt/intern/representasjon/mote/{past}/", EMPTY, OVERVIEW),
    ("GET", "/hnt/intern/representasjon/mote/{up}/innspill/ny/", EMPTY, OPEN),
    # An empty form comes back with its errors for those who may ask.
    ("POST", "/hnt/intern/representasjon/mote/{up}/innspill/ny/", EMPTY, OPEN),
    # Lena's round for Innherred: hers, and Kai, a member of Verdal (in
    # Innherred), is one of those she asks: Kai answers, Lena closes.
    (
        "GET",
        "/hnt/intern/representasjon/innspill/{round}/",
        EMPTY,
        _only({"lena": 200, "kai": 200}),
    ),
    (
        "POST",
        "/hnt/intern/representasjon/innspill/{round}/svar/",
        ANSWER,
        _only({"lena": 403, "kai": 302}),
    ),
    (
        "POST",
        "/hnt/intern/representasjon/innspill/{round}/lukk/",
        EMPTY,
        _only({"lena": 302, "kai": 403}),
    ),
    # Hanne's round: Sara is a member of the hospital trust, so she is asked.
    (
        "GET",
        "/hnt/intern/representasjon/innspill/{hround}/",
        EMPTY,
        _only({"hanne": 200, "sara": 200}),
    ),
    (
        "POST",
        "/hnt/intern/representasjon/innspill/{hround}/svar/",
        ANSWER,
        _only({"hanne": 403, "sara": 302}),
    ),
    # Lena's report-back from the past meeting, not reported yet.
    (
        "GET",
        "/hnt/intern/representasjon/mote/{past}/tilbakemelding/{lena}/",
        EMPTY,
        _only({"lena": 200}),
    ),
    (
        "POST",
        "/hnt/intern/representasjon/mote/{past}/tilbakemelding/{lena}/",
        REPORT,
        _only({"lena": 302}),
    ),
    (
        "POST",
        "/hnt/intern/representasjon/mote/{past}/tilbakemelding/{lena}/ferdig/",
        EMPTY,
        _only({"lena": 302}),
    ),
    (
        "GET",
        "/hnt/intern/representasjon/mote/{past}/tilbakemelding/{lena}/tekst.txt",
        EMPTY,
        _only({"lena": 200}),
    ),
    # Hanne's report-back, reported: Sara reads it as a constituent.
    (
        "GET",
        "/hnt/intern/representasjon/mote/{past}/tilbakemelding/{hanne}/",
        EMPTY,
        _only({"hanne": 200, "sara": 200}),
    ),
    (
        "POST",
        "/hnt/intern/representasjon/mote/{past}/tilbakemelding/{hanne}/",
        REPORT,
        _only({"hanne": 302, "sara": 403}),
    ),
    (
        "GET",
        "/hnt/intern/representasjon/mote/{past}/tilbakemelding/{hanne}/tekst.txt",
        EMPTY,
        _only({"hanne": 200, "sara": 200}),
    ),
    # Writes are POST only.
    ("GET", "/hnt/intern/representasjon/innspill/{round}/svar/", EMPTY, dict.fromkeys(PEOPLE, 405)),
    ("GET", "/hnt/intern/representasjon/innspill/{round}/lukk/", EMPTY, dict.fromkeys(PEOPLE, 405)),
    # Missing, and St. Olavs' meeting asked for under /hnt/.
    ("GET", "/hnt/intern/representasjon/innspill/999999/", EMPTY, _expect(404)),
    ("GET", "/hnt/intern/representasjon/mote/{stolav}/", EMPTY, _expect(404)),
    ("GET", "/hnt/intern/representasjon/mote/{stolav}/innspill/ny/", EMPTY, _expect(404)),
]


def _ids(people: Any) -> dict[str, int]:
    up = make_meeting(people, 20)
    past = make_meeting(people, -10)
    hold(people, past)
    lena_round = open_round(people.lena, up.meeting)
    hanne_round = open_round(people.hanne, up.meeting)
    services.mark_reported_back(past.meeting, seat_of(people.hanne), by=people.hanne)
    stolav = plan_meeting(Council.objects.get(partnership__slug="stolav"), starts_at=at(15))
    return {
        "up": up.meeting.pk,
        "past": past.meeting.pk,
        "round": lena_round.pk,
        "hround": hanne_round.pk,
        "lena": seat_of(people.lena).pk,
        "hanne": seat_of(people.hanne).pk,
        "stolav": stolav.pk,
    }


def _reset(ids: dict[str, int]) -> None:
    InputRound.objects.filter(pk__in=[ids["round"], ids["hround"]]).update(closed_at=None)
    ReportBack.objects.filter(appointment_id=ids["lena"]).delete()


@pytest.mark.parametrize(
    ("method", "url", "data", "expected"),
    CASES,
    ids=[f"{m} {u}" for m, u, _, _ in CASES],
)
def test_permission_matrix(
    as_person: Any,
    people: Any,
    method: str,
    url: str,
    data: dict[str, str],
    expected: dict[str, int],
) -> None:
    ids = _ids(people)
    target = url.format(**ids)
    failures = []
    for key in PEOPLE:
        client = as_person(None if key == "anon" else key)
        response = client.get(target) if method == "GET" else client.post(target, data)
        if response.status_code != expected[key]:
            failures.append(f"{key}: expected {expected[key]}, got {response.status_code}")
        if method == "POST" and response.status_code == 302 and key != "anon":
            _reset(ids)
    assert not failures, f"{method} {url}:\n" + "\n".join(failures)


def test_the_writes_in_the_matrix_really_happened(as_person: Any, people: Any) -> None:
    ids = _ids(people)
    base = "/hnt/intern/representasjon"
    as_person("sara").post(f"{base}/innspill/{ids['hround']}/svar/", ANSWER)
    assert InputRound.objects.get(pk=ids["hround"]).answers.get().author == people.sara
    lena = as_person("lena")
    lena.post(f"{base}/mote/{ids['past']}/tilbakemelding/{ids['lena']}/", REPORT)
    lena.post(f"{base}/mote/{ids['past']}/tilbakemelding/{ids['lena']}/ferdig/")
    report = ReportBack.objects.get(appointment_id=ids["lena"], meeting_id=ids["past"])
    assert report.summary == REPORT["summary"] and report.reported_by == people.lena
    lena.post(f"{base}/innspill/{ids['round']}/lukk/")
    assert InputRound.objects.get(pk=ids["round"]).closed_at is not None


def test_the_secretariat_sees_counts_not_texts(as_person: Any, people: Any) -> None:
    ids = _ids(people)
    as_person("sara").post(
        f"/hnt/intern/representasjon/innspill/{ids['hround']}/svar/", {"text": "SVARTEKST-123"}
    )
    overview = as_person("ada").get(f"/hnt/intern/representasjon/mote/{ids['up']}/")
    assert "SVARTEKST-123" not in overview.content.decode()
    assert "1 av " in overview.content.decode()
    detail = as_person("hanne").get(f"/hnt/intern/representasjon/innspill/{ids['hround']}/")
    assert "SVARTEKST-123" in detail.content.decode()
    assert people.sara.full_name in detail.content.decode()


def test_a_double_submit_of_the_form_opens_one_round(as_person: Any, people: Any) -> None:
    up = make_meeting(people, 20)
    data = {
        "seat": seat_of(people.lena).pk,
        "case": str(up.cases["public"].pk),
        "deadline": services.meeting_day(up.meeting).isoformat(),
        "message": "Hva mener dere?",
        "client_key": "6f1c2a56-1111-4222-8333-944445555666",
    }
    client = as_person("lena")
    url = f"/hnt/intern/representasjon/mote/{up.meeting.pk}/innspill/ny/"
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert InputRound.objects.filter(meeting=up.meeting).count() == 1


def test_the_form_refuses_a_restricted_case_and_keeps_the_text(as_person: Any, people: Any) -> None:
    up = make_meeting(people, 20)
    data = {
        "seat": seat_of(people.lena).pk,
        "case": str(up.cases["restricted"].pk),
        "deadline": services.meeting_day(up.meeting).isoformat(),
        "message": "Teksten min blir stående",
        "client_key": "6f1c2a56-1111-4222-8333-944445555667",
    }
    response = as_person("lena").post(
        f"/hnt/intern/representasjon/mote/{up.meeting.pk}/innspill/ny/", data
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "kan ikke deles med dem du representerer" in body
    assert "Teksten min blir stående" in body
    assert not InputRound.objects.filter(meeting=up.meeting).exists()
