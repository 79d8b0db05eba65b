"""The demo partnerships: Helsefellesskap Nord-Trøndelag and, to make
isolation real, St. Olavs hospital's partnership (Værnesregionen is in both).

Everything is labelled demo data. Names of people are invented; phone
numbers, organisation numbers and population figures are made up (the
organisation numbers pass the mod-11 check but are not the real ones).
:func:`build_demo` is idempotent: running it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils.text import slugify

from accounts.models import User
from partnerships.models import (
    Contact,
    HospitalArea,
    Membership,
    Organisation,
    Participation,
    Partnership,
    PartnershipRole,
    Population,
    Region,
)
from partnerships.validators import ORG_NUMBER_WEIGHTS

DEMO_PASSWORD = "demo-samspill-2026"  # noqa: S105 - printed on purpose for the demo
POPULATION_SOURCE = "Demotall (oppdiktet, nær SSB-nivå)"
K = Organisation.Kind

# (region, hospital area, [(kommune, kommunenummer, inhabitants 2026)])
HNT_REGIONS: list[tuple[str, str, list[tuple[str, str, int]]]] = [
    (
        "Værnesregionen",
        "Levanger",
        [("Stjørdal", "5035", 24_850), ("Meråker", "5034", 2_420), ("Frosta", "5036", 2_690)],
    ),
    ("Innherred", "Levanger", [("Levanger", "5037", 20_560), ("Verdal", "5038", 15_120)]),
    (
        "Inn-Trøndelag",
        "Levanger",
        [("Steinkjer", "5006", 24_310), ("Inderøy", "5053", 6_830), ("Snåsa", "5041", 2_010)],
    ),
    (
        "Midtre Namdal",
        "Namsos",
        [
            ("Namsos", "5007", 15_290),
            ("Overhalla", "5047", 3_910),
            ("Flatanger", "5049", 1_090),
            ("Osen", "5020", 940),
        ],
    ),
    (
        "Indre Namdal",
        "Namsos",
        [
            ("Grong", "5045", 2_330),
            ("Høylandet", "5046", 1_210),
            ("Lierne", "5042", 1_310),
            ("Namsskogan", "5044", 850),
            ("Røyrvik", "5043", 470),
        ],
    ),
    ("Ytre Namdal", "Namsos", [("Nærøysund", "5060", 9_790), ("Leka", "5052", 560)]),
]
STOLAV_REGIONS: list[tuple[str, str, list[tuple[str, str, int]]]] = [
    (
        "Værnesregionen",
        "St. Olavs hospital",
        [
            ("Stjørdal", "5035", 24_850),
            ("Meråker", "5034", 2_420),
            ("Frosta", "5036", 2_690),
            ("Selbu", "5032", 4_190),
            ("Tydal", "5033", 780),
        ],
    ),
    (
        "Trondheimsregionen",
        "St. Olavs hospital",
        [
            ("Trondheim", "5001", 214_300),
            ("Malvik", "5031", 14_830),
            ("Melhus", "5028", 17_020),
            ("Skaun", "5029", 8_510),
        ],
    ),
    ("Orkdalsregionen", "St. Olavs hospital", [("Orkland", "5059", 18_940)]),
]
OBSERVERS = [
    ("Statsforvalteren i Trøndelag", K.STATSFORVALTER, "99100010"),
    ("Trøndelag fylkeskommune", K.FYLKESKOMMUNE, "99100020"),
    ("KS Trøndelag", K.KS, "99100030"),
    ("Fastlegerepresentant (demo)", K.OTHER_OBSERVER, ""),
    ("Brukerrepresentant (demo)", K.OTHER_OBSERVER, ""),
]

HNT_ABOUT = (
    "Helsefellesskap Nord-Trøndelag er samarbeidet mellom kommunene i nordre Trøndelag og "
    "Helse Nord-Trøndelag HF. Partene planlegger og utvikler tjenestene sammen, som "
    "likeverdige partnere. (Demodata.)"
)
STOLAV_ABOUT = (
    "Helsefellesskapet mellom kommunene i St. Olavs hospitals opptaksområde og St. Olavs "
    "hospital HF. (Demodata, brukt for å vise at partnerskap holdes adskilt.)"
)


@dataclass
class DemoPerson:
    key: str
    full_name: str
    email: str
    description: str


PEOPLE = [
    DemoPerson("sara", "Sara Sekretær", "sara@hnt.example", "sekretariatet, HNT (krever 2FA)"),
    DemoPerson("ada", "Ada Administrator", "ada@hnt.example", "administrator, HNT (krever 2FA)"),
    DemoPerson("lena", "Lena Koordinator", "lena@levanger.example", "koordinator, Levanger"),
    DemoPerson("nils", "Nils Koordinator", "nils@namsos.example", "koordinator, Namsos"),
    DemoPerson("hanne", "Hanne Leder", "hanne@hnt-hf.example", "leder, Helse Nord-Trøndelag HF"),
    DemoPerson(
        "stine",
        "Stine Observatør",
        "stine@statsforvalteren.example",
        "observatør, Statsforvalteren i Trøndelag",
    ),
    DemoPerson(
        "kai",
        "Kai Tobeint",
        "kai@frosta.example",
        "koordinator i Frosta, vanlig medlem i Verdal (to roller i ett helsefellesskap)",
    ),
    DemoPerson(
        "siri",
        "Siri Koordinator",
        "siri@stjordal.example",
        "koordinator, Stjørdal (i begge helsefellesskap)",
    ),
    DemoPerson(
        "tor",
        "Tor Koordinator",
        "tor@trondheim.example",
        "koordinator, Trondheim (bare St. Olavs helsefellesskap)",
    ),
    DemoPerson(
        "petter",
        "Petter Sekretær",
        "petter@stolav.example",
        "sekretariatet, St. Olavs helsefellesskap (krever 2FA)",
    ),
]


def demo_organisation_number(base: str) -> str:
    """A nine-digit number with a valid mod-11 check digit, derived from ``base``."""
    number = int(base)
    while True:
        digits = f"{number:08d}"
        remainder = sum(int(d) * w for d, w in zip(digits, ORG_NUMBER_WEIGHTS, strict=True)) % 11
        check = 0 if remainder == 0 else 11 - remainder
        if check != 10:
            return digits + str(check)
        number += 1


def _ensure(model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    """get_or_create that updates only fields that differ, so a second run
    writes nothing (and the audit log stays quiet)."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return model._default_manager.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
    return obj


def _kommune(name: str, number: str) -> Organisation:
    return _ensure(
        Organisation,
        {"municipality_number": number},
        {
            "kind": K.KOMMUNE,
            "name": f"{name} kommune",
            "organisation_number": demo_organisation_number("9" + number + "000"),
            "is_demo": True,
        },
    )


def _contact(org: Organisation, unit: str, phone: str, email: str, address: str) -> None:
    if not Contact.objects.filter(organisation=org).exists():
        Contact.objects.create(
            organisation=org,
            unit_name=unit,
            phone=phone,
            email=email,
            address=address,
            opening_hours="Hverdager 08–15",
        )


def _build_partnership(
    slug: str,
    name: str,
    about: str,
    secretariat_email: str,
    trust: Organisation,
    regions: list[tuple[str, str, list[tuple[str, str, int]]]],
    observers: list[Organisation],
) -> Partnership:
    partnership = _ensure(
        Partnership,
        {"slug": slug},
        {
            "name": name,
            "about": about,
            "secretariat_email": secretariat_email,
            "secretariat_phone": "74 00 00 00",
            "secretariat_address": "Postboks 0, 0000 Demoby",
            "is_demo": True,
        },
    )
    _ensure(
        Participation,
        {"partnership": partnership, "organisation": trust, "valid_from": None},
        {"role": Participation.Role.PARTY, "region": None},
    )
    area_names = list(dict.fromkeys(area for _r, area, _k in regions))
    areas = {
        area: _ensure(HospitalArea, {"partnership": partnership, "name": area}, {"position": i})
        for i, area in enumerate(area_names)
    }
    for position, (region_name, area, kommuner) in enumerate(regions):
        region = _ensure(
            Region,
            {"partnership": partnership, "name": region_name},
            {"hospital_area": areas[area], "position": position},
        )
        for kommune_name, number, inhabitants in kommuner:
            org = _kommune(kommune_name, number)
            _ensure(
                Participation,
                {"partnership": partnership, "organisation": org, "valid_from": None},
                {"role": Participation.Role.PARTY, "region": region},
            )
            for year, figure in ((2025, round(inhabitants * 0.995)), (2026, inhabitants)):
                _ensure(
                    Population,
                    {"organisation": org, "year": year},
                    {"inhabitants": figure, "source": POPULATION_SOURCE, "is_demo": True},
                )
            _contact(
                org,
                "Koordinerende enhet",
                f"74 00 {number[:2]} {number[2:]}",
                f"koordinerende.enhet@{mail_domain(kommune_name)}.example",
                f"Rådhuset, {kommune_name}",
            )
    for observer in observers:
        _ensure(
            Participation,
            {"partnership": partnership, "organisation": observer, "valid_from": None},
            {"role": Participation.Role.OBSERVER, "region": None},
        )
    return partnership


def _person(person: DemoPerson) -> User:
    user = User.objects.filter(email=person.email).first()
    if user is None:
        user = User.objects.create_user(
            email=person.email, password=DEMO_PASSWORD, full_name=person.full_name
        )
    return user


def _member(user: User, org: Organisation, role: str) -> None:
    if not Membership.objects.current().filter(user=user, organisation=org).exists():
        Membership.objects.create(user=user, organisation=org, role=role)


def _partnership_role(user: User, partnership: Partnership, role: str) -> None:
    if (
        not PartnershipRole.objects.current()
        .filter(user=user, partnership=partnership, role=role)
        .exists()
    ):
        PartnershipRole.objects.create(user=user, partnership=partnership, role=role)


def mail_domain(name: str) -> str:
    """A name as the kommuner write it in their addresses: æ, ø, å as ae, o,
    a (meraker, not meråker), spaces and other marks as hyphens."""
    folded = name.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    return slugify(folded)


@transaction.atomic
def build_demo() -> dict[str, User]:
    """Build both demo partnerships and the named people; return them by key."""
    hnt_hf = _ensure(
        Organisation,
        {"name": "Helse Nord-Trøndelag HF"},
        {
            "kind": K.HELSEFORETAK,
            "organisation_number": demo_organisation_number("98300000"),
            "is_demo": True,
        },
    )
    _contact(
        hnt_hf,
        "Koordinerende enhet, Helse Nord-Trøndelag",
        "74 09 00 00",
        "koordinerende.enhet@hnt-hf.example",
        "Sykehuset Levanger, Levanger",
    )
    stolav_hf = _ensure(
        Organisation,
        {"name": "St. Olavs hospital HF"},
        {
            "kind": K.HELSEFORETAK,
            "organisation_number": demo_organisation_number("98300100"),
            "is_demo": True,
        },
    )
    _contact(
        stolav_hf,
        "Koordinerende enhet, St. Olavs hospital",
        "72 00 00 00",
        "koordinerende.enhet@stolav.example",
        "St. Olavs hospital, Trondheim",
    )
    observers = [
        _ensure(
            Organisation,
            {"name": name},
            {
                "kind": kind,
                "organisation_number": demo_organisation_number(base) if base else "",
                "is_demo": True,
            },
        )
        for name, kind, base in OBSERVERS
    ]
    hnt = _build_partnership(
        "hnt",
        "Helsefellesskap Nord-Trøndelag",
        HNT_ABOUT,
        "sekretariat@hnt.example",
        hnt_hf,
        HNT_REGIONS,
        observers,
    )
    stolav = _build_partnership(
        "stolav",
        "Helsefellesskapet St. Olavs hospital",
        STOLAV_ABOUT,
        "sekretariat@stolav.example",
        stolav_hf,
        STOLAV_REGIONS,
        [o for o in observers if o.kind in (K.STATSFORVALTER, K.KS)],
    )
    people = {p.key: _person(p) for p in PEOPLE}
    by_number = {o.municipality_number: o for o in Organisation.objects.filter(kind=K.KOMMUNE)}
    _partnership_role(people["sara"], hnt, PartnershipRole.Role.SECRETARIAT)
    _partnership_role(people["ada"], hnt, PartnershipRole.Role.ADMINISTRATOR)
    _partnership_role(people["petter"], stolav, PartnershipRole.Role.SECRETARIAT)
    _member(people["sara"], hnt_hf, Membership.Role.MEMBER)
    _member(people["lena"], by_number["5037"], Membership.Role.COORDINATOR)
    _member(people["nils"], by_number["5007"], Membership.Role.COORDINATOR)
    _member(people["hanne"], hnt_hf, Membership.Role.LEADER)
    _member(people["stine"], observers[0], Membership.Role.MEMBER)
    _member(people["siri"], by_number["5035"], Membership.Role.COORDINATOR)
    # Two roles in two parties of one partnership: coordinator for Frosta, a
    # plain member of Verdal. Capabilities are per party, so Kai acts for
    # Frosta only.
    _member(people["kai"], by_number["5036"], Membership.Role.COORDINATOR)
    _member(people["kai"], by_number["5038"], Membership.Role.MEMBER)
    _member(people["tor"], by_number["5001"], Membership.Role.COORDINATOR)
    _member(people["petter"], stolav_hf, Membership.Role.MEMBER)
    return people
