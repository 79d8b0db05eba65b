"""A small world of cases, decisions and minutes with words found nowhere in
the demo, one per visibility level, made through the councils services; and
a library of agreements and routines beside the demo's (see below).

Meetings are moved between states with ``update()``: the workflow's own
conditions (attendance, approval) are tested in councils; here only the
resulting state matters.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from agreements import services as agreement_services
from agreements.models import Agreement, AgreementLevel, AgreementVersion, Clause
from councils import services
from councils.models import Case, Council, Meeting, Treatment
from partnerships.access import PartnershipAccess
from partnerships.models import Partnership
from routines import services as routine_services
from routines.models import Routine

M = Meeting.Status


@dataclass
class World:
    hnt: Partnership
    published: Meeting  # ASU, minutes published
    drafted: Meeting  # ASU, minutes drafted
    planned: Meeting  # ASU, agenda not public yet
    fagrad_published: Meeting  # fagråd PHR, minutes published
    public: Case
    partnership: Case
    council_asu: Case
    council_fagrad: Case
    exempt: Case
    only_planned: Case
    stolav_public: Case


def council(partnership: Partnership, slug: str) -> Council:
    return Council.objects.get(partnership=partnership, slug=slug)


def meeting(c: Council, days_ago: int, title: str) -> Meeting:
    starts = timezone.now() - datetime.timedelta(days=days_ago)
    return services.plan_meeting(c, starts_at=starts, title=title)


def case(c: Council, title: str, visibility: str = "public", **fields: Any) -> Case:
    made, _created = services.create_case(
        council=c, title=title, by=None, visibility=visibility, **fields
    )
    return made


def decide(m: Meeting, c: Case, text: str, by: Any) -> None:
    """Put the case on the agenda, hold the meeting and record the decision."""
    status = m.status
    Meeting.objects.filter(pk=m.pk).update(status=M.PLANNED)
    m.refresh_from_db()
    treatment = services.add_to_agenda(m, c, Treatment.Kind.DECISION)
    Meeting.objects.filter(pk=m.pk).update(status=M.HELD)
    treatment.meeting.refresh_from_db()
    services.record_decision(treatment, adopted_as_recommended=False, adopted_text=text, by=by)
    Meeting.objects.filter(pk=m.pk).update(status=status)
    m.refresh_from_db()


def set_status(m: Meeting, status: str) -> None:
    Meeting.objects.filter(pk=m.pk).update(status=status)
    m.refresh_from_db()


def build_world(people: Any) -> World:
    hnt = Partnership.objects.get(slug="hnt")
    stolav = Partnership.objects.get(slug="stolav")
    asu, fagrad = council(hnt, "asu"), council(hnt, "fagrad-psykisk-helse")
    published = meeting(asu, 60, "Kløvermøtet")
    drafted = meeting(asu, 30, "Torvmyrmøtet")
    planned = meeting(asu, -30, "Reinrosemøtet")
    fagrad_published = meeting(fagrad, 50, "Bregnemøtet")
    public = case(
        asu,
        "Solsikkeprosjektet for eldre",
        background="Bakgrunnen er blåbærtiltaket i kommunene.",
        proposed_decision="ASU slutter seg til avtalene om solsikketiltak.",
    )
    partnership_case = case(
        asu, "Rabarbrabudsjettet", "partnership", background="Stikkelsbærpenger."
    )
    council_asu = case(asu, "Hjortetakkrapporten", "council", background="Elgstien.")
    council_fagrad = case(fagrad, "Multeplukking i fagrådet", "council", background="Kantarell.")
    exempt = case(
        asu,
        "Granskogforhandlinger med leverandøren",
        "restricted",
        public_title="Lyngheiforhandlinger",
        legal_basis="offentleglova § 23",
        background="Einerbusken koster mye.",
    )
    only_planned = case(asu, "Reinroseplanen", background="Fjellvegen.")
    for c, text in [
        (public, "Vedtatt tyttebærordning."),
        (partnership_case, "Vedtatt stikkelsbærbudsjett."),
        (council_asu, "Vedtatt hjortevedtak."),
        (exempt, "Vedtatt bjørkevedtak."),
    ]:
        decide(published, c, text, people.sara)
    decide(fagrad_published, council_fagrad, "Vedtatt moltevedtak.", people.sara)
    decide(drafted, public, "Vedtatt løvetannvedtak.", people.sara)
    services.add_to_agenda(planned, only_planned, Treatment.Kind.DECISION)
    services.add_to_agenda(planned, exempt, Treatment.Kind.DISCUSSION)
    set_status(published, M.PUBLISHED)
    set_status(fagrad_published, M.PUBLISHED)
    set_status(drafted, M.MINUTES_DRAFTED)
    stolav_psu = council(stolav, "psu")
    stolav_meeting = meeting(stolav_psu, 40, "Kløvermøtet St. Olav")
    stolav_public = case(stolav_psu, "Solsikkeprosjektet i St. Olav")
    decide(stolav_meeting, stolav_public, "Vedtatt tyttebærordning i St. Olav.", people.petter)
    set_status(stolav_meeting, M.PUBLISHED)
    return World(
        hnt=hnt,
        published=published,
        drafted=drafted,
        planned=planned,
        fagrad_published=fagrad_published,
        public=public,
        partnership=partnership_case,
        council_asu=council_asu,
        council_fagrad=council_fagrad,
        exempt=exempt,
        only_planned=only_planned,
        stolav_public=stolav_public,
    )


@pytest.fixture
def world(people: Any) -> World:
    return build_world(people)


def access_for(key: str | None, people: Any, partnership: Partnership) -> PartnershipAccess | None:
    """What the search sees for a named person (None: the public)."""
    if key is None or key == "anon":
        return None
    return PartnershipAccess.for_user(partnership, getattr(people, key))


# --- agreements, clauses and routines ----------------------------------------
#
# The demo gives HNT's samarbeidsavtale (2017 replaced, 2021 in force, a
# revision being ratified), six guidelines and routines; St. Olav one
# agreement in force. Below: drafts and routines of our own, with words
# found nowhere in the demo. Versions are moved on with ``update()``: the
# workflow is tested in agreements.


def agreement(
    partnership: Partnership,
    title: str,
    slug: str,
    clauses: list[tuple[str, str]],
    *,
    status: str = "draft",
    by: Any = None,
) -> Agreement:
    """An agreement on the partnership's last level with one version of the
    given clauses (heading, text) in ``status`` (in force from a month ago)."""
    level = AgreementLevel.objects.filter(partnership=partnership).order_by("-position").first()
    assert level is not None
    made = Agreement.objects.create(
        partnership=partnership, level=level, number="S9", title=title, slug=slug
    )
    version = agreement_services.new_version(made, "1", by=by)
    for n, (heading, text) in enumerate(clauses, start=1):
        agreement_services.add_clause(version, number=str(n), heading=heading, text=text, points=[])
    if status != "draft":
        in_force_from = timezone.localdate() - datetime.timedelta(days=30)
        AgreementVersion.objects.filter(pk=version.pk).update(
            status=status, in_force_from=in_force_from
        )
    return made


def routine(
    partnership: Partnership,
    under: Agreement,
    title: str,
    slug: str,
    *,
    in_force: str | None = None,
    draft: str | None = None,
    by: Any = None,
) -> Routine:
    """A routine under ``under`` owned by the partnership's first council,
    with a version in force and/or a draft of the given texts."""
    owner = Council.objects.filter(partnership=partnership).order_by("pk").first()
    made = routine_services.create_routine(
        partnership, agreement=under, title=title, slug=slug, owner_council=owner, number="R9"
    )
    if in_force is not None:
        version = routine_services.new_version(made, label="1", text=in_force, by=by)
        routine_services.put_in_force(
            version, version.version, timezone.localdate() - datetime.timedelta(days=30)
        )
    if draft is not None:
        routine_services.new_version(made, label="2", text=draft, by=by)
    return made


@dataclass
class Library:
    hnt: Partnership
    stolav: Partnership
    samarbeidsavtale: Agreement  # the demo's, 2021 in force
    draft_agreement: Agreement  # one draft version, one clause
    draft_clause: Clause
    draft_routine: Routine  # nothing in force, one draft
    revised_routine: Routine  # a version in force and a newer draft
    stolav_routine: Routine  # St. Olav's, in force


def build_library(people: Any) -> Library:
    hnt = Partnership.objects.get(slug="hnt")
    stolav = Partnership.objects.get(slug="stolav")
    draft_agreement = agreement(
        hnt,
        "Særavtale om tranebærplukking",
        "tranebaerplukking",
        [
            (
                "Lyngmoseplanen",
                # Markup inside a word: "tyristubbeplassene" as a reader sees it.
                "<p>Partene deler <strong>tyri</strong><em>stubbe</em>plassene i "
                "bjønnskjeggmyra.</p>",
            )
        ],
        by=people.sara,
    )
    guideline = Agreement.objects.get(partnership=hnt, slug="retningslinje-1")
    stolav_agreement = Agreement.objects.get(partnership=stolav, slug="samarbeidsavtale")
    return Library(
        hnt=hnt,
        stolav=stolav,
        samarbeidsavtale=Agreement.objects.get(partnership=hnt, slug="samarbeidsavtale"),
        draft_agreement=draft_agreement,
        draft_clause=Clause.objects.get(agreement_version__agreement=draft_agreement),
        draft_routine=routine(
            hnt,
            guideline,
            "Bringebærtransport mellom partene",
            "bringebaertransport",
            draft="<p>Blåveisrutinen gjelder hver tirsdag.</p>",
            by=people.sara,
        ),
        revised_routine=routine(
            hnt,
            guideline,
            "Tyttebærvakt i helgene",
            "tyttebaervakt",
            in_force="<p>Hvitveisvakten ringer kommunen.</p>",
            draft="<p>Hestehovvakten ringer kommunen.</p>",
            by=people.sara,
        ),
        stolav_routine=routine(
            stolav,
            stolav_agreement,
            "Multetransport i St. Olav",
            "multetransport",
            in_force="<p>Reinlavruten går hver dag.</p>",
            by=people.petter,
        ),
    )


@pytest.fixture
def library(people: Any) -> Library:
    return build_library(people)
