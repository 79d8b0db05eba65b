"""The samarbeidsavtale, its guidelines and særavtaler, in versions.

An agreement belongs to a level the partnership defines (Helse Bergen has
four: overordna avtale, tenesteavtalar, særavtalar, retningsliner; HNT one
agreement with six guidelines). Each version is a document of numbered
clauses; a clause says which of the 13 points of helse- og
omsorgstjenesteloven § 6-2 it covers. Each party ratifies each version in
its own body (kommunestyre, the trust's board); which version binds a party
on a given day follows from its ratifications (``agreements.binding``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import richtext
from core.models import VersionedModel
from partnerships.models import Organisation, Partnership


class LegalPoint(models.IntegerChoices):
    """What the agreement must cover at least (helse- og omsorgstjenesteloven
    § 6-2 first paragraph, points 1–13)."""

    TASKS = 1, _("Division of tasks and responsibility between the parties")
    PATHWAYS = (
        2,
        _("Admission, discharge, habilitation, rehabilitation and learning and coping services"),
    )
    ADMISSION = 3, _("Guidelines for admission to hospital")
    EMERGENCY_BEDS = 4, _("The municipal 24-hour emergency inpatient service")
    READY_FOR_DISCHARGE = 5, _("Patients ready for discharge")
    KNOWLEDGE = (
        6,
        _("Transfer of knowledge, exchange of information, professional networks and placements"),
    )
    RESEARCH = 7, _("Research, education, practical training and apprenticeships")
    MIDWIFERY = 8, _("Midwifery services")
    ICT = 9, _("Local ICT solutions")
    PREVENTION = 10, _("Prevention")
    PREPAREDNESS = 11, _("Emergency plans and the acute medical chain")
    PLANNING = 12, _("Joint planning and development of services")
    CHILDREN = 13, _("Children and young people with complex needs")


class AgreementLevel(models.Model):
    """A level of the partnership's agreement structure."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="agreement_levels"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Helse Bergen's retningsliner have "ikkje avtalestatus, men i praksis
    # forpliktande": not ratified by the parties, still followed.
    ratified = models.BooleanField(
        _("ratified by the parties"),
        default=True,
        help_text=_("Untick for documents that bind in practice without being ratified."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("agreement level")
        verbose_name_plural = _("agreement levels")
        ordering = ["partnership", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name"], name="uniq_agreement_level_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Agreement(VersionedModel):
    """The overarching agreement, a guideline or a særavtale."""

    names_are_own_text = True  # core.services.history_for marks them

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="agreements"
    )
    level = models.ForeignKey(
        AgreementLevel, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("level")
    )
    number = models.CharField(_("number"), max_length=20, blank=True)
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("address name"), max_length=60)
    # All the partnership's parties, or only those named (a særavtale).
    all_parties = models.BooleanField(_("binds all parties"), default=True)
    parties = models.ManyToManyField(
        Organisation, blank=True, related_name="agreements", verbose_name=_("parties bound")
    )
    # On conflict, this one gives way to the agreement named here.
    yields_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="yielding",
        verbose_name=_("gives way on conflict to"),
    )
    owner = models.ForeignKey(
        "councils.Council",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("owner council"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["partnership", "level__position", "position", "number", "title"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="uniq_agreement_slug")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class AgreementVersion(VersionedModel):
    """One version of an agreement's text and where it is on its way."""

    names_are_own_text = True  # core.services.history_for marks them

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONSULTATION = "consultation", _("On consultation")
        ADOPTED = "adopted", _("Adopted by the council")
        RATIFICATION = "ratification", _("Being ratified by the parties")
        IN_FORCE = "in_force", _("In force")
        REPLACED = "replaced", _("Replaced")
        EXPIRED = "expired", _("Expired")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    label = models.CharField(_("version"), max_length=60)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    summary = models.TextField(_("what is new"), blank=True)
    in_force_from = models.DateField(_("in force from"), null=True, blank=True)
    # "Gjelder inntil videre": no end date; otherwise the last day.
    in_force_to = models.DateField(_("in force until"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        "councils.Decision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreement_versions",
        verbose_name=_("adopted by decision"),
    )
    # The council case that adopts the version (its decision is adopted_by).
    case = models.ForeignKey(
        "councils.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreement_versions",
        verbose_name=_("council case"),
    )
    # When the parties that had not ratified it were last reminded.
    reminded_at = models.DateTimeField(_("parties reminded"), null=True, blank=True)
    # When the council's adopted version went to the parties for ratification
    # (how long a party's answer has been pending is counted from here).
    sent_to_parties_on = models.DateField(_("sent to the parties on"), null=True, blank=True)
    # § 6-4: the agreements are sent to Helsedirektoratet.
    sent_to_directorate_on = models.DateField(
        _("link sent to Helsedirektoratet"), null=True, blank=True
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_versions",
        verbose_name=_("based on"),
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    # A version that has left the drafting table is not edited: a change is
    # a new version.
    EDITABLE = {Status.DRAFT}
    # Internal until then; published from adoption on.
    PUBLIC = {Status.ADOPTED, Status.RATIFICATION, Status.IN_FORCE, Status.REPLACED, Status.EXPIRED}

    class Meta:
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        ordering = ["agreement", "created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "label"], name="uniq_version_label"),
            models.CheckConstraint(
                condition=models.Q(in_force_to__isnull=True)
                | models.Q(in_force_from__isnull=True)
                | models.Q(in_force_to__gte=models.F("in_force_from")),
                name="version_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} ({self.label})"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC


class Clause(VersionedModel):
    """A numbered part of a version: heading and text (sanitised HTML, the
    same small markup as case papers)."""

    # Not "version": that is the edit counter every VersionedModel has.
    agreement_version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.CASCADE,
        related_name="clauses",
        verbose_name=_("version"),
    )
    number = models.CharField(_("number"), max_length=20, blank=True)
    heading = models.CharField(_("heading"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # The same clause across versions, for the comparison clause by clause.
    key = models.CharField(max_length=40, editable=False)

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["agreement_version", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agreement_version", "key"], name="uniq_clause_key")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.heading}".strip()

    def save(self, **kwargs: Any) -> None:
        # Whatever way it came (the editor, the demo, the admin): stored as
        # sanitised HTML, plain text as paragraphs.
        self.text = richtext.to_html(self.text)
        super().save(**kwargs)


class ClauseCoverage(models.Model):
    """A clause covers one of the 13 points of § 6-2."""

    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="coverage")
    point = models.PositiveSmallIntegerField(_("§ 6-2 point"), choices=LegalPoint.choices)

    class Meta:
        verbose_name = _("§ 6-2 point covered")
        verbose_name_plural = _("§ 6-2 points covered")
        ordering = ["clause", "point"]
        constraints = [
            models.UniqueConstraint(fields=["clause", "point"], name="uniq_clause_point"),
            models.CheckConstraint(
                condition=models.Q(point__gte=1) & models.Q(point__lte=13),
                name="coverage_point_1_to_13",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clause} – § 6-2 ({self.point})"


class JointMeasure(models.Model):
    """§ 6-2 second paragraph: for a joint measure the agreement says who is
    the employer and how it is organised and financed."""

    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="joint_measures")
    name = models.CharField(_("joint measure"), max_length=300)
    employer = models.CharField(_("employer"), max_length=300)
    organisation = models.TextField(_("how it is organised"))
    financing = models.TextField(_("how it is financed"))

    class Meta:
        verbose_name = _("joint measure")
        verbose_name_plural = _("joint measures")
        ordering = ["clause", "pk"]

    def __str__(self) -> str:
        return self.name


class Ratification(VersionedModel):
    """One party's handling of one version in its own body."""

    class Body(models.TextChoices):
        MUNICIPAL_COUNCIL = "kommunestyre", _("Municipal council (kommunestyre)")
        EXECUTIVE_COMMITTEE = "formannskap", _("Executive committee (formannskap)")
        COMMITTEE = "utvalg", _("Committee (utvalg)")
        BOARD = "board", _("The trust's board")
        DIRECTOR = "director", _("Chief executive (delegated)")
        OTHER = "other", _("Other body")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        ADOPTED = "adopted", _("Adopted")
        ADOPTED_WITH_CHANGES = "adopted_with_changes", _("Adopted with changes")
        REJECTED = "rejected", _("Rejected")
        DISPUTE = "dispute", _("In dispute (mediation)")

    # Outcomes after which the version binds the party.
    BINDING = {Outcome.ADOPTED, Outcome.ADOPTED_WITH_CHANGES}

    # Not "version": that is the edit counter every VersionedModel has.
    agreement_version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.CASCADE,
        related_name="ratifications",
        verbose_name=_("version"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="ratifications"
    )
    body = models.CharField(_("body"), max_length=20, choices=Body.choices, blank=True)
    body_name = models.CharField(_("name of the body"), max_length=200, blank=True)
    case_number = models.CharField(_("case number"), max_length=40, blank=True)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=30, choices=Outcome.choices, default=Outcome.PENDING
    )
    changes = models.TextField(_("the party's changes"), blank=True)
    # From when it binds the party; empty: from the version's in-force date.
    effective_from = models.DateField(_("binding for the party from"), null=True, blank=True)
    # The signed record of the body's decision (protocol extract, letter).
    document = models.ForeignKey(
        "Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed document"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("ratification")
        verbose_name_plural = _("ratifications")
        ordering = ["agreement_version", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement_version", "organisation"], name="uniq_ratification_per_party"
            ),
            # "Adopted with changes" says what the changes are.
            models.CheckConstraint(
                condition=~models.Q(outcome="adopted_with_changes") | ~models.Q(changes=""),
                name="ratification_changes_stated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.agreement_version}"


class Termination(models.Model):
    """A party gives notice (oppsigelse) that it leaves an agreement."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="terminations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="agreement_terminations"
    )
    notice_given_on = models.DateField(_("notice given on"))
    # The last day the agreement binds the party (after the notice period).
    ends_on = models.DateField(_("binds until"))
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("termination")
        verbose_name_plural = _("terminations")
        ordering = ["agreement", "ends_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organisation"], name="uniq_termination_per_party"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("notice_given_on")),
                name="termination_ends_after_notice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.agreement}"


def document_path(instance: Document, filename: str) -> str:
    """A stored name that says nothing and cannot collide or climb out of the
    folder: the uploaded name is kept in ``original_name`` only."""
    from councils.attachments import extension_of

    return f"avtaledokumenter/{timezone.now():%Y}/{uuid.uuid4().hex}{extension_of(filename)}"


class Document(models.Model):
    """A file a party sends with its consultation answer, or the signed
    record of its ratification (checked as case attachments are:
    ``councils.attachments``)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Consultation(models.Model):
    """A consultation (høring): a round addressed to each party, open until
    its deadline, answered formally by each party. It is about an agreement
    version (its answers then comment clause by clause) or, for another app
    (task transfers), about whatever that app links to it."""

    names_are_own_text = True  # core.services.history_for marks them

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="consultations"
    )
    agreement_version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name=_("version"),
    )
    title = models.CharField(_("title"), max_length=300)
    message = models.TextField(_("what the parties are asked"))
    deadline = models.DateField(_("answer by"))
    opened_at = models.DateTimeField(_("sent"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    client_key = models.UUIDField(null=True, blank=True, editable=False, unique=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ConsultationParty(models.Model):
    """A party the consultation is addressed to, and when it was reminded."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="addressed"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)

    class Meta:
        ordering = ["consultation", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "organisation"], name="uniq_consultation_party"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultation} – {self.organisation}"


class ConsultationAnswer(VersionedModel):
    """One party's formal answer: its position, what it says in general and
    clause by clause, and a document if it wishes."""

    class Position(models.TextChoices):
        SUPPORTS = "supports", _("Supports the proposal")
        SUPPORTS_WITH_COMMENTS = "comments", _("Supports it, with comments")
        OBJECTS = "objects", _("Does not support the proposal")
        NO_COMMENT = "no_comment", _("No comments")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="answers")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    position = models.CharField(_("the party's position"), max_length=20, choices=Position.choices)
    text = models.TextField(_("the party's answer"), blank=True)
    document = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)
    read_at = models.DateTimeField(_("read by the secretariat"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("consultation answer")
        verbose_name_plural = _("consultation answers")
        ordering = ["consultation", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "organisation"], name="uniq_consultation_answer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.consultation}"


class ClauseComment(models.Model):
    """What a party's answer says about one clause."""

    answer = models.ForeignKey(
        ConsultationAnswer, on_delete=models.CASCADE, related_name="comments"
    )
    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField(_("comment"))

    class Meta:
        ordering = ["answer", "clause__position"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "clause"], name="uniq_clause_comment")
        ]

    def __str__(self) -> str:
        return f"{self.answer} – {self.clause}"
