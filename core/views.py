from __future__ import annotations

from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# A file every page links (templates/base.html).
HEALTH_STATIC_FILE = "css/samspill.css"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the app can reach its database and find its static files
    (every page links the style sheet through the manifest: without it, every
    page is an error); 503 naming what is wrong when not."""
    checks = {"database": "ok", "static": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        checks["database"] = "unreachable"
    try:
        staticfiles_storage.url(HEALTH_STATIC_FILE)
    except ValueError:  # the manifest storage has no entry: collectstatic was not run
        checks["static"] = "missing"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
