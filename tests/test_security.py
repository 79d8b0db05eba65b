"""Operations and security promises: deploy checks, CSP, health check."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def _production_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SAMSPILL_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        SAMSPILL_PRODUCTION="true",
        SAMSPILL_SECRET_KEY="a-long-random-production-secret-key-for-the-test-run-1234567890",
        SAMSPILL_ALLOWED_HOSTS="samspill.example.no",
        SAMSPILL_EMAIL_HOST="smtp.example.no",
        DJANGO_SETTINGS_MODULE="samspill.settings",
        **extra,
    )
    return env


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _check_with_key(key: str | None) -> subprocess.CompletedProcess[str]:
    env = _production_env()
    if key is None:
        del env["SAMSPILL_SECRET_KEY"]
    else:
        env["SAMSPILL_SECRET_KEY"] = key
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("key", ["short-key", "a" * 60, "django-insecure-" + "x1y2z3w4v5" * 5])
def test_production_refuses_to_start_with_a_weak_secret_key(key: str) -> None:
    result = _check_with_key(key)
    assert result.returncode != 0
    assert "too weak" in result.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _check_with_key(None)
    assert result.returncode != 0
    assert "SAMSPILL_SECRET_KEY is required" in result.stderr


def test_a_bad_boolean_setting_fails_loudly() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**_production_env(), "SAMSPILL_PRODUCTION": "maybe"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SAMSPILL_PRODUCTION must be one of" in result.stderr


def test_pages_carry_a_csp_without_inline_scripts(db: Any) -> None:
    response = Client().get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def _templates() -> list[Path]:
    return [
        p
        for p in ROOT.rglob("*.html")
        if not {".venv", "node_modules", "staticfiles", "static"} & set(p.parts)
    ]


def test_no_template_has_inline_script_or_style() -> None:
    offenders = []
    for path in _templates():
        text = path.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in match.group(0):
                offenders.append(f"{path}: inline <script>")
        if re.search(r"<style\b", text) or re.search(r"\sstyle=", text):
            offenders.append(f"{path}: inline style")
        if re.search(r"\son[a-z]+=", text):
            offenders.append(f"{path}: inline event handler")
    assert len(_templates()) > 20
    assert not offenders, offenders


def test_healthz_checks_the_database(db: Any) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "static": "ok"}


def test_healthz_reports_missing_static_files(db: Any, settings: Any) -> None:
    # Production's manifest storage without a manifest (collectstatic not
    # run): every page would be an error, so the health check must say so.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = "/nonexistent-static-root"
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["static"] == "missing"


def test_healthz_reports_a_broken_database(db: Any) -> None:
    from django.db import connection

    with mock.patch.object(connection, "cursor", side_effect=Exception("down")):
        response = Client().get("/healthz")
    assert response.status_code == 503


@pytest.mark.parametrize("path", ["/konto/logg-inn/", "/hnt/"])
def test_every_page_has_one_h1_landmarks_and_a_skip_link(people: Any, path: str) -> None:
    page = Client().get(path).content.decode()
    assert page.count("<h1") == 1
    assert '<main id="main"' in page
    assert 'href="#main"' in page
    assert "<header" in page and "<footer" in page
