"""Tall og statistikk: the indicator catalogue and its values.

The catalogue (:class:`Indicator`) holds each indicator's definition as data:
its name, unit, definition text, source, how it is computed, and the smallest
count shown publicly. Its values (:class:`IndicatorValue`) are per area —
kommune, hospital area, county or the whole country, as the source reports
them — and year, each with its provenance: the import that brought it
(:class:`ImportBatch`: the product, the file and its checksum, when it was
retrieved and by whom). A region's, a hospital area's and the partnership's
figures are computed from its kommuner's (:mod:`indicators.figures`).

Values belong to the partnership whose secretariat imported them: two
partnerships that share a kommune (Stjørdal is in two) each keep their own
copy, with their own provenance, and neither can change the other's pages.

Files come in through a product's :class:`ImportProfile`, a mapping kept as
data (:mod:`indicators.parsing`), so a changed layout at the source needs a
changed mapping and no new code. An import is first a dry run: the file is
parsed and kept as a pending batch, the page shows what would change, and
only the confirmation stores the values. A file with any error stores
nothing at all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerships.models import Partnership


class Computation(models.TextChoices):
    COUNT = "count", _("Count")
    RATE_PER_1000 = "rate_per_1000", _("Rate per 1,000 inhabitants")
    STANDARDISED_RATE = "standardised_rate", _("Standardised rate per 1,000 inhabitants")
    PERCENT = "percent", _("Per cent")


class AreaKind(models.TextChoices):
    KOMMUNE = "kommune", _("Kommune")
    HOSPITAL_AREA = "hospital_area", _("Hospital area")
    COUNTY = "county", _("County")
    COUNTRY = "country", _("The whole country")


class ValueStatus(models.TextChoices):
    FIGURE = "", _("Figure")
    SUPPRESSED = "suppressed", _("Suppressed by the source")
    MISSING = "missing", _("Not available")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class SamspillSource(models.TextChoices):
    """Where an indicator's figures come from when Samspill holds them
    itself (``indicators.own``) rather than importing them."""

    IMPORTED = "", _("Imported from the source")
    DEVIATIONS_REPORTED = "deviations_reported", _("Deviations the kommune reported")
    DEVIATIONS_RECEIVED = "deviations_received", _("Deviations reported to the kommune")
    CRISIS_REPORTS = "crisis_reports", _("Situation reports the kommune submitted")


DEVIATION_SOURCES = (SamspillSource.DEVIATIONS_REPORTED, SamspillSource.DEVIATIONS_RECEIVED)


class Indicator(models.Model):
    """One indicator of the national catalogue (``indicators/catalogue.json``,
    loaded by migration and kept in the admin)."""

    names_are_own_text = True

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=100)
    computation = models.CharField(_("computed as"), max_length=30, choices=Computation.choices)
    definition = models.TextField(_("definition"))
    source = models.CharField(_("source"), max_length=200)
    source_url = models.URLField(_("source's page"), blank=True)
    # Counts of people from 1 up to this number less one are never shown
    # publicly, nor a figure that reveals one (core.disclosure). 0 means the
    # indicator does not count people (inhabitants, places).
    suppress_below = models.PositiveSmallIntegerField(_("smallest count shown publicly"), default=5)
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=1)
    # Overliggedøgn: the kommune pays the national daily rate for each day.
    priced_per_unit = models.BooleanField(_("priced at the national daily rate"), default=False)
    # Figures Samspill computes from what it holds, never imported.
    samspill_source = models.CharField(
        _("computed by Samspill from"),
        max_length=30,
        choices=SamspillSource.choices,
        blank=True,
        default="",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_rate(self) -> bool:
        return self.computation != Computation.COUNT

    @property
    def scale(self) -> int:
        """What the numerator over the denominator is multiplied by."""
        return 100 if self.computation == Computation.PERCENT else 1000


class DailyRate(models.Model):
    """The national price a kommune pays per overliggedøgn in a year."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    amount = models.PositiveIntegerField(_("NOK per day"))
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("national daily rate")
        verbose_name_plural = _("national daily rates")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"


class ImportProfile(models.Model):
    """How one statistics product's files map to the catalogue: which
    dimension or column holds the area, the year, and each indicator's value,
    numerator and denominator (:mod:`indicators.parsing` documents the
    mapping). Shipped in ``indicators/profiles/`` and kept in the admin."""

    class Format(models.TextChoices):
        JSON_STAT2 = "json-stat2", "json-stat2"
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    product = models.SlugField(_("product"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=200)
    table = models.CharField(_("table"), max_length=60, blank=True)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    # How the file is read, and (``fetch``) where ``manage.py
    # fetch_statistics`` gets it when the source has an API.
    mapping = models.JSONField(_("mapping"))

    identity_guard_exempt = ("product",)

    class Meta:
        verbose_name = _("import profile")
        verbose_name_plural = _("import profiles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImportBatch(models.Model):
    """One file brought in, the provenance of every value it stored."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Dry run, not stored")
        APPLIED = "applied", _("Stored")
        DISCARDED = "discarded", _("Discarded")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="indicator_imports"
    )
    profile = models.ForeignKey(
        ImportProfile, on_delete=models.PROTECT, related_name="batches", verbose_name=_("product")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content = models.BinaryField(_("content"))
    retrieved_on = models.DateField(_("retrieved from the source on"))
    fetched_from = models.URLField(_("fetched from"), max_length=1000, blank=True)
    created = models.DateTimeField(_("uploaded"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    applied = models.DateTimeField(_("stored"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("stored by"),
    )
    new_values = models.PositiveIntegerField(_("new values"), default=0)
    changed_values = models.PositiveIntegerField(_("changed values"), default=0)
    unchanged_values = models.PositiveIntegerField(_("unchanged values"), default=0)
    is_demo = models.BooleanField(_("demo figures"), default=False)
    # The upload form's key: a second submit of the same form adds nothing.
    client_key = models.CharField(max_length=64, blank=True)

    identity_guard_exempt = ("sha256", "client_key")

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "client_key"],
                condition=~models.Q(client_key=""),
                name="uniq_indicator_import_client_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.profile}: {self.file_name}"


class IndicatorValue(models.Model):
    """An indicator's figure for one area and year, as the source gave it."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="indicator_values"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    area_kind = models.CharField(_("kind of area"), max_length=20, choices=AreaKind.choices)
    area_code = models.CharField(_("area code"), max_length=20)
    area_name = models.CharField(_("area"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4, null=True)
    numerator = models.DecimalField(_("numerator"), max_digits=18, decimal_places=4, null=True)
    denominator = models.DecimalField(_("denominator"), max_digits=18, decimal_places=4, null=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ValueStatus.choices, default="", blank=True
    )
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, related_name="values", verbose_name=_("import")
    )

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "area_kind", "area_code", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "indicator", "area_kind", "area_code", "year"],
                name="uniq_indicator_value",
            )
        ]
        indexes = [models.Index(fields=["partnership", "indicator", "year"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.area_code} {self.year}: {self.value}"
