"""The OParl API gives the public record and nothing more, for every object
type: an internal case, its agenda item, consultation and files are not
there at all; an exempt case only by its public title and legal basis,
without its text, decision or files; a decision only in published minutes;
no cancelled meeting, no planned meeting's agenda, no ended seat; no other
partnership's objects under this one."""

from __future__ import annotations

import datetime
import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from councils import services as council_services
from councils.models import (
    Appointment,
    Case,
    CaseAttachment,
    Council,
    Decision,
    Meeting,
    Treatment,
)
from oparl import records
from oparl.tests.crawl import crawl

pytestmark = pytest.mark.django_db
O = "/oparl/v1.1/body/hnt"  # noqa: E741


def _case(council: Council, title: str, visibility: str, **more: Any) -> Case:
    year = timezone.localdate().year
    last = Case.objects.filter(partnership=council.partnership, year=year).count()
    return Case.objects.create(
        partnership=council.partnership,
        council=council,
        year=year,
        sequence=900 + last,
        title=title,
        visibility=visibility,
        background=f"{title} BAKGRUNN",
        proposed_decision=f"{title} FORSLAG",
        **more,
    )


def _on(meeting: Meeting, case: Case, decided: str | None, who: Any) -> Treatment:
    treatment = Treatment.objects.create(
        meeting=meeting, case=case, kind=Treatment.Kind.DECISION, position=90
    )
    if decided is not None:
        Decision.objects.create(treatment=treatment, adopted_text=decided, recorded_by=who)
    return treatment


def _attach(case: Case, title: str, who: Any) -> CaseAttachment:
    return CaseAttachment.objects.create(
        case=case,
        title=title,
        file="vedlegg/test.pdf",
        original_name=f"{title}.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=who,
    )


@pytest.fixture
def record(people: Any) -> SimpleNamespace:
    asu = Council.objects.get(partnership__slug="hnt", slug="asu")
    meetings = Meeting.objects.filter(council=asu)
    published = meetings.filter(status=Meeting.Status.PUBLISHED).first()
    held = meetings.filter(status=Meeting.Status.HELD).first()
    assert published and held
    soon = timezone.now() + datetime.timedelta(days=60)
    cancelled = council_services.plan_meeting(asu, starts_at=soon)
    planned_one = council_services.plan_meeting(asu, starts_at=soon + datetime.timedelta(days=7))
    Meeting.objects.filter(pk=cancelled.pk).update(status=Meeting.Status.CANCELLED)
    internal = _case(asu, "HEMMELIG INTERN TITTEL", "partnership")
    exempt = _case(
        asu,
        "UNNTATT EKTE TITTEL",
        "restricted",
        public_title="Personalsak i helsefellesskapet",
        legal_basis="Offentleglova § 25",
    )
    open_case = _case(asu, "Åpen sak med upublisert vedtak", "public")
    later = _case(asu, "PLANLAGT SAK TITTEL", "public")
    t_internal = _on(published, internal, "HEMMELIG VEDTAK", people.sara)
    t_exempt = _on(published, exempt, "UNNTATT VEDTAK", people.sara)
    _on(held, open_case, "IKKE PUBLISERT VEDTAK", people.sara)
    t_later = _on(planned_one, later, None, people.sara)
    a_internal = _attach(internal, "HEMMELIG VEDLEGG", people.sara)
    a_exempt = _attach(exempt, "UNNTATT VEDLEGG", people.sara)
    ended = Appointment.objects.filter(council=asu).order_by("pk").first()
    assert ended is not None
    ended.valid_to = timezone.localdate() - datetime.timedelta(days=1)
    ended.save()
    return SimpleNamespace(**locals())


def test_the_whole_api_holds_nothing_that_is_not_public(record: SimpleNamespace) -> None:
    found = crawl(Client())
    text = json.dumps(found, ensure_ascii=False)
    for secret in (
        "HEMMELIG",  # the internal case: title, text, decision, attachment
        "UNNTATT EKTE TITTEL",
        "UNNTATT VEDTAK",
        "UNNTATT VEDLEGG",
        "UNNTATT EKTE TITTEL BAKGRUNN",
        "IKKE PUBLISERT VEDTAK",
        "PLANLAGT SAK TITTEL",
    ):
        assert secret not in text, secret
    # What the public pages show is there: the exempt case by its public
    # title and legal basis, the published minutes' decisions.
    assert "Personalsak i helsefellesskapet" in text and "Offentleglova § 25" in text
    decided = Decision.objects.filter(
        treatment__meeting=record.published, treatment__case__visibility="public"
    ).first()
    assert decided is not None
    assert json.dumps(decided.adopted_text, ensure_ascii=False)[1:-1] in text
    ids = {obj["id"] for objs in found.values() for obj in objs}
    assert records.url(f"body/hnt/meeting/{record.cancelled.pk}/") not in ids
    assert records.url(f"body/hnt/membership/{record.ended.pk}/") not in ids
    planned_id = records.url(f"body/hnt/meeting/{record.planned_one.pk}/")
    planned = next(m for m in found["Meeting"] if m["id"] == planned_id)
    assert "agendaItem" not in planned and planned["meetingState"] == "terminiert"


def test_each_object_type_refuses_what_is_not_public(record: SimpleNamespace) -> None:
    client = Client()
    other = Council.objects.exclude(partnership__slug="hnt").first()
    assert other is not None
    for path in (
        f"{O}/paper/{record.internal.pk}/",
        f"{O}/paper/{record.later.pk}/",
        f"{O}/consultation/{record.t_internal.pk}/",
        f"{O}/agendaItem/{record.t_internal.pk}/",
        f"{O}/agendaItem/{record.t_later.pk}/",
        f"{O}/file/attachment-{record.a_internal.pk}/",
        f"{O}/file/attachment-{record.a_exempt.pk}/",
        f"{O}/file/minutes-{record.held.pk}/",
        f"{O}/meeting/{record.cancelled.pk}/",
        f"{O}/membership/{record.ended.pk}/",
        f"{O}/organization/council-{other.pk}/",
        f"{O}/person/{record.people.otto.pk}/",
        f"{O}/nothing/1/",
        "/oparl/v1.1/body/no-such-body/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["type"] == "https://schema.oparl.org/1.1/Error"
    # The exempt case: its paper has the public title and legal basis only.
    paper = client.get(f"{O}/paper/{record.exempt.pk}/").json()
    assert paper["name"] == "Personalsak i helsefellesskapet"
    assert paper["samspill:legalBasis"] == "Offentleglova § 25"
    assert "auxiliaryFile" not in paper and "web" not in paper
    item = client.get(f"{O}/agendaItem/{record.t_exempt.pk}/").json()
    assert item["public"] is False and "resolutionText" not in item
