"""The secretariat's settings for deviations: the answer deadline, reminder
days, public statistics, and the partnership's categories and guidelines.

Only people with ``MANAGE_DEVIATIONS`` (secretariat, administrators) come
here: outsiders get 404, other insiders 403. A category or guideline that a
deviation uses cannot be deleted (the reports and statistics refer to it),
only taken out of use. Every change is saved through ``save()``/``delete()``
so the audit log records who did it.

Saves are safe against double submits and concurrent edits: each form
carries a fingerprint of the values it was loaded with. A save is refused
if the record changed since, unless it already holds exactly what was
submitted (the second click of a double submit), which is a success.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.db.models import Count, Max, Model, ProtectedError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.forms import GuardedModelForm
from core.own import Own
from deviations import services
from deviations.models import Deviation, DeviationCategory, DeviationConfig, Guideline
from partnerships.access import PartnershipAccess, request_access
from partnerships.capabilities import Capability
from partnerships.models import Partnership
from partnerships.views import Crumb, insider_view, staff_crumbs

CONFLICT = gettext_lazy(
    "Someone else changed this while you were editing it. Your values are kept below; "
    "compare with the current ones and save again."
)


def fingerprint(instance: Model, fields: list[str]) -> int:
    """A number that changes when any of ``fields`` changes."""
    return zlib.crc32(repr([getattr(instance, name) for name in fields]).encode())


# --- Forms ---------------------------------------------------------------------------


class _FingerprintForm(GuardedModelForm):
    # The values the form was loaded with (see the module docstring).
    loaded = forms.IntegerField(widget=forms.HiddenInput, required=False)

    tracked: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.original = fingerprint(self.instance, self.tracked)
            self.initial.setdefault("loaded", self.original)

    def save_safely(self) -> Any:
        """Save unless someone else changed the record since the form was
        loaded; a repeat of the same save is a success."""
        instance = self.instance
        model = type(instance)
        with transaction.atomic():
            current = model._default_manager.select_for_update().get(pk=instance.pk)
            submitted = fingerprint(instance, self.tracked)
            stale = self.cleaned_data.get("loaded") != fingerprint(current, self.tracked)
            if stale and fingerprint(current, self.tracked) != submitted:
                data = self.data.copy()  # type: ignore[attr-defined]
                data[self.add_prefix("loaded")] = str(fingerprint(current, self.tracked))
                self.data = data
                self.add_error(None, str(CONFLICT))
                raise ValidationError(CONFLICT)
            changed = [
                name for name in self.tracked if getattr(current, name) != getattr(instance, name)
            ]
            if changed:
                instance.save(update_fields=changed)
        return instance


class ConfigForm(_FingerprintForm):
    tracked = ["response_days", "reminder_days_before", "public_statistics"]

    class Meta:
        model = DeviationConfig
        fields = ["response_days", "reminder_days_before", "public_statistics"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["response_days"].validators.append(MinValueValidator(1))
        self.fields["response_days"].validators.append(MaxValueValidator(365))
        self.fields["response_days"].widget.attrs.update(min=1, max=365)
        self.fields["reminder_days_before"].help_text = gettext_lazy(
            "The receiving party is reminded this many days before the deadline, on the "
            "day after it and then weekly until it answers."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        response, reminder = data.get("response_days"), data.get("reminder_days_before")
        if response is not None and reminder is not None and reminder >= response:
            self.add_error(
                "reminder_days_before",
                _(
                    "The reminder must come before the deadline: "
                    "fewer days than the days to answer."
                ),
            )
        return data


class CategoryForm(_FingerprintForm):
    tracked = ["code", "name", "position", "active"]

    class Meta:
        model = DeviationCategory
        fields = ["code", "name", "position", "active"]
        labels = {"position": gettext_lazy("Order")}

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["position"].required = False

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip().upper()
        taken = DeviationCategory.objects.filter(partnership=self.partnership, code__iexact=code)
        if self.instance.pk is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("Another category has this code."))
        return code

    def clean_position(self) -> int:
        position = self.cleaned_data.get("position")
        return self.instance.position if position is None else position


class GuidelineForm(_FingerprintForm):
    tracked = ["number", "name", "active"]

    class Meta:
        model = Guideline
        fields = ["number", "name", "active"]

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership

    def clean_number(self) -> int:
        number = self.cleaned_data["number"]
        taken = Guideline.objects.filter(partnership=self.partnership, number=number)
        if self.instance.pk is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("Another guideline has this number."))
        return int(number)


class NewCategoryForm(GuardedModelForm):
    class Meta:
        model = DeviationCategory
        fields = ["code", "name"]

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip().upper()

    def validate_unique(self) -> None:
        """Checked in :func:`add_item`, where a repeat is not an error."""


class NewGuidelineForm(GuardedModelForm):
    class Meta:
        model = Guideline
        fields = ["number", "name"]

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership

    def validate_unique(self) -> None:
        """Checked in :func:`add_item`, where a repeat is not an error."""


# --- The rules -------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """Categories and guidelines are managed the same way."""

    model: type[DeviationCategory] | type[Guideline]
    key: str  # the field that identifies an item within the partnership
    deviation_field: str
    form: type[CategoryForm] | type[GuidelineForm]
    new_form: type[NewCategoryForm] | type[NewGuidelineForm]
    prefix: str


KINDS = {
    "category": Kind(
        DeviationCategory, "code", "category", CategoryForm, NewCategoryForm, "category"
    ),
    "guideline": Kind(
        Guideline, "number", "guideline", GuidelineForm, NewGuidelineForm, "guideline"
    ),
}


def usage(kind: Kind, partnership: Partnership) -> dict[int, int]:
    """How many deviations (drafts included) use each item (one query)."""
    field = f"{kind.deviation_field}_id"
    return dict(
        Deviation.objects.filter(partnership=partnership, **{f"{field}__isnull": False})
        .values_list(field)
        .annotate(n=Count("pk"))
        .values_list(field, "n")
    )


def add_item(kind: Kind, partnership: Partnership, key: Any, name: str) -> tuple[Model, bool]:
    """Add a category or guideline; returns it and whether it is new. The
    same item sent twice (a double submit) is added once."""
    with transaction.atomic():
        existing = kind.model._default_manager.filter(
            partnership=partnership, **{kind.key: key}
        ).first()
        if existing is not None:
            if existing.name == name:
                return existing, False
            raise ValidationError(
                {
                    kind.key: _("Another category has this code.")
                    if kind.key == "code"
                    else _("Another guideline has this number.")
                }
            )
        values: dict[str, Any] = {"partnership": partnership, kind.key: key, "name": name}
        if kind.model is DeviationCategory:
            highest = DeviationCategory.objects.filter(partnership=partnership).aggregate(
                Max("position")
            )["position__max"]
            values["position"] = 0 if highest is None else highest + 1
        return kind.model._default_manager.create(**values), True


def delete_item(kind: Kind, item: Model) -> None:
    """Delete a category or guideline no deviation uses; one in use can only
    be taken out of use."""
    in_use = _("It is used by deviations, so it can only be taken out of use.")
    if Deviation.objects.filter(**{kind.deviation_field: item}).exists():
        raise ValidationError(in_use)
    try:
        with transaction.atomic():
            item.delete()
    except ProtectedError as error:  # used by a deviation saved in between
        raise ValidationError(in_use) from error


# --- Views -----------------------------------------------------------------------------


def _access(request: HttpRequest) -> PartnershipAccess:
    access = request_access(request)
    access.require(Capability.MANAGE_DEVIATIONS)
    return access


def _crumbs(request: HttpRequest, *extra: Crumb) -> list[Crumb]:
    slug = request_access(request).partnership.slug
    return staff_crumbs(
        request,
        (_("Deviations"), reverse("deviations:list", args=[slug])),
        (_("Settings"), reverse("deviations:settings", args=[slug])),
        *extra,
    )


def _page(
    request: HttpRequest,
    access: PartnershipAccess,
    *,
    config_form: ConfigForm | None = None,
    new_forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    partnership = access.partnership
    services.ensure_categories(partnership)
    new_forms = new_forms or {}
    sections = []
    for name, kind in KINDS.items():
        used = usage(kind, partnership)
        items = list(kind.model._default_manager.filter(partnership=partnership))
        for item in items:
            item.used = used.get(item.pk, 0)  # type: ignore[attr-defined]
            item.edit_url = reverse(  # type: ignore[attr-defined]
                f"deviations:settings_{name}", args=[partnership.slug, item.pk]
            )
        sections.append(
            {
                "kind": name,
                "items": items,
                "add_url": reverse(f"deviations:settings_{name}_add", args=[partnership.slug]),
                "form": new_forms.get(name)
                or kind.new_form(partnership=partnership, prefix=kind.prefix),
            }
        )
    return render(
        request,
        "deviations/settings.html",
        {
            "config_form": config_form
            or ConfigForm(instance=services.config_for(partnership), prefix="config"),
            "sections": sections,
            "breadcrumbs": _crumbs(request),
        },
        status=status,
    )


@insider_view
def settings_page(request: HttpRequest, partnership_slug: str) -> HttpResponse:
    """The settings, the categories and the guidelines; POST saves the
    deadline, reminder and statistics settings."""
    access = _access(request)
    if request.method != "POST":
        return _page(request, access)
    config = services.config_for(access.partnership)
    form = ConfigForm(request.POST, instance=config, prefix="config")
    if form.is_valid():
        try:
            form.save_safely()
        except ValidationError:
            return _page(request, access, config_form=form, status=409)
        flash.success(request, _("The settings were saved."))
        return redirect("deviations:settings", partnership_slug)
    return _page(request, access, config_form=form, status=400)


@insider_view
@require_POST
def add(request: HttpRequest, partnership_slug: str, kind: str) -> HttpResponse:
    access = _access(request)
    spec = KINDS[kind]
    form = spec.new_form(request.POST, partnership=access.partnership, prefix=spec.prefix)
    if form.is_valid():
        try:
            item, created = add_item(
                spec,
                access.partnership,
                form.cleaned_data[spec.key],
                form.cleaned_data["name"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field, errors)
        else:
            if created:
                flash.success(request, _("“%(item)s” was added.") % {"item": item})
            return redirect("deviations:settings", partnership_slug)
    return _page(request, access, new_forms={kind: form}, status=400)


def _item(access: PartnershipAccess, spec: Kind, pk: int) -> Any:
    item = spec.model._default_manager.filter(partnership=access.partnership, pk=pk).first()
    if item is None:
        raise Http404
    return item


@insider_view
def edit(request: HttpRequest, partnership_slug: str, kind: str, pk: int) -> HttpResponse:
    """Rename, reorder, or take a category or guideline out of use (and back)."""
    access = _access(request)
    spec = KINDS[kind]
    item = _item(access, spec, pk)
    label = str(item)
    used = Deviation.objects.filter(**{spec.deviation_field: item}).count()
    form = spec.form(request.POST or None, instance=item, partnership=access.partnership)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                form.save_safely()
            except ValidationError:
                status = 409
            else:
                flash.success(request, _("“%(item)s” was saved.") % {"item": item})
                return redirect("deviations:settings", partnership_slug)
        else:
            status = 400
    return render(
        request,
        "deviations/settings_item.html",
        {
            "form": form,
            "kind": kind,
            "item": spec.model._default_manager.get(pk=item.pk) if status != 200 else item,
            "used": used,
            "breadcrumbs": _crumbs(request, (Own(label), None)),
        },
        status=status,
    )


@insider_view
@require_POST
def delete(request: HttpRequest, partnership_slug: str, kind: str, pk: int) -> HttpResponse:
    access = _access(request)
    spec = KINDS[kind]
    item = _item(access, spec, pk)
    label = str(item)
    try:
        delete_item(spec, item)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect(f"deviations:settings_{kind}", partnership_slug, pk)
    flash.success(request, _("“%(item)s” was deleted.") % {"item": label})
    return redirect("deviations:settings", partnership_slug)
