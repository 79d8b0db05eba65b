"""The internal home page is each person's work queue, per party, late first,
with a query count that does not grow with its lines."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deviations.models import Deviation
from partnerships import workqueue
from partnerships.access import PartnershipAccess
from partnerships.models import Organisation, Partnership

LEVANGER, NAMSOS, FROSTA, VERDAL = "5037", "5007", "5036", "5038"


def _org(number: str) -> Organisation:
    return Organisation.objects.get(municipality_number=number)


def _queue(person: Any, slug: str = "hnt") -> workqueue.WorkQueue:
    access = PartnershipAccess.for_user(Partnership.objects.get(slug=slug), person)
    return workqueue.collect(access, person)


def _deviation_to(receiver: Organisation, deadline: datetime.date, **extra: Any) -> Deviation:
    """A submitted deviation from the hospital to ``receiver`` (a copy of a
    demo row, so every required field is filled as the demo fills it)."""
    template = Deviation.objects.filter(partnership__slug="hnt").exclude(status="draft").first()
    assert template is not None
    hospital = Organisation.objects.get(name="Helse Nord-Trøndelag HF")
    template.pk = None
    template.sequence = None
    template.client_key = None
    template.reporting_organisation = hospital
    template.receiving_organisation = receiver
    template.status = Deviation.Status.SUBMITTED
    template.response_deadline = deadline
    for key, value in extra.items():
        setattr(template, key, value)
    template.save()
    return template


def _lines(queue: workqueue.WorkQueue, kind: str) -> list[workqueue.Line]:
    return [line for line in queue.todo + queue.stuck if line.kind == kind]


def test_a_coordinator_sees_what_her_party_must_answer_with_a_link(people: Any) -> None:
    today = timezone.localdate()
    deviation = _deviation_to(_org(LEVANGER), today + datetime.timedelta(days=3))
    lines = _lines(_queue(people.lena), "answer")
    ours = [line for line in lines if line.url.endswith(f"/avvik/{deviation.pk}/")]
    assert len(ours) == 1 and ours[0].due == deviation.response_deadline
    assert not ours[0].late
    # Nils coordinates Namsos: not his to answer.
    assert not [line for line in _lines(_queue(people.nils), "answer") if line in ours]


def test_it_is_per_party_for_a_person_with_two_roles(people: Any) -> None:
    """Kai coordinates Frosta and is a plain member of Verdal: Frosta's
    deviations are his to answer, Verdal's are not."""
    soon = timezone.localdate() + datetime.timedelta(days=5)
    frosta = _deviation_to(_org(FROSTA), soon)
    verdal = _deviation_to(_org(VERDAL), soon)
    urls = {line.url for line in _lines(_queue(people.kai), "answer")}
    assert any(url.endswith(f"/avvik/{frosta.pk}/") for url in urls)
    assert not any(url.endswith(f"/avvik/{verdal.pk}/") for url in urls)


def test_late_lines_come_first_and_are_marked(people: Any) -> None:
    today = timezone.localdate()
    later = _deviation_to(_org(LEVANGER), today + datetime.timedelta(days=30))
    late = _deviation_to(_org(LEVANGER), today - datetime.timedelta(days=400))
    queue = _queue(people.lena)
    positions = {line.url.rsplit("/", 2)[-2]: i for i, line in enumerate(queue.todo)}
    assert positions[str(late.pk)] < positions[str(later.pk)]
    marked = {line.url: line.late for line in queue.todo}
    assert marked[f"/hnt/intern/avvik/{late.pk}/"] is True
    assert marked[f"/hnt/intern/avvik/{later.pk}/"] is False
    assert queue.late_count >= 1


def test_follow_ups_of_my_party_and_my_own(people: Any) -> None:
    from followups import services

    hnt = Partnership.objects.get(slug="hnt")
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    party = services.create_followup(
        partnership=hnt,
        title="Levanger lager rutine",
        by=people.sara,
        responsible_organisation=_org(LEVANGER),
        deadline=deadline,
    )
    own = services.create_followup(
        partnership=hnt, title="Nils skriver notat", by=people.sara, responsible_person=people.nils
    )
    assert party.title in {line.title for line in _lines(_queue(people.lena), "party")}
    assert own.title in {line.title for line in _lines(_queue(people.nils), "mine")}
    assert party.title not in {line.title for line in _lines(_queue(people.nils), "party")}


def test_only_the_secretariat_sees_what_is_stuck(people: Any) -> None:
    _deviation_to(_org(LEVANGER), timezone.localdate() - datetime.timedelta(days=20))
    assert _queue(people.sara).stuck
    for key in ("lena", "hanne", "stine", "kai"):
        assert not _queue(getattr(people, key)).stuck, key


def _count(person: Any) -> int:
    access = PartnershipAccess.for_user(Partnership.objects.get(slug="hnt"), person)
    with CaptureQueriesContext(connection) as queries:
        workqueue.collect(access, person)
    return len(queries)


# Queries of the queue alone (the page adds its own, pinned in test_queries).
# Lena (coordinator of Levanger, a seat in ASU): seats, papers ahead, minutes
# to read; her follow-ups, her party's; input asked of her; deviations to
# answer, to close, her drafts; the active crises (none in the demo); the
# versions sent for ratification, with their agreements' parties, the
# ratifications so far and her party's name  = 14.
# Sara (secretariat, a seat as secretary): seats, papers ahead, minutes to
# read; notices to publish, approvals to record, meetings without minutes,
# decisions without follow-up; her drafts, deviations past the deadline; her
# follow-ups; input asked of her  = 11.
# Then each app's own sources, for both: routines' reviews due or overdue
# (one query for everyone, routines/workqueue.py) = 1; task transfers
# (transfers/workqueue.py): Lena's party's consequence assessments to write,
# the secretariat's transfers to move on = 1 each; consultations
# (agreements/workqueue.py): Lena's party's rounds to answer, the answers the
# secretariat has not read = 1 each; the action plan's overdue progress
# reports (plans/workqueue.py): Lena's party's, all for the secretariat = 1.
ROUTINES = 1
TRANSFERS = 1
CONSULTATIONS = 1
PLANS = 1
PINS = {
    "lena": 14 + ROUTINES + TRANSFERS + CONSULTATIONS + PLANS,
    "sara": 11 + ROUTINES + TRANSFERS + CONSULTATIONS + PLANS,
}


@pytest.mark.parametrize("key", sorted(PINS))
def test_the_query_count_does_not_grow_with_the_lines(people: Any, key: str) -> None:
    from followups import services

    person = getattr(people, key)
    before = _count(person)
    assert before == PINS[key]
    hnt = Partnership.objects.get(slug="hnt")
    today = timezone.localdate()
    for i in range(12):
        _deviation_to(_org(LEVANGER), today + datetime.timedelta(days=i - 6))
        services.create_followup(
            partnership=hnt,
            title=f"Oppfølging {i}",
            by=people.sara,
            responsible_organisation=_org(LEVANGER),
            responsible_person=person if i % 2 else None,
            deadline=today + datetime.timedelta(days=i),
        )
    assert _count(person) == before
    queue = _queue(person)
    assert queue.todo or queue.stuck


def test_a_long_kind_is_cut_and_counted(people: Any) -> None:
    today = timezone.localdate()
    for i in range(workqueue.LIMIT + 3):
        _deviation_to(_org(LEVANGER), today + datetime.timedelta(days=i + 1))
    queue = _queue(people.lena)
    answers = _lines(queue, "answer")
    assert len(answers) == workqueue.LIMIT
    cut = [group for group in queue.more if group.kind == "answer"]
    assert cut and cut[0].more >= 3 and cut[0].more_url == "/hnt/intern/avvik/"


def test_the_home_page_shows_the_queue(as_person: Any) -> None:
    deviation = _deviation_to(_org(LEVANGER), timezone.localdate() + datetime.timedelta(days=2))
    page = as_person("lena").get("/hnt/intern/").content.decode()
    assert f'href="/hnt/intern/avvik/{deviation.pk}/"' in page
    assert 'id="todo-heading"' in page
    assert 'id="stuck-heading"' not in page
    assert 'id="stuck-heading"' in as_person("sara").get("/hnt/intern/").content.decode()


def test_log_in_lands_on_the_work_queue(client: Any, people: Any) -> None:
    from partnerships.demo import DEMO_PASSWORD

    response = client.post(
        "/konto/logg-inn/", {"email": people.lena.email, "password": DEMO_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/hnt/intern/"


def test_a_person_in_two_partnerships_chooses(as_person: Any) -> None:
    response = as_person("kai").get("/konto/start/")
    assert response.status_code == 302 and response["Location"] == "/konto/"
    assert as_person("lena").get("/konto/start/")["Location"] == "/hnt/intern/"
