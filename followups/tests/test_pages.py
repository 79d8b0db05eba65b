"""The follow-up pages as people use them: creating, the overview and its
filters, the log, status changes and edits."""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from followups import services
from followups.models import FollowUp, FollowUpLogEntry
from followups.tests.conftest import levanger, make_followup, namsos

LIST_URL = "/hnt/intern/oppfolging/"
NEW_URL = "/hnt/intern/oppfolging/ny/"
IDENTITY_NUMBER = "30108299920"


def _rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr[^>]*>.*?</tr>", body, flags=re.S)


def _new(client: Client, key: str, **overrides: Any) -> Any:
    data = {
        "title": "Evaluere rutinen for utskrivningsklare pasienter",
        "description": "Legg fram evalueringen for ASU.",
        "responsible_organisation": levanger().pk,
        "deadline": "2026-12-31",
        "review_date": "",
        "responsible_person": "",
        "client_key": key,
        **overrides,
    }
    return client.post(NEW_URL, data)


def _client_key(page: str) -> str:
    match = re.search(r'name="client_key" value="([^"]+)"', page)
    assert match, "the form carries an idempotency key"
    return match.group(1)


def test_the_secretariat_creates_a_follow_up(as_person: Any, people: Any) -> None:
    sara = as_person("sara")
    key = _client_key(sara.get(NEW_URL).content.decode())
    response = _new(sara, key)
    followup = FollowUp.objects.get(client_key=key)
    assert response.status_code == 302
    assert response["Location"] == f"/hnt/intern/oppfolging/{followup.pk}/"
    assert followup.created_by == people.sara
    assert followup.responsible_organisation == levanger()
    assert followup.deadline == datetime.date(2026, 12, 31)
    assert followup.status == FollowUp.Status.PLANNED
    assert followup.origin == FollowUp.Origin.OTHER


def test_each_new_form_gets_its_own_key(as_person: Any, people: Any) -> None:
    sara = as_person("sara")
    first = _client_key(sara.get(NEW_URL).content.decode())
    second = _client_key(sara.get(NEW_URL).content.decode())
    assert first != second
    uuid.UUID(first)


def test_a_double_submit_creates_one_follow_up(as_person: Any, people: Any) -> None:
    sara = as_person("sara")
    key = _client_key(sara.get(NEW_URL).content.decode())
    before = FollowUp.objects.count()
    first = _new(sara, key)
    second = _new(sara, key)
    assert FollowUp.objects.count() == before + 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    # Another form (another key) is another follow-up.
    _new(sara, str(uuid.uuid4()))
    assert FollowUp.objects.count() == before + 2


def test_the_key_survives_a_form_with_errors(as_person: Any, people: Any) -> None:
    sara = as_person("sara")
    key = str(uuid.uuid4())
    response = _new(sara, key, title="")
    assert response.status_code == 200
    assert _client_key(response.content.decode()) == key


def test_an_identity_number_in_the_title_or_description_is_refused_and_the_text_kept(
    as_person: Any, people: Any
) -> None:
    sara = as_person("sara")
    title = f"Oppfølging av pasient {IDENTITY_NUMBER}"
    before = FollowUp.objects.count()
    response = _new(sara, str(uuid.uuid4()), title=title, description=f"Se {IDENTITY_NUMBER}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["title"] and form.errors["description"]
    # The message does not repeat the number; the field still holds the text.
    assert IDENTITY_NUMBER not in " ".join(form.errors["title"] + form.errors["description"])
    page = response.content.decode()
    assert f'value="{title}"' in page
    assert FollowUp.objects.count() == before


def test_an_identity_number_in_a_log_entry_is_refused_and_the_text_kept(
    as_person: Any, people: Any, levanger_followup: FollowUp
) -> None:
    text = f"Ringte om {IDENTITY_NUMBER} i dag"
    response = as_person("lena").post(
        f"/hnt/intern/oppfolging/{levanger_followup.pk}/logg/", {"text": text, "progress": "30"}
    )
    assert response.status_code == 200
    assert response.context["log_form"].errors["text"]
    assert text in response.content.decode()
    assert not FollowUpLogEntry.objects.exists()
    levanger_followup.refresh_from_db()
    assert levanger_followup.progress == 0


def test_the_form_offers_only_the_partnerships_parties_and_people(
    as_person: Any, people: Any
) -> None:
    form = as_person("sara").get(NEW_URL).context["form"]
    organisations = set(form.fields["responsible_organisation"].queryset)
    persons = set(form.fields["responsible_person"].queryset)
    assert levanger() in organisations and namsos() in organisations
    assert not any(o.municipality_number == "5001" for o in organisations)  # Trondheim
    assert people.lena in persons and people.siri in persons
    assert people.tor not in persons and people.otto not in persons


def test_the_overview_marks_overdue_follow_ups_in_words(as_person: Any, people: Any) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    make_followup(people, title="Forsinket tiltak", deadline=yesterday)
    make_followup(people, title="Tiltak i rute")
    rows = _rows(as_person("lena").get(LIST_URL).content.decode())
    late = next(r for r in rows if "Forsinket tiltak" in r)
    on_time = next(r for r in rows if "Tiltak i rute" in r)
    assert 'class="ds-tag" data-color="danger"' in late
    assert "Overdue" in late or "Forfalt" in late
    assert yesterday.strftime("%d.%m.%Y") in late
    assert "ds-tag" not in on_time


def test_the_overview_shows_the_newest_remark(as_person: Any, people: Any) -> None:
    followup = make_followup(people)
    services.add_log_entry(
        followup, by=people.lena, text="Eldre notat", date=timezone.localdate().replace(day=1)
    )
    services.add_log_entry(followup, by=people.lena, text="Nyeste notat")
    services.add_log_entry(followup, by=people.lena, text="x" * 500)
    row = _rows(as_person("sara").get(LIST_URL).content.decode())[0]
    assert "x" * 100 in row
    assert "x" * 200 not in row  # truncated
    assert "Eldre notat" not in row


def test_the_overview_shows_open_follow_ups_unless_asked(as_person: Any, people: Any) -> None:
    make_followup(people, title="Åpen sak")
    done = make_followup(people, title="Lukket sak")
    services.change_status(done, FollowUp.Status.DONE, by=people.sara, expected_version=0)
    sara = as_person("sara")
    default = sara.get(LIST_URL).content.decode()
    assert "Åpen sak" in default and "Lukket sak" not in default
    everything = sara.get(LIST_URL, {"status": "all"}).content.decode()
    assert "Åpen sak" in everything and "Lukket sak" in everything
    only_done = sara.get(LIST_URL, {"status": "done"}).content.decode()
    assert "Åpen sak" not in only_done and "Lukket sak" in only_done


def test_the_overview_filters_by_origin_group_party_and_overdue(
    as_person: Any, people: Any
) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    make_followup(people, title="PSU-vedtak", origin_group="PSU", responsible_organisation=None)
    make_followup(people, title="Namsos-tiltak", responsible_organisation=namsos())
    make_followup(people, title="Forfalt ASU", deadline=yesterday)
    make_followup(people, title="Avvikstiltak", origin=FollowUp.Origin.DEVIATION, origin_group="")
    sara = as_person("sara")

    def titles(**query: Any) -> set[str]:
        page = sara.get(LIST_URL, query).content.decode()
        return {
            t
            for t in ["PSU-vedtak", "Namsos-tiltak", "Forfalt ASU", "Avvikstiltak"]
            if t in "".join(_rows(page))
        }

    assert titles() == {"PSU-vedtak", "Namsos-tiltak", "Forfalt ASU", "Avvikstiltak"}
    assert titles(group="PSU") == {"PSU-vedtak"}
    assert titles(organisation=namsos().pk) == {"Namsos-tiltak"}
    assert titles(overdue="on") == {"Forfalt ASU"}
    assert titles(origin="deviation") == {"Avvikstiltak"}
    assert titles(group="ASU", overdue="on") == {"Forfalt ASU"}
    # The group filter offers the groups in use, once each.
    form = sara.get(LIST_URL).context["filter_form"]
    assert [value for value, _ in form.fields["group"].choices] == ["", "ASU", "PSU"]


def test_an_unknown_filter_value_is_shown_as_an_error_not_a_crash(
    as_person: Any, people: Any
) -> None:
    make_followup(people, title="Åpen sak")
    response = as_person("sara").get(LIST_URL, {"status": "tull", "organisation": "x"})
    assert response.status_code == 200
    assert response.context["filter_form"].errors["status"]
    assert "Åpen sak" in response.content.decode()


def test_the_overview_pages_at_fifty(as_person: Any, people: Any) -> None:
    for i in range(51):
        make_followup(people, title=f"Tiltak nr {i:02d}")
    sara = as_person("sara")
    first = sara.get(LIST_URL, {"status": "open"})
    assert len(_rows(first.content.decode())) == 50
    assert "page=2" in first.content.decode()
    second = sara.get(LIST_URL, {"status": "open", "page": "2"}).content.decode()
    assert len(_rows(second)) == 1
    # The filter travels with the page link.
    assert "status=open" in first.content.decode().split('class="ds-pagination"', 1)[1]


def test_the_create_button_shows_for_those_who_may_create(as_person: Any, people: Any) -> None:
    assert NEW_URL in as_person("sara").get(LIST_URL).content.decode()
    assert NEW_URL not in as_person("lena").get(LIST_URL).content.decode()


def test_a_coordinator_reports_progress_on_her_partys_follow_up(
    as_person: Any, people: Any, levanger_followup: FollowUp
) -> None:
    url = f"/hnt/intern/oppfolging/{levanger_followup.pk}/"
    lena = as_person("lena")
    page = lena.get(url)
    assert page.context["log_form"] is not None
    # She starts and finishes her party's follow-up; cancelling and reopening
    # are the secretariat's (followups.services.RESPONSIBLE_STEPS).
    assert [form.target for form in page.context["status_forms"]] == ["in_progress", "done"]
    response = lena.post(
        url + "logg/", {"text": "Utkast sendt på høring", "progress": "40", "date": ""}
    )
    assert response.status_code == 302
    levanger_followup.refresh_from_db()
    assert levanger_followup.progress == 40
    assert levanger_followup.status == FollowUp.Status.IN_PROGRESS
    page = lena.get(url).content.decode()
    assert "Utkast sendt på høring" in page
    # Others who may see it but not report get no form.
    assert as_person("nils").get(url).context["log_form"] is None
    assert as_person("nils").get(url).context["status_forms"] == []
    cancel = lena.post(url + "status/", {"status": "cancelled", "version": "1", "comment": ""})
    assert cancel.status_code == 403
    levanger_followup.refresh_from_db()
    done = lena.post(
        url + "status/",
        {"status": "done", "version": str(levanger_followup.version), "comment": "Ferdig"},
    )
    assert done.status_code == 302
    levanger_followup.refresh_from_db()
    assert levanger_followup.status == FollowUp.Status.DONE
    assert [f.target for f in lena.get(url).context["status_forms"]] == []  # reopening: secretariat


def test_the_secretariat_changes_the_status_with_a_comment(
    as_person: Any, people: Any, levanger_followup: FollowUp
) -> None:
    sara = as_person("sara")
    url = f"/hnt/intern/oppfolging/{levanger_followup.pk}/"
    targets = [form.target for form in sara.get(url).context["status_forms"]]
    assert targets == ["in_progress", "done", "cancelled"]
    response = sara.post(
        url + "status/", {"status": "done", "version": "0", "comment": "Vedtatt i ASU"}
    )
    assert response.status_code == 302
    levanger_followup.refresh_from_db()
    assert levanger_followup.status == FollowUp.Status.DONE
    page = sara.get(url)
    assert [form.target for form in page.context["status_forms"]] == ["in_progress"]
    assert "Vedtatt i ASU" in page.content.decode()


def test_a_refused_transition_is_explained_not_ignored(
    as_person: Any, people: Any, levanger_followup: FollowUp
) -> None:
    sara = as_person("sara")
    url = f"/hnt/intern/oppfolging/{levanger_followup.pk}/"
    response = sara.post(url + "status/", {"status": "planned", "version": "0"})
    assert response.status_code == 302
    assert response["Location"] == url
    errors = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    assert len(errors) == 1
    levanger_followup.refresh_from_db()
    assert levanger_followup.version == 0
    # An unknown status is refused the same way.
    response = sara.post(url + "status/", {"status": "archived", "version": "0"})
    assert response.status_code == 302
    assert [m for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def test_a_stale_status_change_is_refused_and_keeps_the_comment(
    as_person: Any, people: Any, levanger_followup: FollowUp
) -> None:
    url = f"/hnt/intern/oppfolging/{levanger_followup.pk}/"
    as_person("ada").post(url + "logg/", {"text": "Fremdrift", "progress": "10"})
    # Sara's page was opened at version 0; the follow-up is now in progress, version 1.
    response = as_person("sara").post(
        url + "status/", {"status": "done", "version": "0", "comment": "Ferdig etter møtet"}
    )
    assert response.status_code == 200
    form = next(f for f in response.context["status_forms"] if f.target == "done")
    assert form.non_field_errors()
    assert "Ferdig etter møtet" in response.content.decode()
    levanger_followup.refresh_from_db()
    assert levanger_followup.status == FollowUp.Status.IN_PROGRESS


def test_a_stale_edit_shows_both_the_typed_and_the_saved_text(
    as_person: Any, people: Any, levanger_followup: FollowUp
) -> None:
    url = f"/hnt/intern/oppfolging/{levanger_followup.pk}/rediger/"
    data = {
        "title": "Tittel fra Sara",
        "description": "",
        "responsible_organisation": levanger().pk,
        "responsible_person": "",
        "deadline": "",
        "review_date": "",
        "version": "0",
    }
    assert as_person("sara").post(url, data).status_code == 302
    stale = as_person("ada").post(url, {**data, "title": "Tittel fra Ada"})
    assert stale.status_code == 200
    page = stale.content.decode()
    assert 'value="Tittel fra Ada"' in page  # what Ada typed, still in the field
    assert "<dd>Tittel fra Sara</dd>" in page  # what Sara saved, shown beside it
    assert "Tittel fra Ada" not in str(stale.context["breadcrumbs"])
    assert stale.context["form"].non_field_errors()
    assert stale.context["form"]["version"].value() == "1"
    levanger_followup.refresh_from_db()
    assert levanger_followup.title == "Tittel fra Sara"


def test_the_change_history_is_for_those_who_may_read_the_audit_trail(
    as_person: Any, people: Any, levanger_followup: FollowUp
) -> None:
    url = f"/hnt/intern/oppfolging/{levanger_followup.pk}/"
    services.update_followup(levanger_followup, {"title": "Nytt navn"}, expected_version=0)
    history = as_person("sara").get(url).context["history"]
    assert history and history[0].changes[0][1:] == ("Felles rutine for utskrivning", "Nytt navn")
    assert as_person("lena").get(url).context["history"] is None


def test_the_overview_links_to_the_origin_without_repeating_the_group(
    as_person: Any, people: Any
) -> None:
    make_followup(
        people,
        title="Fra PSU",
        origin_group="PSU",
        source_label="PSU · møte 12.03.2026 · sak 26/004",
        source_url="/hnt/intern/rad/psu/",
    )
    make_followup(people, title="Fra ASU", origin_group="ASU", source_label="sak 26/010")
    make_followup(
        people, title="Uten kilde", origin=FollowUp.Origin.CRISIS, origin_group="", source_label=""
    )
    rows = {
        title: row
        for row in _rows(as_person("sara").get(LIST_URL).content.decode())
        for title in ["Fra PSU", "Fra ASU", "Uten kilde"]
        if title in row
    }
    assert (
        '<a class="ds-link" href="/hnt/intern/rad/psu/">PSU · møte 12.03.2026 · sak 26/004</a>'
        in rows["Fra PSU"]
    )
    assert "ASU · sak 26/010" in rows["Fra ASU"]
    assert "Crisis log" in rows["Uten kilde"] or "Krise" in rows["Uten kilde"]
