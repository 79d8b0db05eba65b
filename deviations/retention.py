"""Deviations' retention rule (see :mod:`core.retention`): the free texts of
closed deviations.

A deviation holds no patient identity, but its texts tell what happened to
a patient at a handover, and with a date, a unit and a small kommune they may
point at one; the reference to the party's own system (Synergi) is the link
to the patient there. Once a deviation has been closed for
``SAMSPILL_RETAIN_CLOSED_DEVIATIONS_DAYS``, its lessons are in the quarterly
reports and the measures taken, and the texts go: what happened, the
immediate measures, the suggested improvement, the external reference, the
answer (cause and measures) and the dialogue between the parties, here and
in the audit trail's copies of them.

The row stays — with its number, parties, dates, category, guideline, § 6-2
point, consequence and who reported and handled it — because statistics
(and the public ones) count closed deviations, and a case in a council or a
follow-up may point at it. The dialogue's messages are deleted outright
(nothing points at them), without new audit entries that would copy their
text again.
"""

from __future__ import annotations

from auditlog.context import disable_auditlog
from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from core.retention import Context, forget_audited_fields, rule
from deviations.models import Deviation, DeviationMessage

FREE_TEXT_FIELDS = (
    "description",
    "immediate_measures",
    "suggested_improvement",
    "external_reference",
    "answer_cause",
    "answer_measures",
)


@rule(
    "deviations.closed_texts",
    "The free texts and the dialogue of closed deviations are removed; the figures stay "
    "for the statistics.",
    setting="SAMSPILL_RETAIN_CLOSED_DEVIATIONS_DAYS",
)
def closed_deviation_texts(context: Context) -> int:
    cutoff = context.cutoff(settings.SAMSPILL_RETAIN_CLOSED_DEVIATIONS_DAYS)
    has_text = Q(Exists(DeviationMessage.objects.filter(deviation=OuterRef("pk"))))
    for name in FREE_TEXT_FIELDS:
        has_text |= ~Q(**{name: ""})
    due = Deviation.objects.filter(status=Deviation.Status.CLOSED, closed_at__lt=cutoff).filter(
        has_text
    )
    count = due.count()
    if context.dry_run or not count:
        return count
    # The rows as a subquery, however many they are. The audit trail's copies
    # go first, while the rows still hold the text that picks them.
    chosen = Deviation.objects.filter(pk__in=due.values("pk"))
    messages = DeviationMessage.objects.filter(deviation__in=due.values("pk"))
    forget_audited_fields(chosen, FREE_TEXT_FIELDS)
    forget_audited_fields(messages, ["text"])
    # A queryset update sends no signals: no audit entry repeats the old text.
    chosen.update(**dict.fromkeys(FREE_TEXT_FIELDS, ""))
    with disable_auditlog():
        DeviationMessage.objects.filter(
            deviation__status=Deviation.Status.CLOSED, deviation__closed_at__lt=cutoff
        ).delete()
    return count
