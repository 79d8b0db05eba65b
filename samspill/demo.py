"""Build the whole demo: every app's part, in dependency order."""

from __future__ import annotations

from accounts.models import User


def build_all() -> dict[str, User]:
    from councils.demo import build_councils_demo
    from notifications.services import quiet
    from partnerships.demo import build_demo
    from representation.demo import build_representation_demo

    # Nobody is e-mailed about the demo's invented year of meetings.
    with quiet():
        people = build_demo()
        build_councils_demo(people)
        build_representation_demo()
        from agreements.demo import build_agreements_demo

        # HNT's agreements, guidelines and særavtale; St. Olav gets one
        # agreement (see the module).
        build_agreements_demo(people)
        from routines.demo import build_routines_demo

        # HNT's samhandlingsrutiner under the guidelines (see the module).
        build_routines_demo(people)
        from transfers.demo import build_transfers_demo

        # HNT's task transfers: one agreed by ASU, one moved without agreement,
        # two on their way.
        build_transfers_demo(people)
        from plans.demo import build_plans_demo

        # HNT's action plan: goals in every priority group, measures with
        # progress reports, some overdue.
        build_plans_demo(people)
        from indicators.demo import build_indicators_demo

        # Five years of invented indicator values ("Demotall") for HNT.
        build_indicators_demo()
        from deviations.demo import build_deviations_demo

        build_deviations_demo()
        from crisis.demo import build_crisis_demo

        build_crisis_demo()
        from annual.demo import build_annual_demo

        # The latest annual report ASU has adopted, and this year's draft.
        build_annual_demo(people)
        from national.demo import build_national_demo

        # HNT and St. Olav in the national comparison, with an imported file.
        build_national_demo(people)
    return people
