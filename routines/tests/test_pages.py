"""The internal routine pages: creating, drafting, putting in force,
reviewing; forms that keep what was typed; stale edits; query counts."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnerships.models import Partnership
from routines import services
from routines.models import Routine, RoutineReview, RoutineVersion
from routines.tests.factory import draft, guideline, in_force, levanger, make

D = datetime.date
Status = RoutineVersion.Status
I = "/hnt/intern/rutiner"  # noqa: E741
# The named people's roles start the day the demo is built: the tests that
# read "today" count from it (months added as services.add_months does).


def _page(response: Any) -> str:
    return response.content.decode()


def _english(client: Any) -> Any:
    """The client reading the pages in English: the tests look for the
    interface's own words, whatever the catalogues say in Norwegian."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_secretariat_creates_a_routine_and_a_party_keeps_it(
    as_person: Any, hnt: Partnership, people: Any
) -> None:
    sara = as_person("sara")
    agreement = guideline(hnt)
    key = str(uuid.uuid4())
    data = {
        "agreement": agreement.pk,
        "clause": f"{agreement.pk}:utskrivning",
        "number": "9.1",
        "title": "Test: Utskrivning til Levanger",
        "owner": f"party:{levanger().pk}",
        "responsible": people.lena.pk,
        "review_interval_months": "12",
        "client_key": key,
    }
    response = sara.post(f"{I}/ny/", data)
    routine = Routine.objects.get(title="Test: Utskrivning til Levanger")
    assert response.status_code == 302 and response["Location"] == f"{I}/{routine.pk}/"
    assert (routine.slug, routine.clause_key, routine.owner_party) == (
        "test-utskrivning-til-levanger",
        "utskrivning",
        levanger(),
    )
    # The same form sent twice: one routine.
    assert sara.post(f"{I}/ny/", data)["Location"] == f"{I}/{routine.pk}/"
    assert Routine.objects.filter(title=data["title"]).count() == 1

    today = timezone.localdate()
    start = today - datetime.timedelta(days=14)
    lena = _english(as_person("lena"))
    new = {
        "label": "2026",
        "text": "<p>Sykehuset ringer kommunen før kl. 12.</p>",
        "summary": "Første versjon",
        "client_key": str(uuid.uuid4()),
    }
    response = lena.post(f"{I}/{routine.pk}/ny-versjon/", new)
    version = RoutineVersion.objects.get(routine=routine)
    assert response.status_code == 302 and version.status == Status.DRAFT
    assert lena.post(f"{I}/{routine.pk}/ny-versjon/", new).status_code == 302
    assert routine.versions.count() == 1  # sent twice: one draft
    response = lena.post(
        f"{I}/versjon/{version.pk}/i-kraft/", {"in_force_from": start.isoformat(), "version": "0"}
    )
    assert response.status_code == 302
    routine.refresh_from_db()
    assert routine.next_review == services.add_months(start, 12)
    page = _page(lena.get(f"{I}/{routine.pk}/"))
    assert "Sykehuset ringer" not in page  # the text is on the version's page
    assert f"{I}/versjon/{version.pk}/" in page
    assert f'datetime="{routine.next_review.isoformat()}"' in page

    review = {
        "reviewed_on": (today - datetime.timedelta(days=1)).isoformat(),
        "outcome": "needs_revision",
        "note": "Tidspunktet passer ikke helgene.",
        "client_key": str(uuid.uuid4()),
    }
    response = lena.post(f"{I}/{routine.pk}/gjennomgang/", review)
    assert response.status_code == 302
    assert lena.post(f"{I}/{routine.pk}/gjennomgang/", review).status_code == 302
    assert RoutineReview.objects.filter(routine=routine).count() == 1
    page = _page(lena.get(f"{I}/{routine.pk}/"))
    # The page invites the revision.
    assert "needs a revision" in page and f"{I}/{routine.pk}/ny-versjon/" in page


def test_forms_keep_what_was_typed_and_show_errors_by_the_field(
    as_person: Any, hnt: Partnership, people: Any
) -> None:
    sara = as_person("sara")
    other = guideline(hnt, "retningslinje-4")
    response = sara.post(
        f"{I}/ny/",
        {
            "agreement": guideline(hnt).pk,
            "clause": f"{other.pk}:meldingsutveksling",
            "title": "Test: Feil punkt",
            "review_interval_months": "0",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"clause", "owner", "review_interval_months"} <= set(errors)
    assert 'value="Test: Feil punkt"' in _page(response)

    routine = make(hnt, "Test: Skjema", "test-skjema")
    response = sara.post(
        f"{I}/{routine.pk}/ny-versjon/",
        {"label": "", "text": "<p>Tekst som ble skrevet.</p>", "client_key": str(uuid.uuid4())},
    )
    assert response.status_code == 400 and "label" in response.context["form"].errors
    assert "Tekst som ble skrevet." in _page(response)

    in_force(routine, "2025", D(2025, 1, 1))
    today = timezone.localdate()
    response = sara.post(
        f"{I}/{routine.pk}/gjennomgang/",
        {
            "reviewed_on": today.isoformat(),
            "outcome": "unchanged",
            "next_review": (today - datetime.timedelta(days=1)).isoformat(),
            "note": "Notatet som ble skrevet.",
            "client_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 400 and "next_review" in response.context["form"].errors
    assert "Notatet som ble skrevet." in _page(response)

    later = draft(routine, "2026")
    response = sara.post(
        f"{I}/versjon/{later.pk}/i-kraft/", {"in_force_from": "2024-12-01", "version": "0"}
    )
    assert response.status_code == 400
    assert "in_force_from" in response.context["in_force_form"].errors
    assert 'value="2024-12-01"' in _page(response)
    assert RoutineVersion.objects.get(pk=later.pk).status == Status.DRAFT


def test_an_identity_number_in_the_text_is_refused_without_echo(
    as_person: Any, hnt: Partnership
) -> None:
    routine = make(hnt, "Test: Vern", "test-vern")
    number = "15078810022"  # a synthetic identity number the guard knows
    response = as_person("sara").post(
        f"{I}/{routine.pk}/ny-versjon/",
        {
            "label": "1",
            "text": f"<p>Gjelder {number[:6]} {number[6:]}.</p>",
            "client_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["text"]
    assert errors and number not in " ".join(errors)
    assert not routine.versions.exists()


def test_a_stale_edit_is_refused_with_a_clear_message(
    as_person: Any, hnt: Partnership, people: Any
) -> None:
    routine = make(hnt, "Test: Samtidig", "test-samtidig")
    version = draft(routine, "1")
    services.change_draft(version, 0, summary="Lagret av en annen")
    sara = _english(as_person("sara"))
    response = sara.post(
        f"{I}/versjon/{version.pk}/rediger/",
        {"label": "1", "text": "<p>Min tekst.</p>", "summary": "Min", "version": "0"},
    )
    assert response.status_code == 400
    page = _page(response)
    assert "Someone else changed this while you were editing it" in page
    assert "Min tekst." in page and "Lagret av en annen" in page
    assert RoutineVersion.objects.get(pk=version.pk).summary == "Lagret av en annen"
    # The edit of the routine itself, likewise.
    services.change_routine(routine, 0, number="7")
    response = sara.post(
        f"{I}/{routine.pk}/rediger/",
        {
            "agreement": routine.agreement_id,
            "title": "Mitt navn",
            "owner": f"council:{routine.owner_council_id}",
            "review_interval_months": "24",
            "version": "0",
        },
    )
    assert response.status_code == 400
    assert "Someone else changed this" in _page(response)
    assert Routine.objects.get(pk=routine.pk).title == "Test: Samtidig"


def test_a_version_in_force_offers_no_editing(as_person: Any, hnt: Partnership) -> None:
    routine = make(hnt, "Test: Låst", "test-last")
    version = in_force(routine, "1", D(2025, 1, 1))
    page = _page(as_person("sara").get(f"{I}/versjon/{version.pk}/"))
    assert "/rediger/" not in page and "/i-kraft/" not in page
    assert as_person("sara").get(f"{I}/versjon/{version.pk}/rediger/").status_code == 403


def test_the_list_marks_overdue_reviews_in_words(as_person: Any, hnt: Partnership) -> None:
    late = make(hnt, "Test: Forsinket gjennomgang", "test-forsinket")
    # Reviewed every 24 months: due about six months ago.
    start = services.add_months(timezone.localdate(), -30)
    in_force(late, "1", start)
    page = _page(_english(as_person("lena")).get(f"{I}/"))
    row = page.split("Test: Forsinket gjennomgang")[1].split("</tr>")[0]
    due = services.add_months(start, 24)
    assert f'datetime="{due.isoformat()}"' in row and "Overdue" in row


# --- Query counts ------------------------------------------------------------------
#
# Every page for a logged-in, two-factor-verified secretariat member costs:
#   session, user, OTP device (django-otp), partnership by slug,
#   partnership roles + memberships of the person (PartnershipAccess),
#   and the session save that moves the idle timeout on (savepoint, update,
#   release inside the test's transaction)  = 9
BASE = 9
PINNED = {
    # + the routines with agreement, level, owner and responsible person; their versions
    "index": BASE + 2,
    # + the routine (with agreement, owner, responsible); its versions; its reviews
    #   with who made them; the clause it names; its history and the names the
    #   history refers to (partnership, agreement, council, person); the
    #   deviations panel (deviations/routine_panels.py): the latest revision
    #   and its deviations per quarter, the versions revised after a decision,
    #   the trend cases waiting for their follow-up
    "routine": BASE + 4 + 5 + 4,
    # + the version with its routine, origin and the version before; its history
    #   and the names it refers to (routine, version before and its routine,
    #   person)
    "version": BASE + 1 + 5,
    # + the routine; councils, parties, people, agreements, clauses for the form
    "edit": BASE + 1 + 5,
}


def _urls(routine: Routine, version: RoutineVersion) -> dict[str, str]:
    return {
        "index": f"{I}/",
        "routine": f"{I}/{routine.pk}/",
        "version": f"{I}/versjon/{version.pk}/",
        "edit": f"{I}/{routine.pk}/rediger/",
    }


def _grow(hnt: Partnership, routine: Routine, people: Any) -> None:
    """More routines, versions and reviews."""
    for n in range(4):
        other = make(hnt, f"Test: Ekstra {n}", f"test-ekstra-{n}", party=levanger())
        in_force(other, "1", D(2024, 1, 1))
        draft(other, "2")
    for n in range(3):
        in_force(routine, f"ny {n}", D(2025, 2, 1 + n), by=people.sara)
        services.record_review(
            routine,
            reviewed_on=D(2026, 3, 1 + n),
            outcome=RoutineReview.Outcome.UNCHANGED,
            next_review=D(2028, 1, 1),
            by=people.lena,
            today=D(2026, 6, 1),  # the day the reviews were recorded
        )
    services.change_routine(routine, routine.version, number="8.8", responsible=people.lena)


@pytest.mark.parametrize("page", sorted(PINNED))
def test_the_pages_pin_their_query_counts_and_do_not_grow(
    as_person: Any,
    hnt: Partnership,
    people: Any,
    page: str,
    django_assert_num_queries: Any,
) -> None:
    routine = make(
        hnt, "Test: Telling", "test-telling", clause_key="utskrivning", responsible=people.nils
    )
    in_force(routine, "1", D(2024, 1, 1))
    # Revised once already, so the deviations panel has its figures from the start.
    in_force(routine, "1b", D(2024, 6, 1))
    version = draft(routine, "2", by=people.sara)
    url = _urls(routine, version)[page]
    client = as_person("sara")
    assert client.get(url).status_code == 200
    with django_assert_num_queries(PINNED[page]):
        client.get(url)
    _grow(hnt, Routine.objects.get(pk=routine.pk), people)
    with CaptureQueriesContext(connection) as after:
        assert client.get(url).status_code == 200
    assert len(after) == PINNED[page], [q["sql"] for q in after.captured_queries]
