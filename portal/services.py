"""What the public pages show, computed with a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Prefetch

from partnerships.models import (
    HospitalArea,
    Organisation,
    Participation,
    Partnership,
    Population,
    Region,
)


@dataclass
class RegionView:
    region: Region
    participations: list[Participation] = field(default_factory=list)

    @property
    def inhabitants(self) -> int:
        return sum(getattr(p, "inhabitants", None) or 0 for p in self.participations)


@dataclass
class Structure:
    areas: list[tuple[HospitalArea | None, list[RegionView]]]
    hospital_trusts: list[Participation]
    observers: list[Participation]
    other_parties: list[Participation]
    population_year: int | None
    population_is_demo: bool

    @property
    def total_inhabitants(self) -> int:
        return sum(r.inhabitants for _area, regions in self.areas for r in regions)

    @property
    def kommune_count(self) -> int:
        return sum(len(r.participations) for _area, regions in self.areas for r in regions)

    @property
    def region_count(self) -> int:
        return sum(len(regions) for _area, regions in self.areas)


def partnership_structure(partnership: Partnership) -> Structure:
    """Parties by hospital area and region, with the latest population.

    Four queries whatever the size: participations (with organisation,
    region and contact), regions, hospital areas, and the latest population
    year's figures.
    """
    participations = list(
        Participation.objects.current()
        .filter(partnership=partnership)
        .select_related("organisation", "organisation__contact", "region")
        .order_by("organisation__name")
    )
    regions = list(Region.objects.filter(partnership=partnership).select_related("hospital_area"))
    areas = list(HospitalArea.objects.filter(partnership=partnership))
    kommune_ids = [
        p.organisation_id
        for p in participations
        if p.organisation.kind == Organisation.Kind.KOMMUNE
    ]
    latest = (
        Population.objects.filter(organisation_id__in=kommune_ids)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    figures: dict[int, Population] = {}
    if latest is not None:
        figures = {
            p.organisation_id: p
            for p in Population.objects.filter(organisation_id__in=kommune_ids, year=latest)
        }
    by_region: dict[int, RegionView] = {r.pk: RegionView(r) for r in regions}
    trusts, observers, others = [], [], []
    for participation in participations:
        population = figures.get(participation.organisation_id)
        participation.inhabitants = population.inhabitants if population else None  # type: ignore[attr-defined]
        if participation.role == Participation.Role.OBSERVER:
            observers.append(participation)
        elif participation.organisation.kind == Organisation.Kind.HELSEFORETAK:
            trusts.append(participation)
        elif participation.region_id in by_region:
            by_region[participation.region_id].participations.append(participation)
        else:
            others.append(participation)
    grouped: list[tuple[HospitalArea | None, list[RegionView]]] = []
    for area in areas:
        grouped.append(
            (area, [v for v in by_region.values() if v.region.hospital_area_id == area.pk])
        )
    loose = [v for v in by_region.values() if v.region.hospital_area_id is None]
    if loose:
        grouped.append((None, loose))
    return Structure(
        areas=grouped,
        hospital_trusts=trusts,
        observers=observers,
        other_parties=others,
        population_year=latest,
        population_is_demo=any(p.is_demo for p in figures.values()),
    )


def partnerships_with_parties() -> list[Partnership]:
    """The landing page's list (two queries)."""
    return list(
        Partnership.objects.prefetch_related(
            Prefetch(
                "participations",
                queryset=Participation.objects.current()
                .filter(role=Participation.Role.PARTY)
                .select_related("organisation"),
                to_attr="current_parties",
            )
        )
    )


# --- The accessibility statement and the privacy notice -------------------------------


def secretariats(partnership: Partnership | None) -> list[Partnership]:
    """Whom to write to: the partnership's secretariat, or (on the pages that
    belong to no partnership) every partnership's, in one query."""
    if partnership is not None:
        return [partnership]
    return list(Partnership.objects.order_by("name"))


def known_deviations() -> list[tuple[str, str]]:
    """The statement's known deviations (``SAMSPILL_ACCESSIBILITY_DEVIATIONS``)
    in the reader's language, with the idle timeout filled in."""
    minutes = str(settings.SESSION_COOKIE_AGE // 60)
    return [
        (criteria, str(text).replace("%(minutes)d", minutes))
        for criteria, text in settings.SAMSPILL_ACCESSIBILITY_DEVIATIONS
    ]


def retention_periods() -> dict[str, int]:
    """How long Samspill keeps what, for the privacy notice: the settings the
    retention rules apply (core/retention.py), in days unless said otherwise."""
    return {
        "left_people_days": settings.SAMSPILL_RETAIN_LEFT_PEOPLE_DAYS,
        "audit_days": settings.SAMSPILL_RETAIN_AUDIT_DAYS,
        "closed_deviations_days": settings.SAMSPILL_RETAIN_CLOSED_DEVIATIONS_DAYS,
        "crisis_reports_days": settings.SAMSPILL_RETAIN_CRISIS_REPORTS_DAYS,
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
        "failed_login_minutes": settings.LOGIN_COOLOFF_MINUTES,
    }


def data_protection_officer() -> tuple[str, str]:
    """The setting as (text, e-mail address in it or "")."""
    text = settings.SAMSPILL_DATA_PROTECTION_OFFICER
    for word in text.replace(",", " ").replace(";", " ").split():
        candidate = word.strip("<>()")
        try:
            validate_email(candidate)
        except ValidationError:
            continue
        return text, candidate
    return text, ""
