from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from api.api import api
from core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("api/", api.urls),
    path("konto/varsler/", include("notifications.urls")),
    path("konto/", include("accounts.urls")),
    path("kalender/", include("calendars.urls")),
    path("nasjonalt/", include("national.public_urls")),
    path("oparl/v1.1/", include("oparl.urls")),
    # Partnership pages last: "/<slug>/" would otherwise shadow the paths above.
    path("", include("portal.urls")),
    path("<slug:partnership_slug>/intern/", include("partnerships.urls")),
    path("<slug:partnership_slug>/intern/rad/", include("councils.urls")),
    path("<slug:partnership_slug>/intern/oppfolging/", include("followups.urls")),
    path("<slug:partnership_slug>/intern/representasjon/", include("representation.urls")),
    path("<slug:partnership_slug>/intern/sok/", include("search.urls")),
    path("<slug:partnership_slug>/intern/avvik/", include("deviations.urls")),
    path("<slug:partnership_slug>/intern/krise/", include("crisis.urls")),
    path("<slug:partnership_slug>/intern/avtaler/", include("agreements.urls")),
    path("<slug:partnership_slug>/intern/oppgaveoverforing/", include("transfers.urls")),
    path("<slug:partnership_slug>/intern/rutiner/", include("routines.urls")),
    path("<slug:partnership_slug>/intern/handlingsplan/", include("plans.urls")),
    path("<slug:partnership_slug>/intern/statistikk/", include("indicators.urls")),
    path("<slug:partnership_slug>/intern/arsrapport/", include("annual.urls")),
    path("<slug:partnership_slug>/intern/nasjonalt/", include("national.urls")),
    path("<slug:partnership_slug>/helsefellesskap/rad/", include("councils.public_urls")),
    path("<slug:partnership_slug>/helsefellesskap/sok/", include("search.public_urls")),
    path("<slug:partnership_slug>/helsefellesskap/avvik/", include("deviations.public_urls")),
    path("<slug:partnership_slug>/helsefellesskap/kalender/", include("calendars.public_urls")),
    path("<slug:partnership_slug>/samarbeidsavtaler/", include("agreements.public_urls")),
    path("<slug:partnership_slug>/samhandlingsrutiner/", include("routines.public_urls")),
    path("<slug:partnership_slug>/handlingsplan/", include("plans.public_urls")),
    path("<slug:partnership_slug>/tall-og-statistikk/", include("indicators.public_urls")),
    path("<slug:partnership_slug>/arsrapport/", include("annual.public_urls")),
]
