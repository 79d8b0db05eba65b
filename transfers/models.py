"""Task transfer (oppgaveoverføring): a change of who does what between the
parties, valid only when they agree.

"Ingen av partene kan alene definere hva som er kommunens eller
helseforetakets ansvar." A party proposes moving a task (what, from whom to
whom, for which patients, from when) with its consequence assessment; the
parties answer in a consultation round and write their own assessments; the
council (ASU, or PSU) decides in a case; an agreed transfer links to the
agreement version that now describes it. A task that moved *without*
agreement is registered by a party and becomes a case for the council too.
Where each kind may go next is one table: ``transfers.services.TRANSITIONS``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from core.models import VersionedModel
from partnerships.models import Organisation, Partnership


class TaskTransfer(VersionedModel):
    """A proposed task transfer, or one registered as made without agreement."""

    names_are_own_text = True  # core.services.history_for marks them

    class Kind(models.TextChoices):
        PROPOSAL = "proposal", _("Proposal")
        UNAGREED = "unagreed", _("Moved without agreement")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Proposed")
        CONSULTATION = "consultation", _("On consultation")
        REGISTERED = "registered", _("Registered")
        FOR_DECISION = "for_decision", _("For the council's decision")
        AGREED = "agreed", _("Agreed")
        REJECTED = "rejected", _("Rejected")
        HANDLED = "handled", _("Handled by the council")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # The facts are changed only before the parties are asked or the council
    # has the case; the parties' assessments until the case is made.
    EDITABLE = {Status.DRAFT, Status.REGISTERED}
    ASSESSABLE = {Status.DRAFT, Status.CONSULTATION, Status.REGISTERED}
    CLOSED = {Status.AGREED, Status.REJECTED, Status.HANDLED, Status.WITHDRAWN}

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="task_transfers"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    title = models.CharField(_("title"), max_length=300)
    task = models.TextField(_("the task that moves"))
    from_party = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("party handing the task over"),
    )
    to_party = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("party taking the task over"),
    )
    patients = models.TextField(_("which patients"))
    # A proposal: from when the task is to move; unagreed: since when it has.
    from_date = models.DateField(_("date of the transfer"))
    proposing_party = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed or registered by"),
    )
    consultation = models.ForeignKey(
        "agreements.Consultation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="task_transfers",
        verbose_name=_("consultation"),
    )
    case = models.ForeignKey(
        "councils.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="task_transfers",
        verbose_name=_("council case"),
    )
    decision = models.ForeignKey(
        "councils.Decision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="task_transfers",
        verbose_name=_("the council's decision"),
    )
    # The version of the agreement that now describes an agreed transfer.
    agreement_version = models.ForeignKey(
        "agreements.AgreementVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="task_transfers",
        verbose_name=_("described in agreement version"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    client_key = models.UUIDField(null=True, blank=True, editable=False, unique=True)

    class Meta:
        verbose_name = _("task transfer")
        verbose_name_plural = _("task transfers")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_party=models.F("to_party")),
                name="transfer_between_two_parties",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_assessable(self) -> bool:
        return self.status in self.ASSESSABLE

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED


# The six headings of a consequence assessment, in the order they are shown.
ASPECTS: list[tuple[str, StrOrPromise]] = [
    ("economy", _("Economy")),
    ("personnel_and_competence", _("Personnel and competence")),
    ("capacity", _("Capacity")),
    ("patient_safety", _("Patient safety")),
    ("legal_basis", _("Legal basis")),
    ("ict", _("ICT")),
]


class ConsequenceAssessment(VersionedModel):
    """One affected party's assessment of what the transfer means for it."""

    transfer = models.ForeignKey(TaskTransfer, on_delete=models.CASCADE, related_name="assessments")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("party")
    )
    economy = models.TextField(_("economy"), blank=True)
    personnel_and_competence = models.TextField(_("personnel and competence"), blank=True)
    capacity = models.TextField(_("capacity"), blank=True)
    patient_safety = models.TextField(_("patient safety"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    ict = models.TextField(_("ICT"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    updated = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("consequence assessment")
        verbose_name_plural = _("consequence assessments")
        ordering = ["transfer", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["transfer", "organisation"], name="uniq_assessment_per_party"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.transfer}"

    def texts(self) -> list[tuple[str, StrOrPromise, str]]:
        """(field name, heading, text) for each of the six headings."""
        return [(name, label, getattr(self, name)) for name, label in ASPECTS]
