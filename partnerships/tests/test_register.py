"""The secretariat's register of people: everyone with a role or a seat,
one row per person with all their roles, filtered, and exported to Excel."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from conftest import log_in
from partnerships.models import Membership, Organisation

URL = "/hnt/intern/personer/"
EXPORT = "/hnt/intern/personer/eksport.xlsx"


def _org(number: str) -> int:
    return Organisation.objects.get(municipality_number=number).pk


def _get(client: Client, url: str = URL, **query: Any) -> Any:
    # English, so that the roles read as the code writes them.
    return client.get(url, query, HTTP_ACCEPT_LANGUAGE="en")


def _names(response: Any) -> list[str]:
    return [entry.user.full_name for entry in response.context["entries"]]


def _roles(response: Any, email: str) -> list[str]:
    (entry,) = [e for e in response.context["entries"] if e.user.email == email]
    return [held.label for held in entry.roles]


def _xlsx(response: Any) -> list[list[Any]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_it_lists_seat_holders_who_cannot_log_in(as_person: Any, people: Any) -> None:
    response = _get(as_person("sara"))
    assert response.status_code == 200
    (mayor,) = [
        e for e in response.context["entries"] if e.user.email == "ordforer.innherred@demo.example"
    ]
    assert not mayor.can_log_in
    assert [h.label for h in mayor.roles] == ["Member of PSU on behalf of Innherred (ordfører)"]
    (lena,) = [e for e in response.context["entries"] if e.user == people.lena]
    assert lena.can_log_in
    body = response.content.decode()
    assert "Inga Ordfører" in body
    assert "ordforer.innherred@demo.example" in body


def test_it_shows_every_role_of_a_person_in_one_row(as_person: Any, people: Any) -> None:
    response = _get(as_person("sara"))
    emails = [entry.user.email for entry in response.context["entries"]]
    assert len(emails) == len(set(emails))
    assert _roles(response, "sara@hnt.example") == [
        "Secretariat (Helsefellesskap Nord-Trøndelag)",
        "Member, Helse Nord-Trøndelag HF",
        "Secretary of PSU (sekretariatet)",
        "Secretary of ASU (sekretariatet)",
        "Secretary of Fagråd PHR (sekretariatet)",
        "Secretary of Fagråd eldre (sekretariatet)",
        "Secretary of KG (sekretariatet)",
    ]
    # Kai: two parties of one partnership.
    assert _roles(response, "kai@frosta.example") == [
        "Coordinator, Frosta kommune",
        "Member, Verdal kommune",
    ]
    # Lena sits in ASU for a region, not for her kommune.
    assert _roles(response, "lena@levanger.example") == [
        "Coordinator, Levanger kommune",
        "Member of ASU on behalf of Innherred (kommunalsjef helse)",
    ]
    # A membership of an observing organisation is an observer's.
    assert _roles(response, "stine@statsforvalteren.example")[0] == (
        "Observer, Statsforvalteren i Trøndelag"
    )
    # Nobody of the other partnership.
    assert people.tor.email not in emails
    assert people.petter.email not in emails


def test_a_voting_seat_without_a_vote_says_so(as_person: Any, people: Any) -> None:
    from councils.models import Council
    from councils.services import appoint

    asu = Council.objects.get(partnership__slug="hnt", slug="asu")
    appoint(asu, person=people.kai, role="deputy", has_vote=False, position_title="rådgiver")
    assert _roles(_get(as_person("sara")), "kai@frosta.example")[-1] == (
        "Deputy of ASU (rådgiver, without a vote)"
    )


def test_ended_roles_are_not_in_the_register(as_person: Any, people: Any) -> None:
    from councils.models import Appointment
    from councils.services import end_appointment

    for seat in Appointment.objects.filter(person=people.nils):
        end_appointment(seat)
    assert _roles(_get(as_person("sara")), "nils@namsos.example") == ["Coordinator, Namsos kommune"]


def test_the_filters_match_one_role(as_person: Any, people: Any) -> None:
    sara = as_person("sara")
    namsos, levanger = _org("5007"), _org("5037")
    assert _names(_get(sara, organisation=namsos, kind="seat")) == ["Nils Koordinator"]
    # Lena is of Levanger, but her seat is for Innherred.
    assert _names(_get(sara, organisation=levanger, kind="seat")) == []
    assert "Lena Koordinator" in _names(_get(sara, organisation=levanger))
    assert _names(_get(sara, kind="partnership")) == ["Ada Administrator", "Sara Sekretær"]
    asu = _names(_get(sara, council="asu"))
    assert {"Lena Koordinator", "Hanne Leder", "Sara Sekretær"} <= set(asu)
    assert "Nils Koordinator" not in asu
    # A person found by one role keeps all their roles.
    assert _roles(_get(sara, council="fagrad-psykisk-helse"), "nils@namsos.example") == [
        "Coordinator, Namsos kommune",
        "Member of Fagråd PHR on behalf of Namsos kommune (koordinator)",
    ]


def test_the_text_filter_looks_at_name_and_e_mail(as_person: Any, people: Any) -> None:
    sara = as_person("sara")
    mayors = _names(_get(sara, q="ordfører"))
    assert len(mayors) == 6
    assert all(name.endswith("Ordfører") for name in mayors)
    assert _names(_get(sara, q="LENA@Levanger")) == ["Lena Koordinator"]
    assert _names(_get(sara, q="nobody-by-this-name")) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"organisation": "abc"}, "organisation"),
        ({"organisation": "99999999"}, "organisation"),
        ({"kind": "king"}, "kind"),
        ({"council": "no-such-council"}, "council"),
        ({"q": "x" * 201}, "q"),
        # Nobody looks people up by fødselsnummer here.
        ({"q": "30108299920"}, "q"),
    ],
)
def test_bad_filter_input_is_a_400_with_the_field_marked(
    as_person: Any, people: Any, query: dict[str, str], field: str
) -> None:
    client = log_in(Client(raise_request_exception=False), people.sara)
    response = client.get(URL, {**query, "kind": query.get("kind", "seat")})
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert 'aria-invalid="true"' in response.content.decode()
    if field != "kind":  # the valid fields still apply
        assert all(e.of_kind("seat") for e in response.context["entries"])
    export = client.get(EXPORT, query)
    assert export.status_code == 400
    assert export["Content-Type"].startswith("text/plain")


def test_a_nul_byte_in_the_filter_is_refused(people: Any) -> None:
    client = log_in(Client(raise_request_exception=False), people.sara)
    assert client.get(URL, {"q": "a\x00b"}).status_code == 400
    assert client.get(EXPORT, {"q": "a\x00b"}).status_code == 400


def test_an_organisation_of_another_partnership_is_not_a_choice(
    as_person: Any, people: Any
) -> None:
    response = _get(as_person("sara"), organisation=_org("5001"))  # Trondheim: St. Olavs only
    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors


@pytest.mark.parametrize(
    "query",
    [{}, {"kind": "seat", "council": "asu"}, {"q": "ordfører"}, {"organisation": "namsos"}],
)
def test_the_export_has_exactly_the_filtered_rows(
    as_person: Any, people: Any, query: dict[str, Any]
) -> None:
    if query.get("organisation") == "namsos":
        query = {"organisation": _org("5007")}
    sara = as_person("sara")
    page = _get(sara, **query)
    export = _get(sara, EXPORT, **query)
    assert export.status_code == 200
    assert export["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert export["Content-Disposition"].startswith('attachment; filename="personer-hnt-')
    header, *rows = _xlsx(export)
    assert header == ["Name", "E-mail", "Can log in", "Partnership role",
                      "Role in a party or observer", "Council seat"]  # fmt: skip
    entries = page.context["entries"]
    assert [row[:2] for row in rows] == [[e.user.full_name, e.user.email] for e in entries]
    for row, entry in zip(rows, entries, strict=True):
        assert row[2] == ("Yes" if entry.can_log_in else "No")
        # One column per kind of role, in the page's order.
        assert "; ".join(cell for cell in row[3:] if cell) == "; ".join(
            held.label for held in entry.roles
        )


def test_the_page_links_to_the_export_with_its_filter(as_person: Any, people: Any) -> None:
    body = _get(as_person("sara"), kind="seat", council="asu").content.decode()
    assert f'href="{EXPORT}?kind=seat&amp;council=asu"' in body
    assert f'href="{EXPORT}"' in _get(as_person("sara")).content.decode()


def test_the_export_cannot_carry_a_formula(as_person: Any, people: Any) -> None:
    levanger = Organisation.objects.get(municipality_number="5037")
    names = ['=HYPERLINK("https://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)"]
    for i, name in enumerate(names):
        user = User.objects.create_user(email=f"f{i}@levanger.example", full_name=name)
        Membership.objects.create(user=user, organisation=levanger, role="member")
    from openpyxl import load_workbook

    response = _get(as_person("sara"), EXPORT, organisation=levanger.pk)
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = {str(row[1].value): row[0] for row in sheet.iter_rows(min_row=2)}
    for i, name in enumerate(names):
        cell = cells[f"f{i}@levanger.example"]
        assert cell.data_type == "s"
        assert cell.value == "'" + name
