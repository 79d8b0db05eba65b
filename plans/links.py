"""What a measure concerns, as a page may show it: council cases and
decisions, follow-ups, agreements, and the indicators it is to move with
their figures beside it.

The public sees only what is public elsewhere: cases on a published
agenda, the decisions of those cases, agreements with a public version,
and indicator figures after the rule for small numbers; follow-ups are
internal. Insiders see every link; an exempt case by its public title
unless they may see exempt items. A fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agreements.models import Agreement, AgreementVersion
from councils.models import Case, Decision
from councils.public_views import public_cases
from followups.models import FollowUp
from indicators import figures, own
from indicators.models import Indicator
from plans.models import Measure
from portal.services import partnership_structure


@dataclass
class MeasureLinks:
    cases: list[tuple[Case, str]] = field(default_factory=list)
    decisions: list[tuple[Decision, str]] = field(default_factory=list)
    followups: list[FollowUp] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    indicators: list[figures.IndicatorTable] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.cases, self.decisions, self.followups, self.agreements, self.indicators))


def measure_links(measure: Measure, *, public: bool, restricted: bool = False) -> MeasureLinks:
    """``restricted``: the reader may see exempt cases by their real title."""
    partnership = measure.goal.plan.partnership
    cases = Case.objects.filter(plan_measures=measure).order_by("year", "sequence")
    decisions = (
        Decision.objects.filter(plan_measures=measure)
        .select_related("treatment__case", "treatment__meeting__council")
        .order_by("pk")
    )
    agreements = Agreement.objects.filter(plan_measures=measure)
    if public:
        shown = public_cases(partnership).values("pk")
        cases = cases.filter(pk__in=shown)
        decisions = decisions.filter(treatment__case__in=shown)
        agreements = agreements.filter(versions__status__in=AgreementVersion.PUBLIC).distinct()

    def title(case: Case) -> str:
        return case.title if restricted else case.title_for_public

    links = MeasureLinks(
        cases=[(case, title(case)) for case in cases],
        decisions=[
            (d, title(d.treatment.case) if d.treatment.case else str(d.treatment))
            for d in decisions
        ],
        followups=[]
        if public
        else list(FollowUp.objects.filter(plan_measures=measure).order_by("deadline", "pk")),
        agreements=list(agreements),
    )
    indicators = own.shown_indicators(
        partnership, list(Indicator.objects.filter(plan_measures=measure)), public=public
    )
    if indicators:
        structure = partnership_structure(partnership)
        loaded = figures.load(partnership, indicators, structure)
        links.indicators = [
            figures.indicator_table(
                partnership, indicator, public=public, structure=structure, loaded=loaded
            )
            for indicator in indicators
        ]
    return links


def context(measure: Measure, *, public: bool, access: Any = None) -> dict[str, Any]:
    from partnerships.capabilities import Capability

    restricted = bool(access and access.can(Capability.VIEW_RESTRICTED))
    return {"links": measure_links(measure, public=public, restricted=restricted)}
