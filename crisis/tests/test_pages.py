"""The crisis pages a party and the secretariat use: the crises, opening and
standing one down, a party's report form (errors at the fields, soft
warnings with comments, drafts, two editors, locks, "no change"), the
report as submitted (levels, revisions, declared level, unlock), the late
warnings on the home page, and pinned query counts."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from crisis import periods, services
from crisis.catalogue import ensure_covid_form
from crisis.forms import comment_name, value_name
from crisis.models import Crisis, Report, ReportForm, ReportUnlock
from crisis.reminders import late_and_due_soon
from crisis.tests.conftest import (
    hf,
    hnt,
    kommune_values,
    levanger,
    make_crisis,
    namsos,
    period,
)
from partnerships.access import PartnershipAccess
from partnerships.models import Membership, Organisation, Partnership, Region


def url(name: str, crisis: Crisis, *args: Any) -> str:
    return reverse(f"crisis:{name}", args=[crisis.partnership.slug, crisis.pk, *args])


def report_url(
    crisis: Crisis, organisation: Organisation, start: datetime.date, name: str = "report"
) -> str:
    return url(name, crisis, organisation.pk, start.isoformat())


def form_data(
    values: dict[str, Any], *, action: str = "submit", version: int = 0, **comments: str
) -> dict[str, Any]:
    data: dict[str, Any] = {value_name(k): v for k, v in values.items()}
    data |= {comment_name(k): v for k, v in comments.items()}
    data |= {"version": version, "client_key": str(uuid.uuid4()), "action": action}
    return data


def submitted(
    crisis: Crisis, organisation: Organisation, start: datetime.date, by: Any, **values: Any
) -> Report:
    return services.save_report(
        crisis, organisation, start, kommune_values(**values), by=by, submit=True
    )


# --- The crises ----------------------------------------------------------------------


def test_the_index_shows_the_persons_own_parties_status(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara)
    response = as_person("lena").get(reverse("crisis:index", args=["hnt"]))
    assert response.status_code == 200
    rows = {row.crisis.pk: row for row in response.context["active"]}
    mine = rows[crisis.pk].mine
    assert [s.organisation for s in mine] == [levanger()]
    assert mine[0].status == "missing"
    submitted(crisis, levanger(), period(crisis), people.lena)
    response = as_person("lena").get(reverse("crisis:index", args=["hnt"]))
    row = next(r for r in response.context["active"] if r.crisis.pk == crisis.pk)
    assert row.mine[0].status == "submitted"
    assert 'data-color="success"' in response.content.decode()


def test_the_index_marks_late_reports_in_red_with_words(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara)
    ReportForm.objects.filter(pk=crisis.form_id).update(deadline_hours_kommune=0)
    response = as_person("lena").get(reverse("crisis:index", args=["hnt"]))
    row = next(r for r in response.context["active"] if r.crisis.pk == crisis.pk)
    assert row.mine[0].late
    page = response.content.decode()
    assert '<span class="ds-tag" data-color="danger">' in page


def test_only_the_secretariat_is_offered_to_open_a_crisis(as_person: Any, people: Any) -> None:
    open_url = reverse("crisis:open", args=["hnt"])
    assert open_url in as_person("sara").get(reverse("crisis:index", args=["hnt"])).content.decode()
    assert (
        open_url
        not in as_person("lena").get(reverse("crisis:index", args=["hnt"])).content.decode()
    )


def test_opening_a_crisis_installs_the_covid_form_where_there_is_none(
    as_person: Any, people: Any
) -> None:
    stolav = Partnership.objects.get(slug="stolav")
    assert not ReportForm.objects.filter(partnership=stolav).exists()
    response = as_person("petter").get(reverse("crisis:open", args=["stolav"]))
    assert response.status_code == 200
    assert ReportForm.objects.filter(partnership=stolav, code="covid-19-ukerapport").exists()


def test_the_secretariat_opens_a_crisis_once_for_some_regions(as_person: Any, people: Any) -> None:
    form = ensure_covid_form(hnt())
    innherred = Region.objects.get(partnership=hnt(), name="Innherred")
    key = str(uuid.uuid4())
    data = {
        "name": "Lokalt utbrudd Levanger",
        "description": "Utbrudd på sykehjem.",
        "form": form.pk,
        "starts_on": "2026-03-18",  # a Wednesday
        "regions": [innherred.pk],
        "council": "",
        "client_key": key,
    }
    client = as_person("sara")
    first = client.post(reverse("crisis:open", args=["hnt"]), data)
    again = client.post(reverse("crisis:open", args=["hnt"]), data)
    crisis = Crisis.objects.get(client_key=key)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == url("crisis", crisis)
    assert crisis.starts_on == datetime.date(2026, 3, 16)
    assert list(crisis.regions.all()) == [innherred]
    assert {o.name for o in services.parties_of(crisis)} >= {levanger().name, hf().name}
    assert namsos() not in services.parties_of(crisis)


def test_a_crisis_without_a_name_comes_back_with_the_error(as_person: Any, people: Any) -> None:
    form = ensure_covid_form(hnt())
    response = as_person("sara").post(
        reverse("crisis:open", args=["hnt"]),
        {"name": "", "form": form.pk, "starts_on": "2026-03-18", "description": "Behold meg"},
    )
    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert "Behold meg" in response.content.decode()


def test_standing_down_asks_first_and_ends_reporting(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara)
    client = as_person("sara")
    assert client.get(url("stand_down", crisis)).status_code == 200
    assert Crisis.objects.get(pk=crisis.pk).status == Crisis.Status.ACTIVE
    assert client.post(url("stand_down", crisis)).status_code == 302
    crisis.refresh_from_db()
    assert crisis.status == Crisis.Status.STOOD_DOWN
    form = as_person("lena").get(report_url(crisis, levanger(), period(crisis)))
    assert form.status_code == 200
    assert form.context["read_only"]
    index = as_person("lena").get(reverse("crisis:index", args=["hnt"]))
    assert crisis in index.context["stood_down"]


def test_the_crisis_page_lists_the_parties_periods(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara, weeks_ago=3)
    submitted(crisis, levanger(), period(crisis), people.lena)
    response = as_person("lena").get(url("crisis", crisis))
    assert response.status_code == 200
    [(organisation, rows)] = response.context["parties"]
    assert organisation == levanger()
    assert [r.period_start for r in rows] == periods.periods(crisis)[::-1]
    assert rows[0].status == "submitted"
    assert {r.status for r in rows[1:]} == {"missing"}
    assert as_person("sara").get(url("crisis", crisis)).context["parties"] == []


# --- The report form -----------------------------------------------------------------


def test_the_form_has_a_field_per_value_with_the_right_inputs(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara)
    response = as_person("lena").get(report_url(crisis, levanger(), period(crisis)))
    assert response.status_code == 200
    form = response.context["form"]
    assert value_name("smittevernutstyr:munnbind") in form.fields
    assert value_name("innlagte") not in form.fields  # the hospital's line
    page = response.content.decode()
    assert 'inputmode="decimal"' in page
    assert 'type="radio" name="value.personell" value="utfordrende"' in page
    assert 'type="radio" name="value.overbelastning" value="ja"' in page
    assert '<textarea name="value.utfordringer"' in page
    assert comment_name("smittetall") in form.fields
    assert comment_name("personell") not in form.fields
    sections = [s.name for s in response.context["sections"]]
    assert sections[:3] == ["Smitte", "Smittevernutstyr", "Kapasitet"]


def test_the_form_starts_from_the_last_report(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara, weeks_ago=3)
    earlier = periods.previous(crisis.form, period(crisis))
    submitted(crisis, levanger(), earlier, people.lena, smittetall="17")
    response = as_person("lena").get(report_url(crisis, levanger(), period(crisis)))
    assert response.context["form"].initial[value_name("smittetall")] == "17"
    assert response.context["prefilled_from"].period_start == earlier


def test_a_value_outside_its_range_is_refused_at_its_field(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara)
    start = period(crisis)
    response = as_person("lena").post(
        report_url(crisis, levanger(), start),
        form_data(kommune_values(smittetall="-3", utfordringer="Lite folk i helgene")),
    )
    assert response.status_code == 400
    assert value_name("smittetall") in response.context["form"].errors
    page = response.content.decode()
    assert "ds-error-summary" in page
    assert 'aria-invalid="true"' in page
    assert "Lite folk i helgene" in page  # what was typed is kept
    assert not Report.objects.filter(crisis=crisis).exists()


def test_a_soft_warning_needs_a_comment_and_then_passes(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara)
    start = period(crisis)
    client = as_person("lena")
    refused = client.post(
        report_url(crisis, levanger(), start), form_data(kommune_values(smittetall="900"))
    )
    assert refused.status_code == 400
    assert "smittetall" in refused.context["sections"][0].groups[0].entries[0].key
    assert refused.context["sections"][0].groups[0].entries[0].warning
    assert 'data-color="warning" id="id_value.smittetall-warning"' in refused.content.decode()
    accepted = client.post(
        report_url(crisis, levanger(), start),
        form_data(kommune_values(smittetall="900"), smittetall="Utbrudd på sykehjem"),
    )
    assert accepted.status_code == 302
    assert accepted["Location"] == report_url(crisis, levanger(), start, "report_view")
    report = Report.objects.get(crisis=crisis, organisation=levanger(), period_start=start)
    assert report.status == Report.Status.SUBMITTED
    assert report.values.get(indicator__code="smittetall").comment == "Utbrudd på sykehjem"


def test_a_draft_is_saved_incomplete_and_stays_the_partys(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara)
    start = period(crisis)
    response = as_person("lena").post(
        report_url(crisis, levanger(), start),
        form_data({"smittetall": "5", "utfordringer": "Hemmelig utkast"}, action="draft"),
    )
    assert response.status_code == 302
    assert response["Location"] == report_url(crisis, levanger(), start)
    report = Report.objects.get(crisis=crisis, organisation=levanger(), period_start=start)
    assert report.status == Report.Status.DRAFT
    again = as_person("lena").get(report_url(crisis, levanger(), start))
    assert again.context["form"].initial[value_name("smittetall")] == "5"
    for key in ("sara", "hanne", "stine"):
        seen = as_person(key).get(report_url(crisis, levanger(), start, "report_view"))
        assert seen.status_code == 200
        assert seen.context["report"] is None
        assert "Hemmelig utkast" not in seen.content.decode()
    own = as_person("lena").get(report_url(crisis, levanger(), start, "report_view"))
    assert "Hemmelig utkast" in own.content.decode()


def test_two_editors_do_not_overwrite_each_other(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara)
    start = period(crisis)
    assert (
        as_person("lena")
        .get(report_url(crisis, levanger(), start))
        .context["form"]
        .initial["version"]
        == 0
    )
    colleague = User.objects.create_user(email="kari@levanger.example", full_name="Kari")
    Membership.objects.create(user=colleague, organisation=levanger(), role="leader")
    services.save_report(
        crisis,
        levanger(),
        start,
        kommune_values(smittetall="11"),
        by=colleague,
        submit=True,
        expected_version=0,
    )
    response = as_person("lena").post(
        report_url(crisis, levanger(), start), form_data(kommune_values(smittetall="22"))
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert 'value="22"' in response.content.decode()
    report = Report.objects.get(crisis=crisis, organisation=levanger(), period_start=start)
    assert report.values.get(indicator__code="smittetall").number == 11
    # Saving again, now knowingly over the colleague's version, goes through.
    retry = response.context["form"].data.copy()
    assert as_person("lena").post(report_url(crisis, levanger(), start), retry).status_code == 302
    report.refresh_from_db()
    assert report.values.get(indicator__code="smittetall").number == 22
    assert report.revisions.count() == 2


def test_a_locked_period_is_read_only_until_the_secretariat_unlocks_it(
    as_person: Any, people: Any
) -> None:
    crisis = make_crisis(people.sara, weeks_ago=6)
    first = periods.periods(crisis)[0]
    assert periods.lock_at(crisis.form, levanger(), first) < timezone.now()
    target = report_url(crisis, levanger(), first)
    form = as_person("lena").get(target)
    assert form.context["locked"]
    assert form.context["form"].fields[value_name("smittetall")].disabled
    refused = as_person("lena").post(target, form_data(kommune_values()))
    assert refused.status_code == 400
    assert refused.context["form"].non_field_errors(), refused.context["form"].errors
    assert not Report.objects.filter(crisis=crisis, period_start=first).exists()
    # The report view offers the secretariat an unlock; the reason is required.
    view = as_person("sara").get(report_url(crisis, levanger(), first, "report_view"))
    assert view.context["can_unlock"]
    unlock_url = report_url(crisis, levanger(), first, "unlock")
    assert as_person("sara").post(unlock_url, {"reason": " "}).status_code == 400
    done = as_person("sara").post(unlock_url, {"reason": "Tallene kom for sent fra sykehjemmet"})
    assert done.status_code == 302
    entry = ReportUnlock.objects.get(report__crisis=crisis, report__period_start=first)
    assert entry.by == people.sara
    assert entry.report.status == Report.Status.DRAFT
    reopened = as_person("lena").get(target)
    assert not reopened.context["locked"]
    version = reopened.context["form"].initial["version"]
    assert version == entry.report.version
    saved = as_person("lena").post(target, form_data(kommune_values(), version=version))
    assert saved.status_code == 302
    view = as_person("lena").get(report_url(crisis, levanger(), first, "report_view"))
    assert list(view.context["unlocks"]) == [entry]


def test_no_change_repeats_the_last_report(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara, weeks_ago=3)
    start = period(crisis)
    earlier = periods.previous(crisis.form, start)
    response = as_person("lena").post(report_url(crisis, levanger(), earlier, "no_change"))
    assert response.status_code == 302
    assert response["Location"] == report_url(crisis, levanger(), earlier)
    assert not Report.objects.filter(crisis=crisis, period_start=earlier).exists()
    submitted(crisis, levanger(), earlier, people.lena, smittetall="8")
    index = as_person("lena").get(reverse("crisis:index", args=["hnt"]))
    row = next(r for r in index.context["active"] if r.crisis.pk == crisis.pk)
    assert row.mine[0].can_repeat
    assert report_url(crisis, levanger(), start, "no_change") in index.content.decode()
    key = str(uuid.uuid4())
    for _twice in range(2):
        response = as_person("lena").post(
            report_url(crisis, levanger(), start, "no_change"), {"version": 0, "client_key": key}
        )
        assert response["Location"] == report_url(crisis, levanger(), start, "report_view")
    report = Report.objects.get(crisis=crisis, organisation=levanger(), period_start=start)
    assert report.no_change
    assert report.status == Report.Status.SUBMITTED
    assert report.values.get(indicator__code="smittetall").number == 8
    assert report.revisions.count() == 1


# --- The report as submitted ---------------------------------------------------------


def test_the_report_shows_values_levels_and_history(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara)
    start = period(crisis)
    submitted(crisis, levanger(), start, people.lena, **{"smittevernutstyr:munnbind": "10"})
    submitted(crisis, levanger(), start, people.lena, **{"smittevernutstyr:munnbind": "30"})
    response = as_person("stine").get(report_url(crisis, levanger(), start, "report_view"))
    assert response.status_code == 200
    report = response.context["report"]
    assert report.computed_level == 2
    groups = {g.indicator.code: g for g in response.context["values"]}
    assert groups["smittevernutstyr"].level == 2
    assert groups["smittetall"].level is None  # no thresholds
    rows = {(g.indicator.code, r.item): r for g in groups.values() for r in g.rows}
    assert rows[("smittevernutstyr", "Munnbind")].shown == "30"
    assert rows[("smittevernutstyr", "Munnbind")].level == 2
    assert rows[("smittevernutstyr", "Hansker")].level == 1
    assert rows[("belegg", "Sykehjem")].level == 1  # 80 of 100 places
    newest, first = response.context["revisions"]
    assert newest.revision.number == 2
    assert [(before, after) for _label, before, after in newest.changes] == [("10", "30")]
    assert first.changes == []
    assert not response.context["can_declare"]
    assert not response.context["can_edit"]


def test_the_party_declares_its_level_with_a_reason(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara)
    start = period(crisis)
    report = submitted(crisis, levanger(), start, people.lena)
    target = report_url(crisis, levanger(), start, "declare_level")
    refused = as_person("lena").post(target, {"level": 3, "reason": "", "version": report.version})
    assert refused.status_code == 400
    assert refused.context["declare_form"].errors
    done = as_person("lena").post(
        target, {"level": 3, "reason": "Mange ansatte syke", "version": report.version}
    )
    assert done.status_code == 302
    report.refresh_from_db()
    assert (report.declared_level, report.declared_by) == (3, people.lena)
    # An old version is a conflict, not a lost update.
    stale = as_person("sara").post(target, {"level": 4, "reason": "Gruppen", "version": 0})
    assert stale.status_code == 400
    report.refresh_from_db()
    assert report.declared_level == 3
    taken_back = as_person("sara").post(target, {"level": "", "version": report.version})
    assert taken_back.status_code == 302
    report.refresh_from_db()
    assert report.declared_level is None


# --- Late warnings on the home page --------------------------------------------------


def _report_lines(response: Any) -> list[Any]:
    return [line for line in response.context["queue"].todo if line.kind == "report"]


def test_the_work_queue_lists_late_and_due_reports(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara)
    form = ReportForm.objects.get(pk=crisis.form_id)
    form.deadline_hours_kommune = 0
    form.deadline_hours_hospital = 24 * 30
    form.save()
    late = as_person("lena").get("/hnt/intern/")
    url = report_url(crisis, levanger(), period(crisis))
    assert [(line.url, line.late) for line in _report_lines(late)] == [(url, True)]
    page = late.content.decode()
    assert f'href="{url}"' in page and "work-line--late" in page
    due = as_person("hanne").get("/hnt/intern/")
    hf_url = report_url(crisis, hf(), period(crisis))
    assert [(line.url, line.late) for line in _report_lines(due)] == [(hf_url, False)]
    submitted(crisis, levanger(), period(crisis), people.lena)
    assert _report_lines(as_person("lena").get("/hnt/intern/")) == []
    assert _report_lines(as_person("stine").get("/hnt/intern/")) == []


def test_late_and_due_soon_follows_the_clock(people: Any) -> None:
    crisis = make_crisis(people.sara)
    start = period(crisis)
    deadline = periods.deadline(crisis.form, levanger(), start)
    access = PartnershipAccess.for_user(hnt(), people.lena)
    late, due = late_and_due_soon(access, deadline - datetime.timedelta(hours=1))
    assert (late, [r.organisation for r in due]) == ([], [levanger()])
    late, due = late_and_due_soon(access, deadline + datetime.timedelta(hours=1))
    assert ([r.organisation for r in late], due) == ([levanger()], [])


# --- Query counts --------------------------------------------------------------------


def _opened_again(report: Report, by: Any, reason: str) -> None:
    """An unlock as the secretariat makes one after the lock (the service
    refuses to unlock a report that is not locked yet)."""
    until = timezone.now() + datetime.timedelta(days=1)
    ReportUnlock.objects.create(report=report, by=by, reason=reason, until=until)
    Report.objects.filter(pk=report.pk).update(unlocked_until=until)


def _grow(crisis: Crisis, people: Any) -> None:
    """More periods, reports, revisions, unlocks, parties for the person."""
    Crisis.objects.filter(pk=crisis.pk).update(
        starts_on=crisis.starts_on - datetime.timedelta(weeks=4)
    )
    crisis.refresh_from_db()
    verdal = Organisation.objects.get(municipality_number="5038")
    Membership.objects.create(user=people.lena, organisation=verdal, role="coordinator")
    for start in periods.periods(crisis)[-4:-1]:
        for party in (levanger(), verdal):
            report = Report.objects.create(
                crisis=crisis, organisation=party, period_start=start, created_by=people.lena
            )
            # Opened again by the secretariat (as if after the lock).
            _opened_again(report, people.sara, "Mer tid")
            submitted(crisis, party, start, people.lena)
    current = submitted(crisis, levanger(), period(crisis), people.lena, smittetall="5")
    _opened_again(current, people.sara, "Rettet tall")
    submitted(crisis, levanger(), period(crisis), people.lena, smittetall="6")
    make_crisis(people.sara, name="Lokalt utbrudd")


def _count(client: Any, target: str) -> int:
    client.get(target)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(target).status_code == 200
    return len(queries)


def test_the_pages_pin_their_query_counts(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara, weeks_ago=3)
    start = period(crisis)
    submitted(crisis, levanger(), start, people.lena)
    client = as_person("lena")
    pages = {
        "index": reverse("crisis:index", args=["hnt"]),
        "crisis": url("crisis", crisis),
        "form": report_url(crisis, levanger(), start),
        "view": report_url(crisis, levanger(), start, "report_view"),
    }
    before = {name: _count(client, target) for name, target in pages.items()}
    _grow(crisis, people)
    after = {name: _count(client, target) for name, target in pages.items()}
    assert after == before
    # Every page: the base 9 (session, user, partnership, roles and
    # memberships, session save); the person's reporting parties come with
    # the access (per-party roles), no query of their own.
    assert before == {
        # + crises with forms, participations, the crises' regions, the
        #   reports of the reporting periods, the first submitted per party
        "index": 9 + 5,
        # + crisis with form and council, its regions, participations,
        #   the regions again (shared helper), the reports of every period
        "crisis": 9 + 5,
        # + crisis, the crisis' parties (regions, parties), the report, the
        #   prefill (report, values), the last report, the lines, the rules
        "form": 9 + 9,
        # + crisis, the crisis' parties (two), the report with its people,
        #   the lines, the rule version, values, revisions, unlocks
        "view": 9 + 9,
    }


def test_the_work_queue_reports_cost_a_fixed_number_of_queries(as_person: Any, people: Any) -> None:
    crisis = make_crisis(people.sara, weeks_ago=3)
    client = as_person("lena")
    before = _count(client, "/hnt/intern/")
    _grow(crisis, people)
    assert _count(client, "/hnt/intern/") == before
    # The page's own 9 + 2 (see partnerships/tests/test_queries.py), the
    # work queue's lines other than reports (9, see
    # partnerships/tests/test_workqueue.py), the agreement versions waiting
    # for the party's ratification (4, agreements/workqueue.py), the routines
    # whose review is due (1, routines/workqueue.py), the party's consequence
    # assessments of task transfers to write (1, transfers/workqueue.py), the
    # consultations the party has not answered (1, agreements/workqueue.py), the
    # party's overdue progress reports on the action plan (1, plans/workqueue.py),
    # and for a reporter: active crises with forms, their parties'
    # participations, the crises' regions, the reports (the reporting parties
    # come with the access).
    assert before == 9 + 2 + 9 + 4 + 1 + 1 + 1 + 1 + 4
