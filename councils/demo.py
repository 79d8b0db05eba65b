"""A believable year of councils, seats, meetings and cases for the demo
partnership, relative to today. Idempotent. All people invented.

The year is a rolling one, so that the demo looks the same on any day: ten
months of meetings behind today and a few ahead, on Thursdays counted from the
Thursday of this week. On every day of the year, then, the councils have held
meetings with published minutes, each council's latest held meeting waits for
its minutes, the next meeting has its notice out with cases on the agenda, and
the ones after it are planned with cases. A later run keeps the dates of the
first (it finds them from the first ASU meeting) and only moves the statuses
on."""

from __future__ import annotations

import datetime
import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from councils import services
from councils.models import Appointment, Case, Council, Meeting
from partnerships.models import Organisation, Partnership, Region

NAMESPACE = uuid.UUID("5a3c2d1e-0000-4000-8000-000000000026")
M = Meeting.Status

COUNCILS = [
    (
        "psu",
        "psu",
        "Politisk samarbeidsutvalg",
        "PSU",
        None,
        4,
        "Overordnet politisk samarbeid mellom kommunene og helseforetaket: strategi, "
        "prioriteringer og samarbeidsavtalen.",
    ),
    (
        "asu",
        "asu",
        "Administrativt samarbeidsutvalg",
        "ASU",
        "psu",
        6,
        "Følger opp samarbeidsavtalen og handlingsplanen, forbereder saker for PSU og styrer "
        "fagrådene.",
    ),
    (
        "fagrad-psykisk-helse",
        "fagrad",
        "Fagråd for psykisk helse og rus",
        "Fagråd PHR",
        "asu",
        4,
        "Faglige råd om tjenester til personer med alvorlige psykiske lidelser og "
        "rusmiddelproblemer.",
    ),
    (
        "fagrad-eldre",
        "fagrad",
        "Fagråd for skrøpelige eldre og kroniske lidelser",
        "Fagråd eldre",
        "asu",
        4,
        "Faglige råd om tjenester til skrøpelige eldre og personer med flere kroniske lidelser.",
    ),
]

REGION_PEOPLE = {
    "Værnesregionen": ("Vera", "Viggo"),
    "Innherred": ("Inga", None),
    "Inn-Trøndelag": ("Ivar", "Ingrid"),
    "Midtre Namdal": ("Mona", "Magnus"),
    "Indre Namdal": ("Ida", "Isak"),
    "Ytre Namdal": ("Yngve", "Ylva"),
}
OBSERVER_PEOPLE = [
    ("Statsforvalteren i Trøndelag", None),
    ("Trøndelag fylkeskommune", ("Frida", "Observatør", "frida@trondelagfylke.example")),
    ("KS Trøndelag", ("Knut", "Observatør", "knut@ks.example")),
    ("Fastlegerepresentant (demo)", ("Frode", "Fastlege", "frode@fastlege.example")),
    ("Brukerrepresentant (demo)", ("Brita", "Brukerrepresentant", "brita@bruker.example")),
]

# (weeks from the Thursday of this week, council, title of joint meeting or "").
# The first ASU meeting comes first: a later run finds the schedule from it.
MEETINGS = [
    (-44, "asu", ""),
    (-39, "psu", ""),
    (-34, "asu", ""),
    (-29, "psu", ""),
    (-24, "asu", ""),
    (-19, "psu", "Fellesmøte PSU og ASU"),
    (-14, "asu", ""),
    (-9, "psu", ""),
    (-4, "asu", ""),
    (1, "psu", ""),
    (6, "asu", ""),
    (-32, "fagrad-psykisk-helse", ""),
    (3, "fagrad-psykisk-helse", ""),
    (-27, "fagrad-eldre", ""),
    (9, "fagrad-eldre", ""),
]
MEETING_WEEKDAY = 3  # Thursday
MEETING_LOCATION = "Sykehuset Levanger, møterom Samhandling"

# (key, council, title, visibility, public title, legal basis, background, proposal,
#  [(meeting index in MEETINGS, handling)]). In titles, {year} is the year of
#  the case's first meeting. Background and proposal are plain text (stored as
#  a paragraph, see Case.save) or the editor's HTML.
CASES = [
    (
        "handlingsplan",
        "asu",
        "Handlingsplan for samhandling {year}–{next_year}",
        "public",
        "",
        "",
        "<h2>Hva saken gjelder</h2>"
        "<p>Handlingsplanen samler tiltakene for de fire prioriterte pasientgruppene:</p>"
        "<ul><li><p>skrøpelige eldre</p></li>"
        "<li><p>personer med flere kroniske lidelser</p></li>"
        "<li><p>barn og unge</p></li>"
        "<li><p>personer med alvorlige psykiske lidelser og rusproblemer</p></li></ul>"
        "<h2>Tidligere behandling</h2>"
        "<p>Planen bygger på <strong>samarbeidsavtalen</strong> og "
        '<a href="https://www.regjeringen.no/no/dokumenter/meld.-st.-9-20222023/id2951496/">'
        "Nasjonal helse- og samhandlingsplan</a>.</p>",
        "<ol><li><p>ASU anbefaler PSU å vedta handlingsplanen.</p></li>"
        "<li><p>Sekretariatet rapporterer på tiltakene hvert halvår.</p></li></ol>",
        [(0, "decision"), (1, "decision")],
    ),
    (
        "utskrivningsklare",
        "asu",
        "Utskrivningsklare pasienter – status og tiltak",
        "public",
        "",
        "",
        "Antallet overliggedøgn har økt i Namdalen siste halvår.",
        "ASU tar statusen til orientering og ber fagrådet eldre foreslå tiltak.",
        [(0, "discussion"), (4, "decision")],
    ),
    (
        "budsjett",
        "asu",
        "Budsjett for sekretariatet {year}",
        "partnership",
        "",
        "",
        "Sekretariatet finansieres av statlig tilskudd og partenes egenandel.",
        "Budsjettet godkjennes.",
        [(0, "decision")],
    ),
    (
        "retningslinje1",
        "asu",
        "Revisjon av retningslinje 1 Pasientsamarbeid",
        "public",
        "",
        "",
        "Retningslinjen er fra 2021 og må oppdateres etter ny nasjonal veileder.",
        "Arbeidsgruppen får mandat til å revidere retningslinjen innen 1. oktober.",
        [(2, "decision"), (8, "decision")],
    ),
    (
        "legevakt",
        "psu",
        "Avtale om legevaktsamarbeid – forhandlingsposisjon",
        "restricted",
        "Forhandlinger om legevaktsamarbeid",
        "offentleglova § 23 første ledd",
        "Partene forhandler om ny avtale for interkommunal legevakt.",
        "PSU gir forhandlingsutvalget mandat i tråd med drøftingene.",
        [(3, "decision")],
    ),
    (
        "avvik-q1",
        "asu",
        "Samhandlingsavvik – rapport for første kvartal",
        "public",
        "",
        "",
        "<p>Rapporten viser avvik fordelt på kategori og retning.</p>"
        "<table><tbody><tr><th><p>Retning</p></th><th><p>Antall</p></th></tr>"
        "<tr><td><p>Fra kommune til sykehus</p></td><td><p>14</p></td></tr>"
        "<tr><td><p>Fra sykehus til kommune</p></td><td><p>9</p></td></tr></tbody></table>",
        "ASU tar rapporten til orientering.",
        [(4, "information")],
    ),
    (
        "saarbehandling",
        "asu",
        "Oppgaveoverføring: sårbehandling etter utskrivning",
        "council",
        "",
        "",
        "Kommunene melder at flere pasienter skrives ut med komplisert sårbehandling.",
        "ASU ber om en konsekvensvurdering før saken behandles videre.",
        [(6, "discussion"), (10, "decision")],
    ),
    (
        "kompetanseplan",
        "fagrad-psykisk-helse",
        "Felles kompetanseplan for psykisk helse og rus",
        "public",
        "",
        "",
        "Fagrådet har kartlagt behovet for felles opplæring.",
        "Fagrådet anbefaler ASU å slutte seg til planen.",
        [(11, "discussion"), (12, "decision")],
    ),
    (
        "beredskap",
        "psu",
        "Revidert beredskapsplan for helsefellesskapet",
        "public",
        "",
        "",
        "Planen er revidert etter erfaringene fra pandemien.",
        "PSU vedtar den reviderte beredskapsplanen.",
        [(5, "decision")],
    ),
    (
        "sekretariatsleder",
        "psu",
        "Ansettelse av leder for sekretariatet",
        "restricted",
        "Personalsak",
        "offentleglova § 25",
        "Stillingen som leder for sekretariatet er ledig.",
        "Innstillingen følges.",
        [(7, "decision")],
    ),
    (
        "arsrapport",
        "psu",
        "Årsrapport {last_year} for helsefellesskapet",
        "public",
        "",
        "",
        "Årsrapporten oppsummerer møter, vedtak, avtaler og avvik i {last_year}.",
        "PSU godkjenner årsrapporten.",
        [(1, "decision")],
    ),
    (
        "horing",
        "psu",
        "Høring: nasjonal helse- og samhandlingsplan",
        "public",
        "",
        "",
        "Departementet har sendt planen på høring med frist i desember.",
        "Sekretariatet utarbeider et felles høringssvar.",
        [(9, "decision")],
    ),
    (
        "eldreplan",
        "fagrad-eldre",
        "Tiltak for skrøpelige eldre ved utskrivning",
        "public",
        "",
        "",
        "Fagrådet har samlet erfaringer fra kommunene om utskrivning av eldre.",
        "Fagrådet foreslår tre tiltak for ASU.",
        [(13, "discussion"), (14, "decision")],
    ),
]


def _person(first: str, last: str, email: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, full_name=f"{first} {last}")
    return user


def _seat(
    council: Council,
    person: User,
    role: str,
    title: str,
    *,
    org: Organisation | None = None,
    region: Region | None = None,
    start: datetime.date,
) -> None:
    if Appointment.objects.current().filter(council=council, person=person).exists():
        return
    services.appoint(
        council,
        person=person,
        role=role,
        position_title=title,
        on_behalf_of_organisation=org,
        on_behalf_of_region=region,
        valid_from=start,
    )


@transaction.atomic
def build_councils_demo(people: dict[str, User]) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    today = timezone.localdate()
    start = datetime.date(today.year - 1, 1, 1)
    councils: dict[str, Council] = {}
    for position, (slug, kind, name, short, parent, per_year, mandate) in enumerate(COUNCILS):
        council = Council.objects.filter(partnership=hnt, slug=slug).first()
        if council is None:
            council = Council.objects.create(
                partnership=hnt,
                slug=slug,
                kind=kind,
                name=name,
                short_name=short,
                parent=councils.get(parent) if parent else None,
                meetings_per_year=per_year,
                mandate=mandate,
                position=position,
            )
        councils[slug] = council
    stolav = Partnership.objects.get(slug="stolav")
    if not Council.objects.filter(partnership=stolav).exists():
        Council.objects.create(
            partnership=stolav,
            slug="psu",
            kind="psu",
            name="Politisk samarbeidsutvalg",
            short_name="PSU",
        )
    hf = Organisation.objects.get(name="Helse Nord-Trøndelag HF")
    regions = {r.name: r for r in Region.objects.filter(partnership=hnt)}
    psu, asu = councils["psu"], councils["asu"]
    for region_name, (mayor, director) in REGION_PEOPLE.items():
        slug = region_name.lower().replace(" ", "-").replace("æ", "ae").replace("ø", "o")
        person = _person(mayor, "Ordfører", f"ordforer.{slug}@demo.example")
        _seat(psu, person, "member", "ordfører", region=regions[region_name], start=start)
        if director:
            leader = _person(director, "Helsesjef", f"helsesjef.{slug}@demo.example")
            _seat(asu, leader, "member", "helsesjef", region=regions[region_name], start=start)
    # Lena sits in ASU for Innherred: a council member from a kommune.
    _seat(
        asu,
        people["lena"],
        "member",
        "kommunalsjef helse",
        region=regions["Innherred"],
        start=start,
    )
    for i, first in enumerate(["Bjørn", "Berit", "Bård", "Bodil"]):
        person = _person(first, "Styremedlem", f"styre{i + 1}@hnt-hf.example")
        _seat(psu, person, "member", "styremedlem", org=hf, start=start)
    _seat(asu, people["hanne"], "member", "klinikksjef", org=hf, start=start)
    for i, first in enumerate(["Kjell", "Karin", "Kristian", "Kaja", "Kasper"]):
        person = _person(first, "Klinikksjef", f"klinikksjef{i + 1}@hnt-hf.example")
        _seat(asu, person, "member", "klinikksjef", org=hf, start=start)
    orgs = {
        o.name: o for o in Organisation.objects.filter(name__in=[n for n, _p in OBSERVER_PEOPLE])
    }
    for org_name, who in OBSERVER_PEOPLE:
        person = people["stine"] if who is None else _person(*who)
        for council in (psu, asu):
            _seat(council, person, "observer", "", org=orgs[org_name], start=start)
    for council in councils.values():
        _seat(council, people["sara"], "secretary", "sekretariatet", start=start)
    _seat(
        councils["fagrad-psykisk-helse"],
        people["nils"],
        "member",
        "koordinator",
        org=Organisation.objects.get(municipality_number="5007"),
        start=start,
    )

    zone = ZoneInfo(settings.TIME_ZONE)
    anchor = _schedule_anchor(asu, today)
    meetings: list[Meeting] = []
    for weeks, slug, title in MEETINGS:
        day = anchor + datetime.timedelta(weeks=weeks)
        starts = datetime.datetime(day.year, day.month, day.day, 9, 0, tzinfo=zone)
        meeting = Meeting.objects.filter(council=councils[slug], starts_at=starts).first()
        if meeting is None:
            meeting = services.plan_meeting(
                councils[slug],
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=5),
                title=title,
                location=MEETING_LOCATION,
                video_url="https://video.example/samspill-demo",
                papers_deadline=day - datetime.timedelta(days=10),
                joint_with=[asu] if title else None,
            )
        meetings.append(meeting)

    for key, slug, title, visibility, public_title, basis, background, proposal, handled in CASES:
        year = timezone.localtime(meetings[handled[0][0]].starts_at).year
        names = {"year": year, "next_year": year + 1, "last_year": year - 1}
        case, _created = services.create_case(
            council=councils[slug],
            title=title.format(**names),
            by=None,
            visibility=visibility,
            public_title=public_title,
            legal_basis=basis,
            background=background.format(**names),
            assessment="Sekretariatet vurderer at saken er godt nok opplyst til behandling.",
            proposed_decision=proposal,
            client_key=uuid.uuid5(NAMESPACE, key),
            year=year,
        )
        for index, handling in handled:
            meeting = meetings[index]
            if not meeting.treatments.filter(case=case).exists() and meeting.status in (
                M.PLANNED,
                M.NOTICE_PUBLISHED,
            ):
                services.add_to_agenda(meeting, case, handling)

    # Past meetings were held; the next one has its notice out; later ones are planned.
    upcoming = sorted(
        (m for m in meetings if timezone.localdate(m.starts_at) >= today), key=lambda m: m.starts_at
    )
    next_one = upcoming[0] if upcoming else None
    for meeting in meetings:
        if timezone.localdate(meeting.starts_at) < today:
            wanted = M.HELD
        elif meeting == next_one:
            wanted = M.NOTICE_PUBLISHED
        else:
            wanted = M.PLANNED
        if meeting.status != wanted and meeting.status in (M.PLANNED, M.NOTICE_PUBLISHED):
            meeting.status = wanted
            meeting.save(update_fields=["status"])

    _minutes_demo(meetings, people, today)
    _followups_demo(hnt, councils, people, today)


def _schedule_anchor(asu: Council, today: datetime.date) -> datetime.date:
    """The Thursday the demo's meetings are counted from: this week's on the
    first run, the same as the first run's on a later one."""
    first_weeks = MEETINGS[0][0]
    first = (
        Meeting.objects.filter(council=asu, location=MEETING_LOCATION).order_by("starts_at").first()
    )
    if first is not None:
        return timezone.localtime(first.starts_at).date() - datetime.timedelta(weeks=first_weeks)
    return today + datetime.timedelta(days=MEETING_WEEKDAY - today.weekday())


OTHER_OUTCOMES = {
    "discussion": "Saken ble drøftet. Innspillene tas med i det videre arbeidet.",
    "information": "Tatt til orientering.",
}


def _minutes_demo(meetings: list[Meeting], people: dict[str, User], today: datetime.date) -> None:
    """Every past meeting but the latest has attendance, decisions and
    published minutes; the latest waits for the secretariat to record them."""
    past = sorted(
        (m for m in meetings if timezone.localdate(m.starts_at) < today), key=lambda m: m.starts_at
    )
    latest_by_council: dict[int, Meeting] = {}
    for meeting in past:
        latest_by_council[meeting.council_id] = meeting
    for meeting in past:
        meeting.refresh_from_db()
        if meeting.status != M.HELD or latest_by_council[meeting.council_id] == meeting:
            continue
        seats = services.seats_for(meeting)
        services.record_attendance(
            meeting,
            {seat.pk: ("absent" if i % 7 == 3 else "present") for i, seat in enumerate(seats)},
        )
        for item in meeting.treatments.exclude(case=None).select_related("case", "meeting"):
            if item.kind == "decision":
                services.record_decision(
                    item, adopted_as_recommended=True, adopted_text="", by=people["sara"]
                )
            else:
                services.record_decision(
                    item,
                    adopted_as_recommended=False,
                    adopted_text=OTHER_OUTCOMES[item.kind],
                    by=people["sara"],
                )
        meeting = services.change_meeting_status(meeting, M.MINUTES_DRAFTED, meeting.version)
        meeting = services.approve_minutes(
            meeting,
            approved_on=timezone.localdate(meeting.starts_at) + datetime.timedelta(days=14),
            # As the help text asks: the meeting that approved them.
            approved_by=f"{meeting.council.short_name}, neste møte",
            by=people["sara"],
            expected_version=meeting.version,
        )
        services.change_meeting_status(meeting, M.PUBLISHED, meeting.version)


FOLLOWUPS = [
    (
        "utskrivningsklare",
        "Forslag til tiltak for færre overliggedøgn i Namdalen",
        "5007",
        30,
        "in_progress",
        40,
    ),
    (
        "retningslinje1",
        "Revidert retningslinje 1 legges fram for ASU",
        None,
        -14,
        "in_progress",
        70,
    ),
    ("handlingsplan", "Handlingsplanen forankres i kommunenes planer", "5037", 90, "planned", 0),
    ("arsrapport", "Årsrapporten publiseres på nettsidene", None, -200, "done", 100),
]


def _followups_demo(
    hnt: Partnership, councils: dict[str, Council], people: dict[str, User], today: datetime.date
) -> None:
    from django.urls import reverse

    from followups import services as followup_services

    hf = Organisation.objects.get(name="Helse Nord-Trøndelag HF")
    for key, title, kommune, days, status, progress in FOLLOWUPS:
        case = Case.objects.get(partnership=hnt, client_key=uuid.uuid5(NAMESPACE, key))
        followup = followup_services.create_followup(
            partnership=hnt,
            title=title,
            by=None,
            origin="decision",
            origin_group=case.council.short_name,
            source=case,
            source_label=f"{case.council.short_name} · sak {case.number}",
            source_url=reverse("councils:case", args=[hnt.slug, case.pk]),
            responsible_organisation=(
                Organisation.objects.get(municipality_number=kommune) if kommune else hf
            ),
            deadline=today + datetime.timedelta(days=days),
            client_key=uuid.uuid5(NAMESPACE, "followup-" + key),
        )
        if followup.status == "planned" and status != "planned":
            followup_services.change_status(
                followup, status, by=people["sara"], expected_version=followup.version
            )
            followup.refresh_from_db()
        if progress and followup.progress != progress and followup.status == "in_progress":
            followup_services.add_log_entry(
                followup, by=people["sara"], text="Status rapportert i møte.", progress=progress
            )
