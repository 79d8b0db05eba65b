"""Every URL of Django's admin site × every named person, and an administrator.

The admin is for operators (staff accounts), behind the same log-in and
second factor as the rest. Nobody in the demo is staff: everyone is sent to
Samspill's log-in, and a person verified with a second factor is refused
(403) rather than asked to log in again. A staff account verified with a
second factor reaches every page; the audit log can be read, never written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver

from accounts.models import ExternalIdentity, User
from conftest import log_in, totp_device
from core.models import JobRun
from partnerships.models import Partnership
from tests.matrix import PEOPLE

PREFIX = "/django-admin/"
# A verified person without staff status: refused on the log-in page.
VERIFIED = {"sara", "ada", "petter"}
ADMINISTRATOR = "administrator"
# Where the administrator gets something other than the page.
NOT_200 = {
    "login": 302,  # already in: on to the index
    "logout": 405,  # only by POST
    "autocomplete": 403,  # asked without its parameters
    "view_on_site": 404,  # a partnership has no page of its own to show
    "auditlog_logentry_add": 403,  # the audit trail is read-only
    "auditlog_logentry_delete": 403,
    "core_jobrun_add": 403,  # the scheduled jobs' runs are read-only too
}


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            model_admin = getattr(pattern.callback, "model_admin", None)
            yield pattern.name, prefix + str(pattern.pattern), model_admin


ROUTES = list(_routes(admin.site.get_urls()))


def _path(route: str, model_admin: Any, people: Any, administrator: User) -> str:
    """The route with real objects in it (never the administrator's own account)."""
    device = totp_device(people.lena)
    if model_admin is not None and "<path:object_id>" in route:
        objects = model_admin.model.objects.order_by("pk")
        if model_admin.model is User:
            objects = objects.exclude(pk=administrator.pk)
        route = route.replace("<path:object_id>", str(objects.first().pk))
    route = route.replace("<int:pk>", str(device.pk))
    partnership = Partnership.objects.get(slug="hnt")
    content_type = ContentType.objects.get_for_model(Partnership)
    route = route.replace(
        "<path:content_type_id>/<path:object_id>", f"{content_type.pk}/{partnership.pk}"
    )
    return PREFIX + re.sub(r"\^\(\?P<app_label>.*\$$", "partnerships/", route)


@pytest.mark.parametrize(
    ("name", "route", "model_admin"), ROUTES, ids=[name for name, _r, _m in ROUTES]
)
def test_admin_permission_matrix(
    as_person: Any, people: Any, name: str, route: str, model_admin: Any
) -> None:
    Group.objects.get_or_create(name="Driftsgruppe")
    JobRun.objects.get_or_create(job="followup-reminders", period="2026-12-01", host="app-1")
    ExternalIdentity.objects.get_or_create(
        user=people.lena,
        issuer="https://idporten.example",
        subject="pairwise-subject",
        defaults={"provider": "idporten", "linked_how": "administrator", "confirmed": True},
    )
    administrator = User.objects.create_user(
        email="drift@samspill.example",
        password="x",
        full_name="Drift",
        is_staff=True,
        is_superuser=True,
    )
    path = _path(route, model_admin, people, administrator)
    expected = {key: 302 for key in PEOPLE}
    if name == "login":
        expected.update(dict.fromkeys(VERIFIED, 403))
    expected[ADMINISTRATOR] = NOT_200.get(name, 200)
    got = {key: as_person(None if key == "anon" else key).get(path).status_code for key in PEOPLE}
    got[ADMINISTRATOR] = log_in(Client(), administrator).get(path).status_code
    assert got == expected, path


def test_the_administrator_needs_the_second_factor(people: Any) -> None:
    """Staff logged in with the password alone reach no admin page."""
    administrator = User.objects.create_user(
        email="drift@samspill.example", password="x", full_name="Drift", is_staff=True
    )
    totp_device(administrator)
    client = Client()
    client.force_login(administrator, backend="accounts.backends.EmailBackend")
    assert client.get(PREFIX).status_code == 302
    assert client.get(PREFIX + "partnerships/partnership/").status_code == 302
