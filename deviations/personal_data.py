"""Deviations the person reported or handled, messages they wrote and API
tokens they issued, for the person's download (see
:mod:`core.personal_data`). Four queries, each with the parties joined in.

Of a deviation the person reported, the texts they wrote are included; of
one they handled, only its number, parties and dates (the answer is the
party's)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.personal_data import Section, source, when
from deviations.models import Deviation, DeviationMessage, OrganisationToken


def _deviation(d: Deviation) -> dict[str, Any]:
    return {
        "number": d.number,
        "partnership": d.partnership.name,
        "status": str(d.get_status_display()),
        "reporting_party": d.reporting_organisation.name,
        "receiving_party": d.receiving_organisation.name,
        "occurred": when(d.occurred_at),
        "submitted": when(d.submitted_at),
        "closed": when(d.closed_at),
    }


@source
def deviations(user: Any) -> Iterator[Section]:
    parties = ("partnership", "reporting_organisation", "receiving_organisation")
    reported = (
        Deviation.objects.filter(reported_by=user)
        .select_related(*parties)
        .order_by("created", "pk")
    )
    yield Section(
        "deviations.reported",
        _("Deviations you reported"),
        [
            {
                **_deviation(d),
                "what_happened": d.description,
                "immediate_measures": d.immediate_measures,
                "suggested_improvement": d.suggested_improvement,
                "reference_in_own_system": d.external_reference,
            }
            for d in reported
        ],
        _("The free texts of a closed deviation are removed after the retention period."),
    )
    handled = (
        Deviation.objects.filter(assigned_to=user)
        .select_related(*parties)
        .order_by("created", "pk")
    )
    yield Section(
        "deviations.handled",
        _("Deviations you were named to handle"),
        [{**_deviation(d), "unit": d.assigned_unit} for d in handled],
    )
    messages = (
        DeviationMessage.objects.filter(author=user)
        .select_related("deviation", "organisation")
        .order_by("created", "pk")
    )
    yield Section(
        "deviations.messages",
        _("Your messages on deviations"),
        [
            {
                "deviation": m.deviation.number,
                "for_party": m.organisation.name if m.organisation else "",
                "text": m.text,
                "written": when(m.created),
            }
            for m in messages
        ],
    )
    tokens = (
        OrganisationToken.objects.filter(created_by=user)
        .select_related("organisation")
        .order_by("created", "pk")
    )
    yield Section(
        "deviations.api_tokens",
        _("API keys you issued"),
        [
            {
                "party": t.organisation.name,
                "name": t.name,
                "issued": when(t.created),
                "last_used": when(t.last_used_on),
                "revoked": when(t.revoked_at),
            }
            for t in tokens
        ],
        _("A key itself is stored only as a hash, which is not included."),
    )
