"""Crisis pages under ``/<slug>/intern/krise/``; each part of the module
keeps its own URL list."""

from __future__ import annotations

from crisis import coordination_urls, dashboard_urls, export_urls, report_urls, settings_urls

app_name = "crisis"

urlpatterns = [
    *report_urls.urlpatterns,
    *dashboard_urls.urlpatterns,
    *coordination_urls.urlpatterns,
    *export_urls.urlpatterns,
    *settings_urls.urlpatterns,
]
