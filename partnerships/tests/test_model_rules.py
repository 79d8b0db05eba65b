from __future__ import annotations

from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from core.models import Visibility
from partnerships.access import PartnershipAccess
from partnerships.capabilities import ROLE_CAPABILITIES, Capability, Role
from partnerships.models import (
    Membership,
    Organisation,
    Participation,
    Partnership,
    PartnershipRole,
    Population,
)
from partnerships.validators import (
    is_valid_organisation_number,
    validate_municipality_number,
    validate_partnership_slug,
)
from samspill.demo import build_all


@pytest.mark.parametrize("number", ["974760673", "983974899", "916141467"])
def test_it_accepts_organisation_numbers_with_a_correct_check_digit(number: str) -> None:
    assert is_valid_organisation_number(number)


@pytest.mark.parametrize("number", ["974760674", "98397489", "9839748990", "abcdefghi", ""])
def test_it_rejects_malformed_organisation_numbers(number: str) -> None:
    assert not is_valid_organisation_number(number)


@pytest.mark.parametrize("value", ["503", "50377", "5o37", ""])
def test_it_rejects_malformed_kommunenummer(value: str) -> None:
    with pytest.raises(ValidationError):
        validate_municipality_number(value)


@pytest.mark.django_db
def test_a_kommune_needs_its_kommunenummer() -> None:
    with pytest.raises(ValidationError):
        Organisation(name="X kommune", kind="kommune").full_clean()


@pytest.mark.parametrize("slug", ["api", "konto", "healthz", "static"])
def test_partnerships_cannot_take_reserved_paths(slug: str) -> None:
    with pytest.raises(ValidationError):
        validate_partnership_slug(slug)


def test_the_demo_is_idempotent(people: Any) -> None:
    from councils.models import Appointment, Case, Council, Meeting, Treatment

    models = [
        Partnership,
        Organisation,
        Participation,
        Population,
        Membership,
        PartnershipRole,
        Council,
        Appointment,
        Meeting,
        Case,
        Treatment,
        LogEntry,
    ]
    before = {m.__name__: m.objects.count() for m in models}
    build_all()
    after = {m.__name__: m.objects.count() for m in models}
    assert after == before


def test_the_demo_matches_the_domain(people: Any) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    kommuner = Participation.objects.filter(partnership=hnt, organisation__kind="kommune")
    assert kommuner.values("region").distinct().count() == 6
    assert hnt.hospital_areas.count() == 2
    for org in Organisation.objects.exclude(organisation_number=""):
        assert is_valid_organisation_number(org.organisation_number), org
    # Værnesregionen's kommuner take part in both partnerships.
    stjordal = Organisation.objects.get(municipality_number="5035")
    assert set(stjordal.participations.values_list("partnership__slug", flat=True)) == {
        "hnt",
        "stolav",
    }
    assert all(p.is_demo for p in Population.objects.all())


def test_creating_records_is_audited(people: Any) -> None:
    levanger = Organisation.objects.get(municipality_number="5037")
    entry = LogEntry.objects.get_for_object(levanger).get(action=LogEntry.Action.CREATE)
    assert entry.actor is None  # the seed ran as the system
    assert entry.changes_dict["name"][1] == "Levanger kommune"


def test_roles_map_to_capabilities_in_one_table() -> None:
    assert set(ROLE_CAPABILITIES) == set(Role)
    assert Capability.MANAGE_PEOPLE in ROLE_CAPABILITIES[Role.SECRETARIAT]
    assert Capability.MANAGE_PEOPLE not in ROLE_CAPABILITIES[Role.COORDINATOR]
    # Observers (Statsforvalteren) read the internal pages and the crisis picture.
    assert ROLE_CAPABILITIES[Role.OBSERVER] == {Capability.VIEW_INTERNAL, Capability.VIEW_CRISIS}


VISIBILITY_CASES = [
    # person, visibility, own-org item?, council member?, expected
    ("anon", Visibility.PUBLIC, False, False, True),
    ("anon", Visibility.PARTNERSHIP, False, False, False),
    ("tor", Visibility.PARTNERSHIP, False, False, False),
    ("stine", Visibility.PARTNERSHIP, False, False, True),
    ("lena", Visibility.COUNCIL, False, False, False),
    ("lena", Visibility.COUNCIL, False, True, True),
    ("lena", Visibility.ORGANISATION, True, False, True),
    ("nils", Visibility.ORGANISATION, False, False, False),
    ("sara", Visibility.ORGANISATION, False, False, True),
    ("lena", Visibility.RESTRICTED, True, True, False),
    ("sara", Visibility.RESTRICTED, False, False, True),
]


@pytest.mark.parametrize(("key", "visibility", "own", "council", "expected"), VISIBILITY_CASES)
def test_visibility_levels(
    people: Any, key: str, visibility: str, own: bool, council: bool, expected: bool
) -> None:
    from django.contrib.auth.models import AnonymousUser

    hnt = Partnership.objects.get(slug="hnt")
    user = AnonymousUser() if key == "anon" else getattr(people, key)
    access = PartnershipAccess.for_user(hnt, user)
    verdal = Organisation.objects.get(municipality_number="5038")  # nobody's own here
    org_id = next(iter(access.organisation_ids)) if own else verdal.pk
    assert access.can_see(visibility, organisation_id=org_id, council_member=council) is expected
