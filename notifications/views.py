"""The person's own notifications page under ``/konto/varsler/``: the choice
between immediate e-mails and a daily digest, and the latest notifications.

Per person, not per partnership: everything is filtered by the logged-in
user, so nobody ever sees someone else's notifications.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from notifications import services
from notifications.forms import PreferenceForm
from notifications.models import Notification, NotificationPreference

# How many of the latest notifications the page shows.
LATEST = 50


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Two queries besides the log-in's: the preference, and the latest
    notifications with their partnership joined."""
    user = cast(User, request.user)  # login_required
    preference = services.preference_for(user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        chosen = services.set_delivery(user, form.cleaned_data["delivery"])
        if chosen.delivery == NotificationPreference.Delivery.DIGEST:
            messages.success(
                request,
                _("Saved. You will get one e-mail a day with your new notifications."),
            )
        else:
            messages.success(
                request, _("Saved. You will get an e-mail as soon as something happens.")
            )
        return redirect("notifications:preferences")
    latest = (
        Notification.objects.filter(user=user)
        .select_related("partnership")
        .order_by("-created", "-pk")[:LATEST]
    )
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "notifications": latest,
            "latest": LATEST,
            "digest": preference.delivery == NotificationPreference.Delivery.DIGEST,
            "breadcrumbs": [
                (_("My page"), reverse("accounts:profile")),
                (_("Notifications"), None),
            ],
        },
    )
