"""The report form, the detail page (dialogue, timeline, handling), and pinned
query counts."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation

from core.tests.ways_of_writing import ways_of_writing
from councils.models import Case, Council
from deviations import services
from deviations.models import Deviation
from deviations.tests.conftest import form_data as _form_data
from deviations.tests.conftest import hf, hnt, levanger, make_deviation, namsos, report_data
from followups.models import FollowUp
from partnerships.models import Organisation

VALID_NUMBER = "30108299920"


def test_a_coordinator_reports_and_the_receiver_sees_it(as_person: Any, people: Any) -> None:
    response = as_person("lena").post("/hnt/intern/avvik/ny/", _form_data())
    assert response.status_code == 302
    deviation = Deviation.objects.get(external_reference="Synergi 4711")
    assert deviation.status == "submitted"
    assert timezone.localtime(deviation.occurred_at).strftime("%H:%M") == "21:30"
    page = as_person("hanne").get(f"/hnt/intern/avvik/{deviation.pk}/")
    assert deviation.number in page.content.decode()
    assert "sent på kvelden" in page.content.decode()


def test_an_identity_number_is_refused_and_everything_typed_is_kept(
    as_person: Any, people: Any
) -> None:
    text = f"Pasient {VALID_NUMBER} ble sendt hjem uten epikrise."
    response = as_person("lena").post(
        "/hnt/intern/avvik/ny/", _form_data(description=text, receiving_unit="Avdeling X")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "fødselsnummer" in html
    assert "ble sendt hjem uten epikrise" in html  # the text is kept to be corrected
    assert 'value="Avdeling X"' in html and 'value="Synergi 4711"' in html
    assert not Deviation.objects.filter(external_reference="Synergi 4711").exists()


def test_a_double_submit_creates_one_report(as_person: Any, people: Any) -> None:
    data = _form_data()
    client = as_person("lena")
    assert client.post("/hnt/intern/avvik/ny/", data).status_code == 302
    assert client.post("/hnt/intern/avvik/ny/", data).status_code == 302
    assert Deviation.objects.filter(client_key=data["client_key"]).count() == 1


def test_a_draft_is_saved_then_sent(as_person: Any, people: Any) -> None:
    client = as_person("lena")
    client.post("/hnt/intern/avvik/ny/", _form_data(action="draft"))
    draft = Deviation.objects.get(external_reference="Synergi 4711")
    assert draft.status == "draft"
    assert as_person("hanne").get(f"/hnt/intern/avvik/{draft.pk}/").status_code == 404
    response = client.post(
        f"/hnt/intern/avvik/{draft.pk}/rediger/",
        _form_data(version=draft.version, description="Oppdatert.", action="submit"),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.description == "Oppdatert."


def test_the_receiver_answers_and_the_reporter_closes(as_person: Any, people: Any) -> None:
    deviation = make_deviation(people)
    response = as_person("hanne").post(
        f"/hnt/intern/avvik/{deviation.pk}/svar/",
        {"cause": "Travel kveld.", "measures": "Ny rutine.", "version": deviation.version},
    )
    assert response.status_code == 302
    deviation.refresh_from_db()
    assert deviation.status == "answered"
    as_person("lena").post(
        f"/hnt/intern/avvik/{deviation.pk}/status/",
        {"status": "closed", "version": deviation.version},
    )
    deviation.refresh_from_db()
    assert deviation.status == "closed"


def test_a_refused_step_is_explained(as_person: Any, people: Any) -> None:
    deviation = make_deviation(people)
    response = as_person("lena").post(
        f"/hnt/intern/avvik/{deviation.pk}/status/",
        {"status": "closed", "version": deviation.version},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "cannot become" in response.content.decode()
    deviation.refresh_from_db()
    assert deviation.status == "submitted"


def _grow(people: Any, n: int) -> Deviation:
    last = make_deviation(people)
    for i in range(n):
        other = make_deviation(people, receiving_organisation=[hf(), namsos()][i % 2])
        services.add_message(other, by=people.lena, side="reporter", text=f"Melding {i}")
        services.add_message(last, by=people.lena, side="reporter", text=f"Melding {i}")
    return last


def test_list_and_detail_queries_do_not_grow(as_person: Any, people: Any) -> None:
    first = _grow(people, 1)
    client = as_person("sara")
    urls = [
        "/hnt/intern/avvik/",
        "/hnt/intern/avvik/?status=all&overdue=on",
        f"/hnt/intern/avvik/{first.pk}/",
    ]
    before = {}
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        before[url] = len(queries)
    _grow(people, 6)
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        assert len(queries) == before[url], url
    # The list: the base 9, whether her organisation lets all members report,
    # the filter's parties and categories, the count and one page (the
    # secretariat handles for no party itself).
    assert before["/hnt/intern/avvik/"] == 9 + 5


@pytest.mark.parametrize(("name", "written"), list(ways_of_writing(VALID_NUMBER).items()))
def test_the_form_refuses_a_number_however_it_is_written(
    as_person: Any, people: Any, name: str, written: str
) -> None:
    response = as_person("lena").post(
        "/hnt/intern/avvik/ny/", _form_data(immediate_measures=f"Ringte om {written} i dag.")
    )
    assert response.status_code == 400, name
    html = response.content.decode()
    assert "fødselsnummer" in html  # the message says what to remove
    assert "i dag." in html  # and what was typed is kept, to be corrected
    assert not Deviation.objects.filter(external_reference="Synergi 4711").exists()


# --- The report form's parties --------------------------------------------------------


def _options(html: str, name: str) -> list[tuple[str, bool, str]]:
    """The options of the select ``name``: (value, selected, label)."""
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S)
    assert select is not None, name
    return [
        (value, bool(selected), label.strip())
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select.group(0)
        )
    ]


def test_the_one_party_a_person_reports_for_is_chosen_already(as_person: Any, people: Any) -> None:
    html = as_person("lena").get("/hnt/intern/avvik/ny/").content.decode()
    # One option, selected: no empty choice to fall back to.
    assert _options(html, "reporting_organisation") == [
        (str(levanger().pk), True, "Levanger kommune")
    ]


def test_someone_who_reports_for_two_parties_chooses(as_person: Any, people: Any) -> None:
    # Kai coordinates Frosta and is a member of Verdal, which lets members report.
    options = _options(
        as_person("kai").get("/hnt/intern/avvik/ny/").content.decode(), "reporting_organisation"
    )
    assert [label for _value, _selected, label in options][1:] == [
        "Frosta kommune",
        "Verdal kommune",
    ]
    # Nothing chosen for them: the empty choice is the selected one.
    assert [value for value, selected, _label in options if selected] == [""]


def test_the_own_party_is_not_offered_as_the_receiver(as_person: Any, people: Any) -> None:
    html = as_person("lena").get("/hnt/intern/avvik/ny/").content.decode()
    receivers = {value for value, _selected, _label in _options(html, "receiving_organisation")}
    assert str(hf().pk) in receivers and str(namsos().pk) in receivers
    assert str(levanger().pk) not in receivers


def test_the_same_party_on_both_sides_is_a_field_error_and_the_text_is_kept(
    as_person: Any, people: Any
) -> None:
    frosta = Organisation.objects.get(municipality_number="5036")
    response = as_person("kai").post(
        "/hnt/intern/avvik/ny/",
        _form_data(
            reporting_organisation=frosta.pk,
            receiving_organisation=frosta.pk,
            external_reference="Frosta 17",
            consequence="",  # a second error: both are shown at once
        ),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(r'id="id_receiving_organisation-error">(.*?)</div>', html, re.S)
    assert error is not None and "another party than your own" in error.group(1)
    assert 'id="id_consequence-error"' in html
    assert "sent på kvelden" in html and 'value="Frosta 17"' in html
    assert not Deviation.objects.filter(external_reference="Frosta 17").exists()


# --- The detail page ------------------------------------------------------------------


def test_an_empty_dialogue_says_so_outside_the_list(as_person: Any, people: Any) -> None:
    deviation = make_deviation(people)
    html = as_person("lena").get(f"/hnt/intern/avvik/{deviation.pk}/").content.decode()
    assert '<p class="ds-paragraph">Ingen meldinger ennå.</p>' in html
    assert 'class="ds-list thread"' not in html
    services.add_message(deviation, by=people.lena, side="reporter", text="Første melding")
    html = as_person("lena").get(f"/hnt/intern/avvik/{deviation.pk}/").content.decode()
    thread = re.search(r'<ol class="ds-list thread">(.*?)</ol>', html, re.S)
    assert thread is not None and "Første melding" in thread.group(1)
    assert "Ingen meldinger ennå." not in html


def _local(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).astimezone(datetime.UTC)


def test_the_timeline_shows_the_key_moments_in_local_time(as_person: Any, people: Any) -> None:
    deviation = make_deviation(people)
    deviation = services.answer(
        deviation,
        cause="Travel kveld.",
        measures="Ny rutine.",
        side=services.RECEIVER,
        expected_version=deviation.version,
    )
    followup = services.measure_as_followup(deviation, title="Sjekkliste", by=people.hanne)
    case = services.escalate(
        deviation, council=Council.objects.get(partnership=hnt(), slug="asu"), by=people.sara
    )
    # Reported a little after midnight in Oslo, when it was still 31 March in UTC.
    Deviation.objects.filter(pk=deviation.pk).update(
        submitted_at=_local("2026-04-01T00:30:00+02:00"),
        received_at=_local("2026-04-02T09:00:00+02:00"),
        first_answered_at=_local("2026-04-10T14:00:00+02:00"),
        answered_at=_local("2026-04-20T14:00:00+02:00"),
        closed_at=_local("2026-04-25T10:00:00+02:00"),
        status=Deviation.Status.CLOSED,
    )
    FollowUp.objects.filter(pk=followup.pk).update(created=_local("2026-04-21T08:00:00+02:00"))
    Case.objects.filter(pk=case.pk).update(created=_local("2026-04-22T08:00:00+02:00"))
    response = as_person("lena").get(
        f"/hnt/intern/avvik/{deviation.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    section = re.search(r'<ol class="ds-list timeline">(.*?)</ol>', html, re.S)
    assert section is not None
    items = re.findall(
        r'<li><time datetime="([^"]+)">([^<]+)</time>: '
        r'([^<]*(?:<span lang="nb">[^<]*</span>)?)</li>',
        section.group(1),
    )
    assert [(moment, label.split(" – ")[0]) for moment, _text, label in items] == [
        ("2026-04-01T00:30:00+02:00", "Reported"),
        ("2026-04-02T09:00:00+02:00", "Received"),
        ("2026-04-10T14:00:00+02:00", "Answered"),
        ("2026-04-20T14:00:00+02:00", "Answered again after reopening"),
        ("2026-04-21T08:00:00+02:00", "Measure followed up"),
        ("2026-04-22T08:00:00+02:00", "Taken to a council"),
        ("2026-04-25T10:00:00+02:00", "Closed"),
    ]
    with translation.override("en"):
        shown = formats.date_format(
            datetime.datetime(2026, 4, 1, 0, 30), "DATETIME_FORMAT", use_l10n=True
        )
    assert items[0][1] == shown  # the local date, 1 April, not UTC's 31 March
    assert "Levanger kommune" in items[0][2] and "Sjekkliste" in items[4][2]
    assert f"Case {case.number}" in items[5][2]
    assert 'aria-labelledby="timeline-heading"' in html


def test_a_draft_has_no_timeline(as_person: Any, people: Any) -> None:
    draft = services.save_draft(
        hnt(), report_data(), by=people.lena, own=frozenset({levanger().pk})
    )
    html = as_person("lena").get(f"/hnt/intern/avvik/{draft.pk}/").content.decode()
    assert 'class="ds-list timeline"' not in html


# --- Assigning internally ------------------------------------------------------------


def test_only_the_receiving_partys_handlers_can_be_assigned(as_person: Any, people: Any) -> None:
    # Sara, of the secretariat, is also a plain member of the HF in the demo.
    deviation = make_deviation(people)
    client = as_person("hanne")
    html = client.get(f"/hnt/intern/avvik/{deviation.pk}/").content.decode()
    people_offered = {value for value, _selected, _label in _options(html, "person")} - {""}
    assert str(people.hanne.pk) in people_offered
    assert str(people.sara.pk) not in people_offered
    assert str(people.lena.pk) not in people_offered
    response = client.post(
        f"/hnt/intern/avvik/{deviation.pk}/tildel/",
        {"unit": "Sekretariatet", "person": people.sara.pk, "version": deviation.version},
    )
    assert response.status_code == 302
    deviation.refresh_from_db()
    assert deviation.assigned_to is None and deviation.assigned_unit == ""
    client.post(
        f"/hnt/intern/avvik/{deviation.pk}/tildel/",
        {"unit": "Medisinsk", "person": people.hanne.pk, "version": deviation.version},
    )
    deviation.refresh_from_db()
    assert deviation.assigned_to == people.hanne and deviation.assigned_unit == "Medisinsk"


def test_the_service_refuses_a_person_who_does_not_handle_for_the_party(people: Any) -> None:
    deviation = make_deviation(people)
    with pytest.raises(ValidationError):
        services.assign(
            deviation,
            unit="",
            person=people.sara,
            side=services.RECEIVER,
            expected_version=deviation.version,
        )
