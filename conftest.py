"""Shared test fixtures: the named people, log-in helpers, printed figures.

The named people are the demo partnership's users, built through the same
:func:`partnerships.demo.build_demo` that ``make run`` uses:

- ``sara``   secretariat, HNT            - ``ada``    administrator, HNT
- ``lena``   coordinator, Levanger       - ``nils``   coordinator, Namsos
- ``hanne``  leader, Helse Nord-Trøndelag HF
- ``stine``  observer (Statsforvalteren) - ``siri``   coordinator, Stjørdal (both partnerships)
- ``kai``    coordinator, Frosta, and a plain member of Verdal (two roles, one partnership)
- ``tor``    coordinator, Trondheim (other partnership only)
- ``petter`` secretariat, other partnership
- ``otto``   an outsider: an account with no role anywhere

``SAMSPILL_TEST_CLOCK`` (an ISO 8601 moment with its offset, e.g.
``2026-12-31T22:30:00+00:00``) starts the whole session, demo included, at
that moment with time-machine; the clock then runs on as a real one would.
``make test-dates`` runs the suite so at the moments where calendars break.
"""

from __future__ import annotations

import datetime
import os
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from core.tests.report import FIGURES
from tests.matrix import (
    MATRIX_MARK,
    SEEN_URL_NAMES,
    coverage_message,
    missing_url_names,
    record_request,
)

MATRIX_COVERAGE = "tests/test_matrix_coverage.py"

SESSION_CLOCK = "SAMSPILL_TEST_CLOCK"


def pytest_configure(config: Any) -> None:
    moment = os.environ.get(SESSION_CLOCK, "").strip()
    if not moment:
        return
    import time_machine

    try:
        start = datetime.datetime.fromisoformat(moment)
    except ValueError as error:
        raise pytest.UsageError(f"{SESSION_CLOCK}={moment!r}: {error}") from None
    if start.tzinfo is None:
        raise pytest.UsageError(f"{SESSION_CLOCK}={moment!r} needs an offset, e.g. +00:00")
    traveller = time_machine.travel(start, tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """The matrix coverage check runs after every matrix has run."""
    last = [item for item in items if item.nodeid.startswith(MATRIX_COVERAGE)]
    items[:] = [item for item in items if not item.nodeid.startswith(MATRIX_COVERAGE)] + last


def whole_suite(config: Any) -> bool:
    """Whether this run is the whole suite (no paths, no ``-k``)."""
    return config.args_source == pytest.Config.ArgsSource.TESTPATHS and not config.option.keyword


# --- pytest-xdist -------------------------------------------------------------------
#
# ``make test`` runs the suite on two workers. Each worker hands the controller
# the figures it collected and the URL names its permission matrices reached;
# the controller prints the figures and, on a run of the whole suite, does the
# matrix coverage check over what all workers reached (a worker alone has only
# its share, so there tests/test_matrix_coverage.py skips that check).


def pytest_sessionfinish(session: Any) -> None:
    config = session.config
    if hasattr(config, "workeroutput"):
        config.workeroutput["figures"] = [list(pair) for pair in FIGURES]
        config.workeroutput["seen_url_names"] = sorted(SEEN_URL_NAMES)
    elif getattr(config.option, "numprocesses", None) and whole_suite(config):
        missing = missing_url_names()
        if missing:
            reporter = config.pluginmanager.get_plugin("terminalreporter")
            reporter.write_line("")
            reporter.section("permission matrix coverage", red=True)
            reporter.write_line(coverage_message(missing))
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """On the controller: what a worker collected."""
    output = getattr(node, "workeroutput", {})
    FIGURES.extend(tuple(pair) for pair in output.get("figures", []))
    SEEN_URL_NAMES.update(output.get("seen_url_names", []))


@pytest.fixture(autouse=True)
def _record_matrix_requests(request: Any) -> Any:
    """In a permission matrix, note the URL name of every request it makes."""
    if MATRIX_MARK not in request.node.name:
        yield
        return
    from django.core.signals import request_started

    request_started.connect(record_request, dispatch_uid="matrix-coverage")
    try:
        yield
    finally:
        request_started.disconnect(dispatch_uid="matrix-coverage")


def pytest_report_header(config: Any) -> str | None:
    moment = os.environ.get(SESSION_CLOCK, "").strip()
    return f"clock: started at {moment} (time-machine, ticking)" if moment else None


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path_factory: Any) -> None:
    """Uploaded files go to a temporary folder, never into the checkout."""
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Build the demo once into the test database. Each test runs in a
    transaction that is rolled back, so it starts from the same demo; tests
    that need real transactions (browser, concurrency) run last, after which
    the database is emptied, and build what they need themselves."""
    from django.test import override_settings

    from samspill.demo import build_all

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        build_all()


@pytest.fixture
def people(db: Any) -> SimpleNamespace:
    from accounts.models import User
    from partnerships.demo import PEOPLE
    from samspill.demo import build_all

    found = {p.key: User.objects.filter(email=p.email).first() for p in PEOPLE}
    named: dict[str, Any] = dict(found)
    if None in found.values():  # emptied by a transactional test before
        named = dict(build_all())
    named["otto"] = User.objects.create_user(
        email="otto@outside.example", password="x", full_name="Otto Utenfor"
    )
    return SimpleNamespace(**named)


@pytest.fixture
def hnt(people: SimpleNamespace) -> Any:
    from partnerships.models import Partnership

    return Partnership.objects.get(slug="hnt")


def totp_device(user: Any) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def totp_now(device: Any) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def log_in(client: Client, user: Any) -> Client:
    """Log a person in as they would be after the real flow: with a verified
    second factor when their role requires one."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.services import requires_two_factor

    client.force_login(user, backend="accounts.backends.EmailBackend")
    if requires_two_factor(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        session.save()
    return client


@pytest.fixture
def as_person(people: SimpleNamespace) -> Any:
    def make(key: str | None) -> Client:
        client = Client()
        if key is not None:
            log_in(client, getattr(people, key))
        return client

    return make


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.section("figures")
        for label, value in FIGURES:
            terminalreporter.write_line(f"{label}: {value}")
