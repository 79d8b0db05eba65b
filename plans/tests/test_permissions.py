"""Every action plan URL (internal and public) × every named person → the
expected status.

Internal: every insider reads every plan and measure, drafts included. The
secretariat and administrators report progress on any measure; Levanger's
coordinator Lena on the measures Levanger is responsible for; Nils, the
responsible person of one measure, on that one. Kai is a coordinator of
Frosta but only a member of Verdal: he may not report on Verdal's measure.
Outsiders (no role, or only in the other partnership) get 404; anonymous
visitors are sent to log in.

Public (pages and API): the same answer for everyone; a draft plan, its
measures and another partnership's are 404.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from partnerships.models import Partnership
from plans.models import ActionPlan, Measure, ProgressEntry, Project
from plans.tests.factory import goal, kommune, measure, plan
from tests.matrix import PEOPLE, expect_hnt, only_hnt, statuses

MANAGERS = {"sara", "ada"}
LEVANGER = MANAGERS | {"lena", "nils"}  # Lena's party; Nils is the responsible person
EMPTY: dict[str, str] = {}
ALL_200 = dict.fromkeys(PEOPLE, 200)
ALL_404 = dict.fromkeys(PEOPLE, 404)
REPORT = {"date": "2026-01-15", "progress": "40", "status": "ongoing", "text": "", "version": "0"}


I = "/hnt/intern/handlingsplan"  # noqa: E741
P = "/hnt/handlingsplan"

CASES: list[tuple[str, str, dict[str, str], dict[str, int]]] = [
    # plans:index
    ("GET", f"{I}/", EMPTY, expect_hnt(200)),
    # plans:plan
    ("GET", f"{I}/{{plan}}/", EMPTY, expect_hnt(200)),
    ("GET", f"{I}/{{draft}}/", EMPTY, expect_hnt(200)),
    ("GET", f"{I}/{{stolav}}/", EMPTY, expect_hnt(404)),
    ("GET", f"{I}/999999/", EMPTY, expect_hnt(404)),
    # plans:measure
    ("GET", f"{I}/tiltak/{{leaf}}/", EMPTY, expect_hnt(200)),
    ("GET", f"{I}/tiltak/{{draft_measure}}/", EMPTY, expect_hnt(200)),
    ("GET", f"{I}/tiltak/{{stolav_measure}}/", EMPTY, expect_hnt(404)),
    # plans:report
    ("GET", f"{I}/tiltak/{{leaf}}/framdrift/", EMPTY, only_hnt(LEVANGER, 200)),
    ("POST", f"{I}/tiltak/{{leaf}}/framdrift/", EMPTY, only_hnt(LEVANGER, 400)),
    ("POST", f"{I}/tiltak/{{leaf}}/framdrift/", REPORT, only_hnt(LEVANGER, 302)),
    ("GET", f"{I}/tiltak/{{verdal}}/framdrift/", EMPTY, only_hnt(MANAGERS, 200)),
    # a measure with measures under it sends the reporter to it
    ("GET", f"{I}/tiltak/{{parent}}/framdrift/", EMPTY, only_hnt(MANAGERS | {"lena"}, 302)),
    ("GET", f"{I}/tiltak/{{stolav_measure}}/framdrift/", EMPTY, expect_hnt(404)),
    # plans:plan_new (an empty form comes back with its errors)
    ("GET", f"{I}/ny/", EMPTY, only_hnt(MANAGERS, 200)),
    ("POST", f"{I}/ny/", EMPTY, only_hnt(MANAGERS, 400)),
    # plans:plan_edit
    ("GET", f"{I}/{{plan}}/rediger/", EMPTY, only_hnt(MANAGERS, 200)),
    ("POST", f"{I}/{{plan}}/rediger/", EMPTY, only_hnt(MANAGERS, 400)),
    ("GET", f"{I}/{{stolav}}/rediger/", EMPTY, expect_hnt(404)),
    # plans:goal_new
    ("GET", f"{I}/{{plan}}/mal/ny/", EMPTY, only_hnt(MANAGERS, 200)),
    ("POST", f"{I}/{{plan}}/mal/ny/", EMPTY, only_hnt(MANAGERS, 400)),
    ("GET", f"{I}/{{stolav}}/mal/ny/", EMPTY, expect_hnt(404)),
    # plans:goal_edit
    ("GET", f"{I}/mal/{{goal}}/rediger/", EMPTY, only_hnt(MANAGERS, 200)),
    ("POST", f"{I}/mal/{{goal}}/rediger/", EMPTY, only_hnt(MANAGERS, 400)),
    ("GET", f"{I}/mal/{{stolav_goal}}/rediger/", EMPTY, expect_hnt(404)),
    # plans:measure_new
    ("GET", f"{I}/mal/{{goal}}/tiltak/ny/", EMPTY, only_hnt(MANAGERS, 200)),
    ("GET", f"{I}/mal/{{goal}}/tiltak/ny/?under=x", EMPTY, only_hnt(MANAGERS, 200)),
    ("POST", f"{I}/mal/{{goal}}/tiltak/ny/", EMPTY, only_hnt(MANAGERS, 400)),
    ("GET", f"{I}/mal/{{stolav_goal}}/tiltak/ny/", EMPTY, expect_hnt(404)),
    # plans:measure_edit
    ("GET", f"{I}/tiltak/{{leaf}}/rediger/", EMPTY, only_hnt(MANAGERS, 200)),
    ("POST", f"{I}/tiltak/{{leaf}}/rediger/", EMPTY, only_hnt(MANAGERS, 400)),
    ("GET", f"{I}/tiltak/{{stolav_measure}}/rediger/", EMPTY, expect_hnt(404)),
    # plans:projects
    ("GET", f"{I}/prosjekter/", EMPTY, expect_hnt(200)),
    # plans:project
    ("GET", f"{I}/prosjekter/{{project}}/", EMPTY, expect_hnt(200)),
    ("GET", f"{I}/prosjekter/{{internal_project}}/", EMPTY, expect_hnt(200)),
    ("GET", f"{I}/prosjekter/{{stolav_project}}/", EMPTY, expect_hnt(404)),
    # plans:project_new
    ("GET", f"{I}/prosjekter/ny/", EMPTY, only_hnt(MANAGERS, 200)),
    ("POST", f"{I}/prosjekter/ny/", EMPTY, only_hnt(MANAGERS, 400)),
    # plans:project_edit
    ("GET", f"{I}/prosjekter/{{project}}/rediger/", EMPTY, only_hnt(MANAGERS, 200)),
    ("POST", f"{I}/prosjekter/{{project}}/rediger/", EMPTY, only_hnt(MANAGERS, 400)),
    ("GET", f"{I}/prosjekter/{{stolav_project}}/rediger/", EMPTY, expect_hnt(404)),
    # plans:project_report: the owner party's coordinators (Levanger: Lena)
    (
        "GET",
        f"{I}/prosjekter/{{project}}/statusrapport/",
        EMPTY,
        only_hnt(MANAGERS | {"lena"}, 200),
    ),
    (
        "POST",
        f"{I}/prosjekter/{{project}}/statusrapport/",
        EMPTY,
        only_hnt(MANAGERS | {"lena"}, 400),
    ),
    ("GET", f"{I}/prosjekter/{{stolav_project}}/statusrapport/", EMPTY, expect_hnt(404)),
    # public_plans:projects
    ("GET", f"{P}/prosjekter/", EMPTY, ALL_200),
    ("GET", "/ingen-slik/handlingsplan/prosjekter/", EMPTY, ALL_404),
    # public_plans:project: public ones only
    ("GET", f"{P}/prosjekter/{{project}}/", EMPTY, ALL_200),
    ("GET", f"{P}/prosjekter/{{internal_project}}/", EMPTY, ALL_404),
    ("GET", f"{P}/prosjekter/{{stolav_project}}/", EMPTY, ALL_404),
    # public_plans:index
    ("GET", f"{P}/", EMPTY, ALL_200),
    ("GET", "/stolav/handlingsplan/", EMPTY, ALL_200),
    ("GET", "/ingen-slik/handlingsplan/", EMPTY, ALL_404),
    # public_plans:plan
    ("GET", f"{P}/{{plan}}/", EMPTY, ALL_200),
    ("GET", f"{P}/{{draft}}/", EMPTY, ALL_404),
    ("GET", f"{P}/{{stolav}}/", EMPTY, ALL_404),
    # public_plans:measure
    ("GET", f"{P}/tiltak/{{leaf}}/", EMPTY, ALL_200),
    ("GET", f"{P}/tiltak/{{draft_measure}}/", EMPTY, ALL_404),
    ("GET", f"{P}/tiltak/{{stolav_measure}}/", EMPTY, ALL_404),
    # api:list_plans
    ("GET", "/api/plans/hnt", EMPTY, ALL_200),
    ("GET", "/api/plans/ingen-slik", EMPTY, ALL_404),
    # api:get_plan
    ("GET", "/api/plans/hnt/{plan}", EMPTY, ALL_200),
    ("GET", "/api/plans/hnt/{draft}", EMPTY, ALL_404),
    ("GET", "/api/plans/stolav/{plan}", EMPTY, ALL_404),
    # api:get_measure
    ("GET", "/api/plans/hnt/measures/{leaf}", EMPTY, ALL_200),
    ("GET", "/api/plans/hnt/measures/{draft_measure}", EMPTY, ALL_404),
    ("GET", "/api/plans/hnt/measures/{stolav_measure}", EMPTY, ALL_404),
]


def _fixture(people: Any) -> dict[str, int]:
    hnt = Partnership.objects.get(slug="hnt")
    adopted = plan(hnt)
    elderly = goal(adopted)
    leaf = measure(elderly, "Levangers tiltak", parties=[kommune("5037")])
    leaf.responsible_person = people.nils
    leaf.save()
    parent = measure(elderly, "Samlet tiltak", parties=[kommune("5037")])
    measure(elderly, "Del av tiltaket", parent=parent, parties=[kommune("5037")])
    verdal = measure(elderly, "Verdals tiltak", parties=[kommune("5038")])
    draft = plan(hnt, "Utkast", status=ActionPlan.Status.DRAFT)
    draft_measure = measure(goal(draft), "Utkastets tiltak", parties=[kommune("5007")])
    stolav = plan(Partnership.objects.get(slug="stolav"), "St. Olavs plan")
    stolav_goal = goal(stolav)
    stolav_measure = measure(stolav_goal, "St. Olavs tiltak")
    project = Project.objects.create(
        partnership=hnt, title="Levangers prosjekt", owner=kommune("5037"), public=True
    )
    internal_project = Project.objects.create(
        partnership=hnt, title="Internt prosjekt", owner=kommune("5007")
    )
    stolav_project = Project.objects.create(
        partnership=stolav.partnership,
        title="St. Olavs prosjekt",
        owner=kommune("5001"),
        public=True,
    )
    return {
        "project": project.pk,
        "internal_project": internal_project.pk,
        "stolav_project": stolav_project.pk,
        "plan": adopted.pk,
        "draft": draft.pk,
        "stolav": stolav.pk,
        "goal": elderly.pk,
        "stolav_goal": stolav_goal.pk,
        "leaf": leaf.pk,
        "parent": parent.pk,
        "verdal": verdal.pk,
        "draft_measure": draft_measure.pk,
        "stolav_measure": stolav_measure.pk,
    }


def _reset(ids: dict[str, int]) -> None:
    ProgressEntry.objects.filter(measure_id=ids["leaf"]).delete()
    Measure.objects.filter(pk=ids["leaf"]).update(version=0, progress=0, last_reported_on=None)


@pytest.mark.parametrize(
    ("method", "url", "data", "expected"),
    CASES,
    ids=[f"{m} {u} {'data' if d else ''}" for m, u, d, _ in CASES],
)
def test_plan_permission_matrix(
    as_person: Any,
    people: Any,
    method: str,
    url: str,
    data: dict[str, str],
    expected: dict[str, int],
) -> None:
    ids = _fixture(people)
    with_date = dict(data)
    if "date" in with_date:
        with_date["date"] = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    got = statuses(as_person, method, url.format(**ids), with_date, after_write=lambda: _reset(ids))
    assert got == expected
