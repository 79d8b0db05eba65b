"""The internal agreement pages: drafting, moving on, recording ratifications."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from agreements import services
from agreements.models import Agreement, AgreementLevel, AgreementVersion, Clause, Ratification
from agreements.tests.adoption import decided
from partnerships.models import Organisation

Status = AgreementVersion.Status


@pytest.fixture
def level(hnt: Any) -> AgreementLevel:
    return AgreementLevel.objects.create(partnership=hnt, name="Test: særavtaler")


def _drafted(level: AgreementLevel, people: Any, title: str, slug: str) -> AgreementVersion:
    """A draft version with one clause, of a new agreement."""
    agreement = Agreement.objects.create(
        partnership=level.partnership, level=level, title=title, slug=slug
    )
    version = services.new_version(agreement, "1", by=people.sara)
    services.add_clause(version, number="1", heading="A", text="B", points=[])
    return version


def _page(response: Any) -> str:
    return response.content.decode()


def test_the_secretariat_drafts_and_sends_a_version_and_a_party_ratifies(
    as_person: Any, level: AgreementLevel, people: Any
) -> None:
    sara = as_person("sara")
    response = sara.post(
        "/hnt/intern/avtaler/ny/",
        {"level": level.pk, "number": "S9", "title": "Særavtale om testing", "all_parties": "on"},
    )
    agreement = Agreement.objects.get(title="Særavtale om testing")
    assert response.status_code == 302 and agreement.slug == "s9-saeravtale-om-testing"
    response = sara.post(f"/hnt/intern/avtaler/{agreement.pk}/ny-versjon/", {"label": "2027"})
    version = AgreementVersion.objects.get(agreement=agreement)
    assert response.status_code == 302 and version.status == Status.DRAFT
    response = sara.post(
        f"/hnt/intern/avtaler/versjon/{version.pk}/punkt/ny/",
        {
            "number": "1",
            "heading": "Formål",
            "text": "<p>Partene samarbeider om <strong>testing</strong>.</p>",
            "points": ["1", "12"],
        },
    )
    assert response.status_code == 302
    clause = Clause.objects.get(agreement_version=version)
    assert sorted(clause.coverage.values_list("point", flat=True)) == [1, 12]
    # The consultation and the council's adoption have their own tests
    # (test_consultations.py); here the council has decided.
    decision = decided(version, people.sara)
    for step in ("adopted", "ratification"):
        version.refresh_from_db()
        response = sara.post(
            f"/hnt/intern/avtaler/versjon/{version.pk}/videre/",
            {
                "to": step,
                "version": str(version.version),
                "in_force_from": "2027-01-01",
                "decision": str(decision.pk),
            },
        )
        assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == Status.RATIFICATION and version.in_force_from == datetime.date(
        2027, 1, 1
    )

    # Levanger's coordinator sees what her party has to record, and records it.
    lena = as_person("lena")
    index = _page(lena.get("/hnt/intern/avtaler/"))
    levanger = Organisation.objects.get(municipality_number="5037")
    record_url = f"/hnt/intern/avtaler/versjon/{version.pk}/ratifisering/{levanger.pk}/"
    assert record_url in index
    response = lena.post(
        record_url,
        {
            "outcome": "adopted_with_changes",
            "changes": "Punkt 1 gjelder fra 2028.",
            "body": "kommunestyre",
            "case_number": "PS 7/27",
            "meeting_date": "2026-11-20",
        },
    )
    assert response.status_code == 302
    ratification = Ratification.objects.get(agreement_version=version, organisation=levanger)
    assert (
        ratification.outcome == "adopted_with_changes" and ratification.recorded_by == people.lena
    )
    assert record_url not in _page(lena.get("/hnt/intern/avtaler/"))
    page = _page(sara.get(f"/hnt/intern/avtaler/versjon/{version.pk}/"))
    assert "Punkt 1 gjelder fra 2028." in page
    assert "1 av 20 parter har vedtatt den (1 med endringer); 19 venter." in page


def test_a_version_sent_on_offers_no_editing(
    as_person: Any, level: AgreementLevel, people: Any
) -> None:
    version = _drafted(level, people, "Låst", "last")
    clause = version.clauses.get()
    services.move_on(version, 0, Status.CONSULTATION)
    sara = as_person("sara")
    page = _page(sara.get(f"/hnt/intern/avtaler/versjon/{version.pk}/"))
    assert f"/punkt/{clause.pk}/" not in page and "/punkt/ny/" not in page
    assert sara.get(f"/hnt/intern/avtaler/punkt/{clause.pk}/").status_code == 403


def test_bad_input_keeps_what_was_typed_and_answers_400(
    as_person: Any, level: AgreementLevel, people: Any
) -> None:
    agreement = Agreement.objects.create(
        partnership=level.partnership, level=level, title="Skjema", slug="skjema"
    )
    version = services.new_version(agreement, "1", by=people.sara)
    response = as_person("sara").post(
        f"/hnt/intern/avtaler/versjon/{version.pk}/punkt/ny/",
        {"number": "7", "heading": "", "text": "Kommunen ble ikke varslet."},
    )
    assert response.status_code == 400
    page = _page(response)
    assert "Kommunen ble ikke varslet." in page and 'value="7"' in page
    assert not Clause.objects.filter(agreement_version=version).exists()
    # A special agreement must name its parties.
    response = as_person("sara").post(
        "/hnt/intern/avtaler/ny/", {"level": level.pk, "title": "Uten parter"}
    )
    assert response.status_code == 400 and "Uten parter" in _page(response)


def test_an_identity_number_in_a_clause_is_refused_without_echo(
    as_person: Any, level: AgreementLevel, people: Any
) -> None:
    agreement = Agreement.objects.create(
        partnership=level.partnership, level=level, title="Vern", slug="vern"
    )
    version = services.new_version(agreement, "1", by=people.sara)
    number = "15078810022"  # a synthetic identity number the guard knows
    response = as_person("sara").post(
        f"/hnt/intern/avtaler/versjon/{version.pk}/punkt/ny/",
        {
            "number": "1",
            "heading": "Utskrivning",
            "text": f"<p>Gjelder {number[:6]} {number[6:]}.</p>",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["text"]
    assert errors and number not in " ".join(errors)
    assert not Clause.objects.filter(agreement_version=version).exists()


def test_two_people_recording_the_same_ratification(
    as_person: Any, level: AgreementLevel, people: Any
) -> None:
    version = _drafted(level, people, "Samtidig", "samtidig")
    services.move_on(version, 0, Status.ADOPTED)
    levanger = Organisation.objects.get(municipality_number="5037")
    url = f"/hnt/intern/avtaler/versjon/{version.pk}/ratifisering/{levanger.pk}/"
    first = {"outcome": "adopted", "body": "kommunestyre", "case_number": "PS 1/27", "version": ""}
    assert as_person("lena").post(url, first).status_code == 302
    # Sara opened the empty form before Lena saved: hers is refused, typed text kept.
    late = {**first, "outcome": "rejected", "case_number": "PS 2/27"}
    response = as_person("sara").post(url, late)
    assert response.status_code == 400
    assert "PS 2/27" in _page(response)
    assert Ratification.objects.get(agreement_version=version).case_number == "PS 1/27"


@pytest.mark.parametrize("agreements", [1, 6])
def test_the_pages_query_counts_do_not_grow(
    as_person: Any,
    level: AgreementLevel,
    people: Any,
    agreements: int,
    django_assert_num_queries: Any,
) -> None:
    last = None
    for n in range(agreements):
        agreement = Agreement.objects.create(
            partnership=level.partnership, level=level, title=f"Avtale {n}", slug=f"a{n}"
        )
        last = services.new_version(agreement, "1", by=people.sara)
        for c in range(3):
            services.add_clause(last, number=str(c), heading=f"Punkt {c}", text="x", points=[c + 1])
        services.move_on(last, 0, Status.ADOPTED)
        services.move_on(last, 1, Status.RATIFICATION, in_force_from=datetime.date(2027, 1, 1))
        for party in services.parties_of(agreement)[: 2 * n]:
            services.record_ratification(last, party, None, by=people.sara, outcome="adopted")
    assert last is not None
    client = as_person("sara")
    with django_assert_num_queries(11):
        assert client.get("/hnt/intern/avtaler/").status_code == 200
    # The version page: the request's own (session, user, second factor,
    # partnership, roles, memberships) and the session saved (3); the
    # version, its clauses with coverage and joint measures (3), its
    # consultations, the parties and their ratifications, the history.
    with django_assert_num_queries(19):
        assert client.get(f"/hnt/intern/avtaler/versjon/{last.pk}/").status_code == 200


def test_the_oldest_pending_party_is_counted_from_the_day_it_was_sent(
    as_person: Any, level: AgreementLevel, people: Any
) -> None:
    version = _drafted(level, people, "Venter", "venter")
    services.move_on(version, 0, Status.ADOPTED)
    today = timezone.localdate()
    services.move_on(
        version, 1, Status.RATIFICATION, in_force_from=today + datetime.timedelta(days=30),
        today=today - datetime.timedelta(days=63),
    )  # fmt: skip
    page = _page(as_person("sara").get(f"/hnt/intern/avtaler/versjon/{version.pk}/"))
    assert "Den eldste har ventet 63 dager." in page


def test_a_coordinator_records_her_partys_notice_and_it_ends_the_binding(
    as_person: Any, level: AgreementLevel, people: Any
) -> None:
    from agreements import binding
    from agreements.models import Termination

    version = _drafted(level, people, "Oppsigelse", "oppsigelse")
    agreement = version.agreement
    services.move_on(version, 0, Status.ADOPTED)
    services.move_on(version, 1, Status.IN_FORCE, in_force_from=datetime.date(2025, 1, 1))
    levanger = Organisation.objects.get(municipality_number="5037")
    services.record_ratification(version, levanger, None, by=people.lena, outcome="adopted")
    lena = as_person("lena")
    url = f"/hnt/intern/avtaler/{agreement.pk}/oppsigelse/"
    form = _page(lena.get(url))
    # Lena gives notice for Levanger only.
    assert f'value="{levanger.pk}"' in form and "Verdal" not in form
    bad = lena.post(
        url,
        {"organisation": levanger.pk, "notice_given_on": "2026-06-01", "ends_on": "2026-01-01"},
    )
    assert bad.status_code == 400 and not Termination.objects.exists()
    verdal = Organisation.objects.get(municipality_number="5038")
    assert lena.post(url, {**{"organisation": verdal.pk}, "notice_given_on": "2026-06-01",
                           "ends_on": "2026-12-31"}).status_code == 400  # fmt: skip
    response = lena.post(
        url,
        {"organisation": levanger.pk, "notice_given_on": "2026-06-01", "ends_on": "2026-12-31"},
    )
    assert response.status_code == 302
    (loaded,) = [a for a in binding.load(level.partnership) if a.pk == agreement.pk]
    assert binding.binding(loaded, levanger, datetime.date(2026, 12, 31)) is not None
    assert binding.binding(loaded, levanger, datetime.date(2027, 1, 1)) is None
    # Twice is refused, not a second notice.
    again = lena.post(
        url,
        {"organisation": levanger.pk, "notice_given_on": "2026-06-02", "ends_on": "2026-12-31"},
    )
    assert again.status_code == 400 and Termination.objects.count() == 1
    assert "Levanger kommune gav oppsigelse" in _page(
        lena.get(f"/hnt/intern/avtaler/{agreement.pk}/")
    )


def test_the_day_the_link_went_to_the_directorate_is_recorded(
    as_person: Any, level: AgreementLevel, people: Any
) -> None:
    version = _drafted(level, people, "Lenke", "lenke")
    sara = as_person("sara")
    url = f"/hnt/intern/avtaler/versjon/{version.pk}/helsedirektoratet/"
    sara.post(url, {"sent_on": "2026-12-01", "version": "0"})
    version.refresh_from_db()
    assert version.sent_to_directorate_on is None  # a draft is not published
    services.move_on(version, 0, Status.ADOPTED)
    assert sara.post(url, {"sent_on": "2026-12-01", "version": "1"}).status_code == 302
    version.refresh_from_db()
    assert version.sent_to_directorate_on == datetime.date(2026, 12, 1)
