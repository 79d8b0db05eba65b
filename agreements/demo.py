"""The demo partnerships' agreements, with every party's ratification.

Helsefellesskap Nord-Trøndelag (HNT):

- Three levels, all ratified by the parties: "Samarbeidsavtale",
  "Retningslinjer" (in HNT the guidelines are adopted with the agreement) and
  "Særavtaler".
- The samarbeidsavtale in three versions: "2017" (twelve guidelines,
  replaced), "2021" (six guidelines, in force from 1 July 2021) and a revision
  adopted by PSU and now being ratified. The revision came into force on the
  first day of a month 14–44 days before the demo was built and is labelled
  with that year; it was drafted 160 days and sent to the parties 60 days
  before the build (``sent_to_parties_on``). The trust and eleven
  kommuner have adopted it (those that adopted after the in-force date are
  bound from their own meeting), one kommune rejected it and seven are
  pending — so on the day the demo is built some parties are bound by the
  revision and the others still by 2021. A clause keeps its key across
  versions: the revision changes three clauses, adds one on children and
  young people with complex needs and drops the transition clause of 2021.
- The six guidelines of 2021, each with a version in force and clauses
  tagged with the § 6-2 points they cover. With the samarbeidsavtale's
  clauses they cover points 1–12; point 13 (added to the law in 2022) is the
  one gap until the revision, which covers it, is in force.
- The 2021 ratifications (spring 2021): the trust and seventeen kommuner
  adopted it, Snåsa "med den endring at …"; Leka's ended in a dispute
  mediated by Statsforvalteren, so Leka stayed bound by 2017 ("gjelder inntil
  videre" — the 2017 version has no end date) until it adopted the revision,
  a few days before the build. The guidelines' ratifications mirror the
  agreement's, except that Snåsa's change concerns the agreement only and
  Leka's dispute the agreement and guideline 1 only.
- A særavtale on shared KAD beds for the five kommuner of Indre Namdal and
  the trust (a joint measure: employer, organisation, financing), giving way
  to the samarbeidsavtale on conflict.

St. Olavs hospital's partnership gets one samarbeidsavtale in force adopted
by all its parties: enough to show that partnerships are kept apart.

The revision went on consultation (høring) 150 days before the build; eight
parties answered, one a week late and one against it, with comments on two
clauses; the others were reminded. PSU adopted it in its last meeting
before it went to the parties: the case and decision are linked to the
version (``case``, ``adopted_by``); the earlier versions have no case in
Samspill.

Everything is invented and labelled demo data. :func:`build_agreements_demo`
is idempotent: a partnership that has agreements gets nothing added.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from agreements import services
from agreements.models import (
    Agreement,
    AgreementLevel,
    AgreementVersion,
    Clause,
    ClauseComment,
    ClauseCoverage,
    Consultation,
    ConsultationAnswer,
    ConsultationParty,
    JointMeasure,
    Ratification,
)
from core import richtext
from councils.models import Council
from partnerships.models import Organisation, Partnership

D = datetime.date
Status = AgreementVersion.Status
Outcome = Ratification.Outcome
Body = Ratification.Body
Position = ConsultationAnswer.Position

HF = "HF"  # the trust, in the tables keyed by kommunenummer
SNASA, LEKA, FLATANGER = "5041", "5052", "5049"
INDRE_NAMDAL = ["5045", "5046", "5042", "5044", "5043"]

# A clause: (key, heading, text (plain text or the editor's HTML), § 6-2 points).
ClauseRow = tuple[str, str, str, list[int]]

LEVELS = [
    (
        "Samarbeidsavtale",
        "Den overordnede avtalen mellom hver kommune og helseforetaket. Den vedtas av "
        "kommunestyrene og styret i helseforetaket. (Demodata.)",
    ),
    (
        "Retningslinjer",
        "Seks retningslinjer utdyper avtalen område for område. I Helsefellesskap "
        "Nord-Trøndelag vedtas retningslinjene sammen med avtalen. (Demodata.)",
    ),
    (
        "Særavtaler",
        "Avtaler for et smalere område eller for noen av partene. Ved motstrid går "
        "samarbeidsavtalen foran. (Demodata.)",
    ),
]

OLD_GUIDELINES = [
    "Ansvars- og oppgavefordeling",
    "Innleggelse i sykehus",
    "Utskrivningsklare pasienter",
    "Kommunalt døgntilbud for øyeblikkelig hjelp",
    "Habilitering, rehabilitering og lærings- og mestringstilbud",
    "Kunnskapsoverføring og informasjonsutveksling",
    "Forskning, utdanning og praksis",
    "Jordmortjenester",
    "IKT-løsninger",
    "Forebygging",
    "Beredskap og akuttmedisinsk kjede",
    "Psykisk helse og rus",
]
GUIDELINE_TITLES = [
    "Pasientsamarbeid",
    "Kunnskapsoverføring, forskning og utdanning",
    "Svangerskap, fødsel og barsel",
    "Digital samhandling",
    "Helsefremmende og forebyggende arbeid",
    "Beredskap og akuttmedisinsk kjede",
]


def _list(items: list[str]) -> str:
    return "<ol>" + "".join(f"<li><p>{item}</p></li>" for item in items) + "</ol>"


PARTIES_TEXT = (
    "Avtalen er inngått mellom hver av kommunene i Helsefellesskap Nord-Trøndelag og "
    "Helse Nord-Trøndelag HF. Avtalen er lik for alle partene.\n\n"
    "Avtaleteksten er oppdiktet demodata."
)
PURPOSE_TEXT = (
    "Avtalen skal bidra til at pasienter og brukere får helhetlige og sammenhengende "
    "tjenester. Partene samarbeider som likeverdige parter og legger pasientens behov "
    "til grunn for samhandlingen."
)
TASKS_TEXT = (
    "Kommunene har ansvar for helse- og omsorgstjenester etter helse- og "
    "omsorgstjenesteloven, helseforetaket for spesialisthelsetjenester. Partene skal ha "
    "en felles forståelse av hvem som gjør hva i pasientforløpene.\n\n"
    "Retningslinjene beskriver fordelingen for hvert område. Der de ikke gir svar, "
    "avklares ansvaret i ASU."
)
DEVIATIONS_TEXT = (
    "Brudd på avtalen eller retningslinjene i overgangen mellom partene meldes som "
    "samhandlingsavvik til den andre parten. Mottakeren svarer innen fristen, og "
    "sekretariatet rapporterer utviklingen til ASU hvert halvår. Avviksmeldingene skal "
    "ikke inneholde pasientens identitet."
)
DISPUTES_TEXT = (
    "Uenighet om forståelsen av avtalen søkes først løst mellom de berørte partene, "
    "deretter i ASU og PSU. Partene kan be Statsforvalteren i Trøndelag om å mekle.\n\n"
    "Fører ikke dette fram, kan hver av partene bringe saken inn for den nasjonale "
    "nemnda for løsning av tvister etter helse- og omsorgstjenesteloven § 6-6."
)

OVERARCHING_2017: list[ClauseRow] = [
    ("parter", "Parter", PARTIES_TEXT, []),
    ("formal", "Formål", PURPOSE_TEXT, []),
    (
        "lovgrunnlag",
        "Lovgrunnlag og avtalestruktur",
        "<p>Avtalen bygger på helse- og omsorgstjenesteloven §§ 6-1 og 6-2 og "
        "spesialisthelsetjenesteloven § 2-1 e. Tolv retningslinjer utdyper de områdene "
        "loven krever at avtalen omfatter:</p>" + _list(OLD_GUIDELINES),
        list(range(1, 13)),
    ),
    ("ansvar", "Oppgave- og ansvarsfordeling", TASKS_TEXT, [1]),
    (
        "samarbeidsstruktur",
        "Samarbeidsorganer",
        "Overordnet samarbeidsorgan (OSO) med representanter for kommunene og "
        "helseforetaket følger opp avtalen. Under OSO arbeider faglige samarbeidsutvalg "
        "for de enkelte retningslinjene.",
        [12],
    ),
    ("avvik", "Avvik og forbedring", DEVIATIONS_TEXT, []),
    ("tvister", "Uenighet og tvisteløsning", DISPUTES_TEXT, []),
    (
        "varighet",
        "Varighet, revisjon og oppsigelse",
        "Avtalen gjelder fra 1. juli 2017 og gjelder inntil videre. Den revideres hvert "
        "fjerde år eller når en av partene ber om det. Oppsigelsesfristen er ett år.",
        [],
    ),
]

ORGANISATION_2021 = (
    "<p>Helsefellesskapet har tre nivåer:</p>"
    "<ul><li><p>Politisk samarbeidsutvalg (PSU) gir retning for samarbeidet og vedtar "
    "avtalen før den sendes partene.</p></li>"
    "<li><p>Administrativt samarbeidsutvalg (ASU) følger opp avtalen og handlingsplanen "
    "og forbereder saker for PSU.</p></li>"
    "<li><p>Fagråd for de prioriterte pasientgruppene gir faglige råd til ASU.</p></li></ul>"
    "<p>Et felles sekretariat forbereder møtene og følger opp vedtakene.</p>"
)
OVERARCHING_2021: list[ClauseRow] = [
    ("parter", "Parter", PARTIES_TEXT, []),
    (
        "formal",
        "Formål",
        PURPOSE_TEXT + " Avtalen er grunnlaget for arbeidet i helsefellesskapet.",
        [],
    ),
    (
        "lovgrunnlag",
        "Lovgrunnlag og avtalestruktur",
        "<p>Avtalen bygger på helse- og omsorgstjenesteloven §§ 6-1 og 6-2 og "
        "spesialisthelsetjenesteloven § 2-1 e. Fra 2021 er de tolv retningslinjene fra "
        "2017 slått sammen til seks:</p>" + _list(GUIDELINE_TITLES),
        [],
    ),
    ("ansvar", "Oppgave- og ansvarsfordeling", TASKS_TEXT, [1]),
    ("samarbeidsstruktur", "Helsefellesskapets organisering", ORGANISATION_2021, [12]),
    (
        "felles-planlegging",
        "Felles planlegging og tjenesteutvikling",
        "Partene utarbeider en felles handlingsplan for samhandling med tiltak for de "
        "prioriterte pasientgruppene: barn og unge, personer med alvorlige psykiske "
        "lidelser og rusmiddelproblemer, personer med flere kroniske lidelser og "
        "skrøpelige eldre.\n\n"
        "Handlingsplanen er en del av helseforetakets utviklingsplan og tas inn i "
        "kommunenes planer.",
        [12],
    ),
    (
        "oppgaveoverforing",
        "Endringer som berører den andre parten",
        "Ingen av partene kan alene definere hva som er kommunens eller helseforetakets "
        "ansvar. En part som vil endre sin praksis på en måte som flytter oppgaver til den "
        "andre parten, legger forslaget fram for ASU med en vurdering av konsekvensene for "
        "økonomi, kompetanse og kapasitet.",
        [1],
    ),
    ("avvik", "Samhandlingsavvik", DEVIATIONS_TEXT, []),
    (
        "overgang",
        "Overgang fra retningslinjene fra 2017",
        "Samhandlingsrutiner under de tolv retningslinjene fra 2017 gjelder til de er "
        "erstattet av rutiner under de nye retningslinjene, senest 31. desember 2022.",
        [],
    ),
    ("tvister", "Uenighet og tvisteløsning", DISPUTES_TEXT, []),
    (
        "varighet",
        "Varighet, revisjon og oppsigelse",
        "Avtalen gjelder fra 1. juli 2021 og gjelder inntil videre. Den revideres minst "
        "hvert fjerde år. Oppsigelsesfristen er ett år.\n\n"
        "Avtalen og retningslinjene publiseres på helsefellesskapets nettsider, og "
        "lenken sendes Helsedirektoratet (helse- og omsorgstjenesteloven § 6-4).",
        [],
    ),
]


def _revision_clauses(in_force_from: datetime.date) -> list[ClauseRow]:
    """The revision: three clauses changed, one added (children and young
    people, § 6-2 point 13), the transition clause of 2021 dropped; the others
    as in 2021, under the same keys."""
    as_in_2021 = {row[0]: row for row in OVERARCHING_2021}
    return [
        as_in_2021["parter"],
        as_in_2021["formal"],
        (
            "lovgrunnlag",
            "Lovgrunnlag og avtalestruktur",
            "<p>Avtalen bygger på helse- og omsorgstjenesteloven §§ 6-1 og 6-2 og "
            "spesialisthelsetjenesteloven § 2-1 e, med endringen fra 2022 om samarbeid om "
            "barn og unge med sammensatte behov. Seks retningslinjer utdyper avtalen:</p>"
            + _list(GUIDELINE_TITLES),
            [],
        ),
        as_in_2021["ansvar"],
        (
            "samarbeidsstruktur",
            "Helsefellesskapets organisering",
            ORGANISATION_2021.replace(
                "gir faglige råd til ASU.",
                "gir faglige råd til ASU. Fra denne avtalen har også barn og unge sitt "
                "eget fagråd.",
            ),
            [12],
        ),
        as_in_2021["felles-planlegging"],
        (
            "barn-og-unge",
            "Barn og unge med sammensatte behov",
            "Partene samarbeider om barn og unge med behov for tjenester fra begge nivåer "
            "over tid. Barnet og familien skal ha én kontaktperson i kommunen og vite hvem "
            "som koordinerer tjenestene i helseforetaket.\n\n"
            "Partene lager felles forløp for de største gruppene og melder avvik i "
            "overgangene som andre samhandlingsavvik.",
            [13],
        ),
        as_in_2021["oppgaveoverforing"],
        as_in_2021["avvik"],
        as_in_2021["tvister"],
        (
            "varighet",
            "Varighet, revisjon og oppsigelse",
            f"Avtalen gjelder fra {_nb_date(in_force_from)} for de partene som har vedtatt "
            "den, og for de andre fra den dagen de vedtar den. Til da gjelder avtalen fra "
            "2021 inntil videre. Avtalen revideres minst hvert fjerde år. "
            "Oppsigelsesfristen er ett år.\n\n"
            "Avtalen og retningslinjene publiseres på helsefellesskapets nettsider, og "
            "lenken sendes Helsedirektoratet (helse- og omsorgstjenesteloven § 6-4).",
            [],
        ),
    ]


GUIDELINES: list[list[ClauseRow]] = [
    [
        (
            "innleggelse",
            "Innleggelse i sykehus",
            "Den som legger inn pasienten, sender innleggelsesskriv med oppdatert "
            "legemiddelliste og opplysninger om funksjon og tjenester i kommunen. Ved "
            "øyeblikkelig hjelp varsles mottaket på telefon.",
            [3],
        ),
        (
            "utskrivning",
            "Utskrivning",
            "Utskrivning planlegges fra innleggelsen. Kommunen varsles før pasienten reiser, "
            "og epikrise og sykepleiesammenfatning sendes senest samme dag. Ingen skrives ut "
            "etter kl. 18 uten at det er avtalt med kommunen.",
            [2],
        ),
        (
            "utskrivningsklare",
            "Utskrivningsklare pasienter",
            "Sykehuset melder til kommunen når pasienten er utskrivningsklar. Kommunen "
            "svarer samme dag om den kan ta imot pasienten. Kan den ikke det, betaler "
            "kommunen den nasjonale døgnprisen fra dagen etter.",
            [5],
        ),
        (
            "kad",
            "Kommunalt døgntilbud for øyeblikkelig hjelp",
            "Kommunene har døgnplasser for øyeblikkelig hjelp (KAD) for pasienter som ellers "
            "ville blitt lagt inn i sykehus. Lege vurderer pasienten før innleggelse, og "
            "sykehuset gir råd på telefon hele døgnet.",
            [4],
        ),
        (
            "habilitering",
            "Habilitering, rehabilitering og lærings- og mestringstilbud",
            "Partene avklarer tidlig i forløpet hvem som har ansvar for habilitering og "
            "rehabilitering. Koordinerende enhet hos hver part er kontaktpunkt. Lærings- og "
            "mestringstilbud planlegges sammen og gjøres kjent for pasienter og pårørende.",
            [2],
        ),
    ],
    [
        (
            "kunnskapsoverforing",
            "Kunnskapsoverføring og faglige nettverk",
            "Partene deler kunnskap gjennom faglige nettverk, felles fagdager og veiledning. "
            "Helseforetaket gir råd og veiledning til kommunene i enkeltsaker og på "
            "systemnivå.",
            [6],
        ),
        (
            "hospitering",
            "Hospitering",
            "Ansatte hos den ene parten kan hospitere hos den andre. Hospiteringen avtales "
            "mellom lederne, og hver part dekker lønn til egne ansatte.",
            [6],
        ),
        (
            "forskning",
            "Forskning og innovasjon",
            "Partene tar initiativ til felles forsknings- og innovasjonsprosjekter om "
            "samhandling og inviterer hverandre med tidlig. Resultatene deles i "
            "helsefellesskapet.",
            [7],
        ),
        (
            "utdanning",
            "Utdanning, praksis og læretid",
            "Partene samarbeider om praksisplasser for studenter og lærlinger og om "
            "rekruttering til fag der det er mangel på kompetanse.",
            [7],
        ),
    ],
    [
        (
            "svangerskap",
            "Svangerskapsomsorg",
            "Kommunen har ansvar for svangerskapsomsorgen etter nasjonal retningslinje. "
            "Helseforetaket tar imot henvisninger ved risiko og gir råd til jordmor i "
            "kommunen.",
            [8],
        ),
        (
            "folgetjeneste",
            "Fødsel og følgetjeneste",
            "Fødende med lang reisevei til fødeavdelingen skal ha tilbud om følge av jordmor. "
            "Følgetjenesten er organisert som en felles vaktordning for Namdalen.",
            [8],
        ),
        (
            "barsel",
            "Barselomsorg og hjemmebesøk",
            "Fødeavdelingen varsler kommunen når mor og barn reiser hjem. Jordmor i kommunen "
            "tilbyr hjemmebesøk innen tre døgn, og helsestasjonen følger opp videre.",
            [8],
        ),
    ],
    [
        (
            "meldingsutveksling",
            "Elektronisk meldingsutveksling",
            "Partene bruker standardiserte elektroniske meldinger for henvisning, "
            "innleggelse, epikrise og meldinger om utskrivningsklare pasienter. Papir og "
            "telefaks brukes ikke.",
            [9],
        ),
        (
            "felles-losninger",
            "Felles løsninger og videomøter",
            "Partene bruker kjernejournal og pasientens legemiddelliste og tilbyr videomøter "
            "ved utskrivning og i felles veiledning.",
            [9],
        ),
        (
            "forvaltning",
            "Endringer, drift og varsling",
            "Endringer i IKT-løsninger som berører den andre parten, varsles i god tid. "
            "Driftsavbrudd meldes straks, og partene har felles rutiner for reserveløsninger.",
            [9],
        ),
    ],
    [
        (
            "folkehelse",
            "Felles folkehelsearbeid",
            "Partene deler kunnskap om helsetilstanden i befolkningen og bruker den i "
            "planleggingen. Helseforetaket bidrar med tall og analyser til kommunenes "
            "folkehelseoversikter.",
            [10],
        ),
        (
            "forebygging",
            "Forebygging i pasientforløpene",
            "Forebygging er en del av alle pasientforløp: levevaner, fallforebygging og "
            "ernæring vurderes ved innleggelse og følges opp etter utskrivning.",
            [10],
        ),
        (
            "mestring",
            "Lærings- og mestringstilbud",
            "Partene har en felles oversikt over lærings- og mestringstilbud og henviser "
            "til hverandres tilbud.",
            [2, 10],
        ),
    ],
    [
        (
            "beredskapsplaner",
            "Beredskapsplaner",
            "Partenes beredskapsplaner skal henge sammen. Planene gjennomgås årlig i ASU, og "
            "endringer som berører den andre parten, varsles.",
            [11],
        ),
        (
            "akuttmedisinsk-kjede",
            "Akuttmedisinsk kjede",
            "Legevakt, ambulanse, AMK-sentralen og akuttmottakene utgjør én kjede. Partene "
            "har felles rutiner for varsling og samband.",
            [11],
        ),
        (
            "ovelser",
            "Øvelser",
            "Partene øver sammen minst annethvert år, og erfaringene følges opp i ASU.",
            [11],
        ),
        (
            "forsyning",
            "Legemidler og smittevernutstyr i krise",
            "I en krise deler partene oversikt over lager av legemidler og smittevernutstyr "
            "og hjelper hverandre når lageret er lavt.",
            [11],
        ),
    ],
]
MIDWIFE_MEASURE = (
    "folgetjeneste",
    "Felles jordmorvakt for følgetjenesten i Namdalen",
    "Helse Nord-Trøndelag HF (Sykehuset Namsos)",
    "Jordmødrene er ansatt ved fødeavdelingen i Namsos og har hjemmevakt etter en felles "
    "turnus. Kommunene i Midtre, Indre og Ytre Namdal ber om følge gjennom AMK.",
    "Helseforetaket dekker halvparten av kostnadene. Kommunene dekker den andre halvparten, "
    "fordelt etter innbyggertall.",
)

SPECIAL_CLAUSES: list[ClauseRow] = [
    (
        "parter",
        "Parter",
        "Avtalen er inngått mellom Grong, Høylandet, Lierne, Namsskogan og Røyrvik kommuner "
        "og Helse Nord-Trøndelag HF.\n\nAvtaleteksten er oppdiktet demodata.",
        [],
    ),
    (
        "formal",
        "Formål og forholdet til samarbeidsavtalen",
        "Avtalen gjelder felles døgnplasser for øyeblikkelig hjelp (KAD) i Indre Namdal. "
        "Ved motstrid går samarbeidsavtalen og retningslinje 1 foran.",
        [],
    ),
    (
        "organisering",
        "Organisering",
        "Fire døgnplasser ved helsetunet i Grong er felles for kommunene. Legevaktlegen "
        "vurderer pasienten før innleggelse, og Sykehuset Namsos gir råd hele døgnet.",
        [4],
    ),
    (
        "okonomi",
        "Økonomi og rapportering",
        "Grong kommune fører regnskap for plassene og rapporterer belegg og kostnader til "
        "kommunene hvert kvartal.",
        [],
    ),
]
KAD_MEASURE = (
    "organisering",
    "Felles KAD-plasser i Indre Namdal",
    "Grong kommune (vertskommune)",
    "Plassene driftes av Grong kommune som vertskommune. De fem kommunene har hver en "
    "representant i et driftsutvalg som møtes to ganger i året.",
    "Kommunene deler kostnadene etter innbyggertall. Helseforetaket dekker opplæring og "
    "veiledning fra Sykehuset Namsos.",
)

# The revision's ratifications: kommunenummer (or HF) → (outcome, days from the
# build day to the meeting; None: no meeting set yet).
REVISION_OUTCOMES: dict[str, tuple[str, int | None]] = {
    HF: (Outcome.ADOPTED, -52),
    "5037": (Outcome.ADOPTED, -45),  # Levanger
    "5038": (Outcome.ADOPTED, -44),  # Verdal
    "5006": (Outcome.ADOPTED, -38),  # Steinkjer
    "5035": (Outcome.ADOPTED, -31),  # Stjørdal
    "5053": (Outcome.ADOPTED, -30),  # Inderøy
    "5007": (Outcome.ADOPTED, -24),  # Namsos
    "5047": (Outcome.ADOPTED, -23),  # Overhalla
    "5045": (Outcome.ADOPTED, -17),  # Grong
    "5060": (Outcome.ADOPTED, -16),  # Nærøysund
    SNASA: (Outcome.ADOPTED, -10),
    LEKA: (Outcome.ADOPTED, -3),
    FLATANGER: (Outcome.REJECTED, -17),
    "5034": (Outcome.PENDING, 8),  # Meråker
    "5036": (Outcome.PENDING, 15),  # Frosta
    "5046": (Outcome.PENDING, 22),  # Høylandet
    "5043": (Outcome.PENDING, 8),  # Røyrvik
    "5020": (Outcome.PENDING, None),  # Osen
    "5042": (Outcome.PENDING, None),  # Lierne
    "5044": (Outcome.PENDING, None),  # Namsskogan
}
DRAFTED_DAYS = 160
SENT_TO_PARTIES_DAYS = 60

SNASA_CHANGES = (
    "Med den endring at punkt 4 Oppgave- og ansvarsfordeling også skal sikre at pasienter med "
    "sørsamisk som førstespråk får tilbud om tolk ved innleggelse og utskrivning."
)
LEKA_DISPUTE = (
    "Kommunen krever at helseforetaket dekker transport ved utskrivning til øykommunen "
    "utenom ordinære ferjeavganger. Saken er til mekling hos Statsforvalteren i Trøndelag."
)

NB_MONTHS = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
]


def _nb_date(day: datetime.date) -> str:
    return f"{day.day}. {NB_MONTHS[day.month - 1]} {day.year}"


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, hour, tzinfo=ZoneInfo(settings.TIME_ZONE)
    )


def _parties(agreement: Agreement) -> list[Organisation]:
    """The parties the agreement binds, the trust first, then the kommuner
    by kommunenummer."""
    return sorted(
        services.parties_of(agreement),
        key=lambda o: (o.kind != Organisation.Kind.HELSEFORETAK, o.municipality_number),
    )


def _key(organisation: Organisation) -> str:
    return (
        HF
        if organisation.kind == Organisation.Kind.HELSEFORETAK
        else organisation.municipality_number
    )


def _version(
    agreement: Agreement,
    label: str,
    status: str,
    clauses: list[ClauseRow],
    *,
    summary: str,
    in_force_from: datetime.date,
    created: datetime.date,
    sent_to_parties_on: datetime.date,
    sent_to_directorate_on: datetime.date | None = None,
    previous: AgreementVersion | None = None,
    by: User | None = None,
) -> AgreementVersion:
    version = AgreementVersion.objects.create(
        agreement=agreement,
        label=label,
        status=status,
        summary=summary,
        in_force_from=in_force_from,
        sent_to_parties_on=sent_to_parties_on,
        sent_to_directorate_on=sent_to_directorate_on,
        previous=previous,
        created=_at(created),
        created_by=by,
    )
    for position, (key, heading, text, points) in enumerate(clauses):
        # Clause.save stores the text as sanitised HTML, plain text as paragraphs.
        clause = Clause.objects.create(
            agreement_version=version,
            number=str(position + 1),
            heading=heading,
            text=text,
            position=position,
            key=key,
        )
        ClauseCoverage.objects.bulk_create(ClauseCoverage(clause=clause, point=p) for p in points)
    return version


def _joint_measure(version: AgreementVersion, measure: tuple[str, str, str, str, str]) -> None:
    key, name, employer, organisation, financing = measure
    JointMeasure.objects.create(
        clause=version.clauses.get(key=key),
        name=name,
        employer=employer,
        organisation=organisation,
        financing=financing,
    )


def _ratify(
    version: AgreementVersion,
    party: Organisation,
    outcome: str,
    day: datetime.date | None,
    number: int,
    *,
    changes: str = "",
    effective_from: datetime.date | None = None,
    recorded: datetime.date,
    by: User | None,
) -> Ratification:
    """One party's handling: the trust's board or the kommunestyre, with an
    invented case number ("PS 45/21") when a meeting is set."""
    year = f"{day.year % 100:02d}" if day else ""
    if party.kind == Organisation.Kind.HELSEFORETAK:
        body, name, case = Body.BOARD, f"Styret i {party.name}", f"Styresak {number}/{year}"
    else:
        body, name, case = (
            Body.MUNICIPAL_COUNCIL,
            f"Kommunestyret i {party.name}",
            f"PS {number}/{year}",
        )
    return Ratification.objects.create(
        agreement_version=version,
        organisation=party,
        body=body,
        body_name=name,
        case_number=case if day else "",
        meeting_date=day,
        outcome=outcome,
        changes=changes,
        effective_from=effective_from,
        recorded_by=by,
        recorded_at=_at(recorded),
    )


def _case_number(index: int) -> int:
    return 12 + (index * 17) % 70


@transaction.atomic
def build_agreements_demo(people: dict[str, User]) -> int:
    """Build the demo partnerships' agreements; return how many agreements
    were created (none once they exist)."""
    created = 0
    hnt = Partnership.objects.get(slug="hnt")
    if not Agreement.objects.filter(partnership=hnt).exists():
        created += _build_hnt(hnt, people.get("sara"))
    stolav = Partnership.objects.get(slug="stolav")
    if not Agreement.objects.filter(partnership=stolav).exists():
        created += _build_stolav(stolav, people.get("petter"))
    return created


def _build_hnt(hnt: Partnership, sara: User | None) -> int:
    today = timezone.localdate()
    levels = [
        AgreementLevel.objects.create(
            partnership=hnt, name=name, description=description, ratified=True, position=i
        )
        for i, (name, description) in enumerate(LEVELS)
    ]
    councils = {c.slug: c for c in Council.objects.filter(partnership=hnt)}
    psu, asu = councils.get("psu"), councils.get("asu")

    overarching = Agreement.objects.create(
        partnership=hnt,
        level=levels[0],
        title="Samarbeidsavtale mellom kommunene og Helse Nord-Trøndelag HF",
        slug="samarbeidsavtale",
        owner=psu,
        position=0,
    )
    parties = _parties(overarching)
    v2017 = _version(
        overarching,
        "2017",
        Status.REPLACED,
        OVERARCHING_2017,
        summary="Avtale med tolv retningslinjer. (Demodata.)",
        in_force_from=D(2017, 7, 1),
        created=D(2016, 11, 1),
        sent_to_parties_on=D(2017, 2, 20),
        sent_to_directorate_on=D(2017, 9, 12),
        by=sara,
    )
    v2021 = _version(
        overarching,
        "2021",
        Status.IN_FORCE,
        OVERARCHING_2021,
        summary=(
            "Ny avtale for helsefellesskapet. Retningslinjene er redusert fra 12 til 6, og "
            "avtalen beskriver PSU, ASU og fagrådene. (Demodata.)"
        ),
        in_force_from=D(2021, 7, 1),
        created=D(2020, 11, 2),
        sent_to_parties_on=D(2021, 2, 22),
        sent_to_directorate_on=D(2021, 9, 15),
        previous=v2017,
        by=sara,
    )
    # The revision: in force from the first of a month 14–44 days back.
    in_force_from = (today - datetime.timedelta(days=14)).replace(day=1)
    sent = today - datetime.timedelta(days=SENT_TO_PARTIES_DAYS)
    revision = _version(
        overarching,
        str(in_force_from.year),
        Status.RATIFICATION,
        _revision_clauses(in_force_from),
        summary=(
            "Revidert avtale vedtatt av PSU og sendt partene til behandling. Nytt punkt om "
            "barn og unge med sammensatte behov (§ 6-2 nr. 13), nytt fagråd for barn og unge, "
            "og overgangsbestemmelsen fra 2021 er tatt ut. (Demodata.)"
        ),
        in_force_from=in_force_from,
        created=today - datetime.timedelta(days=DRAFTED_DAYS),
        sent_to_parties_on=sent,
        previous=v2021,
        by=sara,
    )

    guidelines: list[AgreementVersion] = []
    for number, (title, clauses) in enumerate(zip(GUIDELINE_TITLES, GUIDELINES, strict=True), 1):
        guideline = Agreement.objects.create(
            partnership=hnt,
            level=levels[1],
            number=str(number),
            title=title,
            slug=f"retningslinje-{number}",
            owner=asu,
            position=number,
        )
        guidelines.append(
            _version(
                guideline,
                "2021",
                Status.IN_FORCE,
                clauses,
                summary=(
                    "En av seks retningslinjer som erstattet de tolv fra 2017, vedtatt "
                    "sammen med samarbeidsavtalen. (Demodata.)"
                ),
                in_force_from=D(2021, 7, 1),
                created=D(2020, 11, 2),
                sent_to_parties_on=D(2021, 2, 22),
                sent_to_directorate_on=D(2021, 9, 15),
                by=sara,
            )
        )
    _joint_measure(guidelines[2], MIDWIFE_MEASURE)

    special = Agreement.objects.create(
        partnership=hnt,
        level=levels[2],
        title="Særavtale om felles KAD-plasser i Indre Namdal",
        slug="saeravtale-kad-indre-namdal",
        all_parties=False,
        yields_to=overarching,
        owner=asu,
        position=0,
    )
    special_parties = [p for p in parties if _key(p) in [HF, *INDRE_NAMDAL]]
    special.parties.set(special_parties)
    special_version = _version(
        special,
        "2022",
        Status.IN_FORCE,
        SPECIAL_CLAUSES,
        summary="Felles døgnplasser for øyeblikkelig hjelp for fem kommuner. (Demodata.)",
        in_force_from=D(2022, 1, 1),
        created=D(2021, 6, 1),
        sent_to_parties_on=D(2021, 9, 20),
        sent_to_directorate_on=D(2022, 2, 1),
        by=sara,
    )
    _joint_measure(special_version, KAD_MEASURE)

    _ratify_until_2022(parties, v2017, v2021, guidelines, special_version, sara)
    _consult_on_revision(parties, revision, today, sara)
    if psu is not None:
        _adopt_revision(psu, revision, today, sara)
    _ratify_revision(parties, revision, today, sara)
    return 2 + len(guidelines)


# The revision's consultation: kommunenummer (or HF) → (position, text, a
# comment on the clause with this key or None). The others did not answer.
CONSULTATION_ANSWERS: dict[str, tuple[str, str, tuple[str, str] | None]] = {
    HF: (
        Position.SUPPORTS,
        "Helse Nord-Trøndelag HF støtter forslaget. (Demodata.)",
        None,
    ),
    "5037": (
        Position.SUPPORTS_WITH_COMMENTS,
        "Levanger kommune støtter forslaget, med én merknad. (Demodata.)",
        (
            "barn-og-unge",
            "Fagrådet for barn og unge bør ha med en representant for "
            "skolehelsetjenesten. (Demodata.)",
        ),
    ),
    "5038": (Position.SUPPORTS, "Verdal kommune støtter forslaget. (Demodata.)", None),
    "5006": (
        Position.SUPPORTS_WITH_COMMENTS,
        "Steinkjer kommune støtter forslaget. (Demodata.)",
        (
            "ansvar",
            "Punktet bør si tydeligere at oppgaveoverføring alltid skal avtales. (Demodata.)",
        ),
    ),
    FLATANGER: (
        Position.OBJECTS,
        "Flatanger kommune mener at revisjonen flytter oppgaver til kommunene uten at "
        "økonomien er avklart. (Demodata.)",
        ("ansvar", "Vi kan ikke slutte oss til punktet før konsekvensene er utredet. (Demodata.)"),
    ),
    SNASA: (Position.NO_COMMENT, "", None),
    "5007": (Position.SUPPORTS, "Namsos kommune støtter forslaget. (Demodata.)", None),
    "5035": (Position.SUPPORTS, "Stjørdal kommune støtter forslaget. (Demodata.)", None),
}


def _consult_on_revision(
    parties: list[Organisation], revision: AgreementVersion, today: datetime.date, by: User | None
) -> None:
    """The revision was on consultation for six weeks from 150 days before
    the build; eight parties answered (one of them late), the others were
    reminded; the round closed when PSU adopted it."""
    opened = today - datetime.timedelta(days=150)
    consultation = Consultation.objects.create(
        partnership=revision.agreement.partnership,
        agreement_version=revision,
        title=f"{revision.agreement} ({revision.label})",
        message=(
            "Forslag til revidert samarbeidsavtale sendes partene på høring. Vi ber om partenes "
            "syn på forslaget, og gjerne merknader punkt for punkt. (Demodata.)"
        ),
        deadline=opened + datetime.timedelta(days=42),
        opened_at=_at(opened),
        opened_by=by,
        closed_at=_at(today - datetime.timedelta(days=SENT_TO_PARTIES_DAYS + 5)),
    )
    clauses = {c.key: c for c in revision.clauses.all()}
    answered = {key for key in CONSULTATION_ANSWERS}
    ConsultationParty.objects.bulk_create(
        ConsultationParty(
            consultation=consultation,
            organisation=party,
            reminded_at=None
            if _key(party) in answered
            else _at(opened + datetime.timedelta(days=35)),
        )
        for party in parties
    )
    for index, party in enumerate(p for p in parties if _key(p) in answered):
        position, text, comment = CONSULTATION_ANSWERS[_key(party)]
        # Flatanger answered a week after the deadline, the others before it.
        day = (
            consultation.deadline + datetime.timedelta(days=7)
            if _key(party) == FLATANGER
            else opened + datetime.timedelta(days=20 + index * 2)
        )
        answer = ConsultationAnswer.objects.create(
            consultation=consultation,
            organisation=party,
            position=position,
            text=text,
            answered_at=_at(day),
            read_at=_at(opened + datetime.timedelta(days=51)),
            read_by=by,
        )
        if comment is not None and comment[0] in clauses:
            ClauseComment.objects.create(answer=answer, clause=clauses[comment[0]], text=comment[1])


def _adopt_revision(
    psu: Council, revision: AgreementVersion, today: datetime.date, by: User | None
) -> None:
    """PSU adopted the revision in its last meeting held before it went to
    the parties: a case on that meeting's agenda and its decision, linked to
    the version. (History: the meeting was held before the demo adds the
    case, so the case is put on its agenda directly.)"""
    from councils import services as council_services
    from councils.models import Decision, Meeting, Treatment

    assert revision.sent_to_parties_on is not None
    meeting = (
        Meeting.objects.filter(council=psu, starts_at__lt=_at(revision.sent_to_parties_on, 0))
        .order_by("-starts_at")
        .first()
    )
    if meeting is None:
        return
    case, _created = council_services.create_case(
        council=psu,
        title=f"Vedtak av {revision.agreement}, versjon {revision.label}",
        by=by,
        background=(
            "<p>Forslaget til revidert samarbeidsavtale har vært på høring hos partene. Åtte "
            "parter svarte; én støtter det ikke. Høringssvarene er vurdert punkt for punkt. "
            "(Demodata.)</p>"
        ),
        proposed_decision=(
            f"PSU vedtar {revision.agreement}, versjon {revision.label}, og sender den til "
            "partene for behandling. (Demodata.)"
        ),
        year=timezone.localtime(meeting.starts_at).year,
    )
    last = meeting.treatments.order_by("-position").first()
    treatment = Treatment.objects.create(
        meeting=meeting,
        case=case,
        kind=Treatment.Kind.DECISION,
        position=(last.position if last else 10) + 10,
    )
    decision = Decision.objects.create(
        treatment=treatment,
        recommendation=richtext.text_of(case.proposed_decision),
        adopted_text=richtext.text_of(case.proposed_decision),
        recorded_by=by,
    )
    AgreementVersion.objects.filter(pk=revision.pk).update(case=case, adopted_by=decision)


def _ratify_until_2022(
    parties: list[Organisation],
    v2017: AgreementVersion,
    v2021: AgreementVersion,
    guidelines: list[AgreementVersion],
    special: AgreementVersion,
    by: User | None,
) -> None:
    """2017 and 2021: the trust's board first, then the kommunestyrer three
    days apart, the guidelines with the agreement in the same case; Snåsa's
    change concerns the agreement, Leka's dispute the agreement and
    guideline 1. The særavtale by its parties in the autumn of 2021."""
    bound_by_special = set(special.agreement.parties.values_list("pk", flat=True))
    for index, party in enumerate(parties):
        case = _case_number(index)
        day = D(2017, 3, 16) + datetime.timedelta(days=3 * index)
        _ratify(v2017, party, Outcome.ADOPTED, day, case, recorded=day, by=by)
        day = D(2021, 3, 25) + datetime.timedelta(days=3 * index)
        outcome, changes = {
            SNASA: (Outcome.ADOPTED_WITH_CHANGES, SNASA_CHANGES),
            LEKA: (Outcome.DISPUTE, LEKA_DISPUTE),
        }.get(_key(party), (Outcome.ADOPTED, ""))
        _ratify(v2021, party, outcome, day, case, changes=changes, recorded=day, by=by)
        for number, guideline in enumerate(guidelines, 1):
            disputed = _key(party) == LEKA and number == 1
            _ratify(
                guideline,
                party,
                Outcome.DISPUTE if disputed else Outcome.ADOPTED,
                day,
                case,
                changes=LEKA_DISPUTE if disputed else "",
                recorded=day,
                by=by,
            )
        if party.pk in bound_by_special:
            day = D(2021, 10, 14) + datetime.timedelta(days=3 * index)
            _ratify(special, party, Outcome.ADOPTED, day, case + 5, recorded=day, by=by)


def _ratify_revision(
    parties: list[Organisation], revision: AgreementVersion, today: datetime.date, by: User | None
) -> None:
    """The revision, relative to today (``REVISION_OUTCOMES``). A party that
    adopted it after its in-force date is bound from its own meeting; a
    pending one was recorded when the version was sent to the parties."""
    assert revision.in_force_from is not None and revision.sent_to_parties_on is not None
    for index, party in enumerate(parties):
        outcome, days = REVISION_OUTCOMES.get(_key(party), (Outcome.PENDING, None))
        meeting = today + datetime.timedelta(days=days) if days is not None else None
        decided = meeting is not None and outcome != Outcome.PENDING
        late = outcome == Outcome.ADOPTED and meeting and meeting > revision.in_force_from
        _ratify(
            revision,
            party,
            outcome,
            meeting,
            _case_number(index + 3),
            effective_from=meeting if late else None,
            recorded=meeting + datetime.timedelta(days=1)
            if decided and meeting
            else revision.sent_to_parties_on,
            by=by,
        )


def _build_stolav(stolav: Partnership, petter: User | None) -> int:
    level = AgreementLevel.objects.create(
        partnership=stolav,
        name="Samarbeidsavtale",
        description="Avtalen mellom hver kommune og St. Olavs hospital HF. (Demodata.)",
    )
    agreement = Agreement.objects.create(
        partnership=stolav,
        level=level,
        title="Samarbeidsavtale mellom kommunene og St. Olavs hospital HF",
        slug="samarbeidsavtale",
        owner=Council.objects.filter(partnership=stolav, slug="psu").first(),
    )
    version = _version(
        agreement,
        "2021",
        Status.IN_FORCE,
        [
            (
                "parter",
                "Parter",
                "Avtalen er inngått mellom hver av kommunene i helsefellesskapet og St. Olavs "
                "hospital HF.\n\nAvtaleteksten er oppdiktet demodata.",
                [],
            ),
            ("ansvar", "Oppgave- og ansvarsfordeling", TASKS_TEXT, [1]),
        ],
        summary="Avtale for helsefellesskapet. (Demodata.)",
        in_force_from=D(2021, 9, 1),
        created=D(2021, 1, 15),
        sent_to_parties_on=D(2021, 4, 12),
        sent_to_directorate_on=D(2021, 10, 1),
        by=petter,
    )
    for index, party in enumerate(_parties(agreement)):
        day = D(2021, 5, 6) + datetime.timedelta(days=4 * index)
        _ratify(version, party, Outcome.ADOPTED, day, _case_number(index), recorded=day, by=petter)
    return 1
