"""Test helper: a version adopted the way the secretariat does it — the
owner council's case, a held meeting, its decision — without the pages."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from agreements import services
from agreements.models import AgreementVersion
from councils import services as council_services
from councils.models import Council, Decision, Meeting, Treatment


def decided(version: AgreementVersion, by: Any) -> Decision:
    """The owner council (ASU when the agreement has none) decided on the
    version's case in a meeting held yesterday."""
    agreement = version.agreement
    if agreement.owner_id is None:
        agreement.owner = Council.objects.get(partnership=agreement.partnership, slug="asu")
        agreement.save(update_fields=["owner"])
        version.agreement = agreement
    assert agreement.owner is not None
    meeting = council_services.plan_meeting(
        agreement.owner, starts_at=timezone.now() + datetime.timedelta(days=7)
    )
    case, created = services.prepare_case(version, by=by, meeting=meeting)
    if not created:  # made before, without a meeting
        council_services.add_to_agenda(meeting, case, Treatment.Kind.DECISION)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    treatment = Treatment.objects.select_related("meeting").get(meeting=meeting, case=case)
    return council_services.record_decision(
        treatment, adopted_as_recommended=True, adopted_text="", by=by
    )


def adopted(version: AgreementVersion, by: Any) -> AgreementVersion:
    """The version moved on to adopted, with its council's decision."""
    decision = decided(version, by)
    version.refresh_from_db()
    return services.move_on(
        version, version.version, AgreementVersion.Status.ADOPTED, decision=decision
    )
