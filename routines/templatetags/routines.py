"""The routines under an agreement, for the agreement's public page.

``agreements/public/agreement.html`` includes
``routines/public/_for_agreement.html``, which asks this tag for what it
shows, so the agreements app needs no code of its own for it (and knows
nothing of routines). One query, however many routines.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from agreements.models import Agreement, Clause
from routines import publication

register = template.Library()


@register.simple_tag
def routines_under(agreement: Agreement, clauses: Iterable[Clause] = ()) -> list[publication.Entry]:
    """The routines in force under ``agreement``, each with the clause it
    names among ``clauses`` (those the page shows)."""
    return publication.under_agreement(agreement, clauses)
