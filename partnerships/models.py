"""The partnership, its parties and people.

``Partnership`` is the tenant. ``Organisation`` is global because a kommune can
take part in two partnerships (Værnesregionen's kommuner belong to both Helse
Nord-Trøndelag's and St. Olavs hospital's); ``Participation`` says in which
partnership, as what, in which region and for which period. People belong to
organisations through ``Membership``; ``PartnershipRole`` gives the
secretariat and administrators their powers in one partnership.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Timestamped, VersionedModel
from partnerships.validators import (
    validate_municipality_number,
    validate_organisation_number,
    validate_partnership_slug,
)


class CurrentQuerySet[M: models.Model](models.QuerySet[M]):
    """Rows whose period contains a given day.

    ``valid_from`` is the first day; ``valid_to`` is the day it ended (the
    first day it no longer holds), so ending something today takes effect at
    once and still reads naturally ("ended 22.11.2026").
    """

    def current(self, on: datetime.date | None = None) -> CurrentQuerySet[M]:
        day = on or timezone.localdate()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )


class Partnership(Timestamped):
    slug = models.SlugField(
        _("short name"), max_length=40, unique=True, validators=[validate_partnership_slug]
    )
    name = models.CharField(_("name"), max_length=200)
    about = models.TextField(_("about"), blank=True)
    secretariat_email = models.EmailField(_("secretariat e-mail"), blank=True)
    secretariat_phone = models.CharField(_("secretariat phone"), max_length=40, blank=True)
    secretariat_address = models.CharField(_("secretariat address"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    # The written language of what the partnership itself writes (case
    # papers, decisions, mandates, deviations). Pages in another interface
    # language mark those texts with it, so screen readers and spelling
    # checkers read them as Norwegian (WCAG 3.1.2).
    content_language = models.CharField(
        _("language of the partnership's texts"),
        max_length=5,
        choices=[("nb", _("Norwegian Bokmål")), ("nn", _("Norwegian Nynorsk"))],
        default="nb",
    )

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HospitalArea(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="hospital_areas"
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("hospital area")
        verbose_name_plural = _("hospital areas")
        ordering = ["partnership", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="uniq_hospital_area_name")
        ]

    def __str__(self) -> str:
        return self.name


class Region(Timestamped):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="regions")
    hospital_area = models.ForeignKey(
        HospitalArea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="regions",
        verbose_name=_("hospital area"),
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["partnership", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="uniq_region_name")
        ]

    def __str__(self) -> str:
        return self.name


class Organisation(Timestamped):
    class Kind(models.TextChoices):
        KOMMUNE = "kommune", _("Municipality (kommune)")
        HELSEFORETAK = "helseforetak", _("Hospital trust (helseforetak)")
        STATSFORVALTER = "statsforvalter", _("County governor (Statsforvalteren)")
        FYLKESKOMMUNE = "fylkeskommune", _("County authority (fylkeskommune)")
        KS = "ks", _("KS")
        OTHER_OBSERVER = "other_observer", _("Other observer")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    organisation_number = models.CharField(
        _("organisation number"),
        max_length=9,
        blank=True,
        validators=[validate_organisation_number],
        help_text=_("Nine digits, from the Central Coordinating Register (Enhetsregisteret)."),
    )
    municipality_number = models.CharField(
        _("kommunenummer"),
        max_length=4,
        blank=True,
        validators=[validate_municipality_number],
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation_number"],
                condition=~Q(organisation_number=""),
                name="uniq_organisation_number",
            ),
            models.UniqueConstraint(
                fields=["municipality_number"],
                condition=~Q(municipality_number=""),
                name="uniq_municipality_number",
            ),
            models.CheckConstraint(
                condition=~Q(kind="kommune") | ~Q(municipality_number=""),
                name="kommune_has_municipality_number",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.kind == self.Kind.KOMMUNE and not self.municipality_number:
            raise ValidationError(
                {"municipality_number": _("A kommune must have its kommunenummer.")}
            )


class Participation(models.Model):
    """An organisation taking part in a partnership, as party or observer."""

    class Role(models.TextChoices):
        PARTY = "party", _("Party")
        OBSERVER = "observer", _("Observer")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="participations"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
        verbose_name=_("region"),
    )
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_to = models.DateField(_("ended"), null=True, blank=True)

    objects = CurrentQuerySet.as_manager()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["partnership", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation", "valid_from"],
                name="uniq_participation_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.partnership}"


class Population(models.Model):
    """Inhabitants of a kommune on 1 January of a year."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="population"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    inhabitants = models.PositiveIntegerField(_("inhabitants"))
    source = models.CharField(_("source"), max_length=200)
    is_demo = models.BooleanField(_("demo figure"), default=False)

    class Meta:
        verbose_name = _("population")
        verbose_name_plural = _("population")
        ordering = ["organisation", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="uniq_population_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.inhabitants} ({self.year})"


class Contact(VersionedModel):
    """The coordinating unit (koordinerende enhet) of an organisation."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="contact"
    )
    unit_name = models.CharField(_("unit"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("coordinating unit")
        verbose_name_plural = _("coordinating units")

    def __str__(self) -> str:
        return f"{self.unit_name} ({self.organisation})"


class Membership(VersionedModel):
    """A person in an organisation with a role there."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        LEADER = "leader", _("Leader")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    valid_from = models.DateField(_("from"), default=timezone.localdate)
    valid_to = models.DateField(_("ended"), null=True, blank=True)

    objects = CurrentQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(valid_to__isnull=True),
                name="uniq_open_membership",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"


class PartnershipRole(models.Model):
    """Powers in one partnership: running it (secretariat) or administering it."""

    class Role(models.TextChoices):
        SECRETARIAT = "secretariat", _("Secretariat")
        ADMINISTRATOR = "administrator", _("Administrator")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partnership_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    valid_from = models.DateField(_("from"), default=timezone.localdate)
    valid_to = models.DateField(_("ended"), null=True, blank=True)

    objects = CurrentQuerySet.as_manager()

    class Meta:
        verbose_name = _("partnership role")
        verbose_name_plural = _("partnership roles")
        ordering = ["partnership", "role", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "user", "role"],
                condition=Q(valid_to__isnull=True),
                name="uniq_open_partnership_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.partnership})"


class Invitation(models.Model):
    """An invitation for someone to join an organisation in a partnership.

    Only a hash of the token is stored; the token itself travels in the e-mail.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="invitations"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    identity_guard_exempt = ("token_hash",)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created"]
        constraints = [
            # A double submit (or two secretaries at once) cannot create two
            # open invitations for the same person to the same organisation.
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(status="pending"),
                name="uniq_pending_invitation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.PENDING and self.expires > timezone.now()
