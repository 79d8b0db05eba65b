"""The report form, the detail page's handling, and pinned query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.tests.ways_of_writing import ways_of_writing
from deviations import services
from deviations.models import Deviation
from deviations.tests.conftest import form_data as _form_data
from deviations.tests.conftest import hf, make_deviation, namsos

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
    # the count and one page (the secretariat handles for no party itself).
    assert before["/hnt/intern/avvik/"] == 9 + 3


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
