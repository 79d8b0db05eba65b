"""Every URL name of the project is asked about by at least one permission
matrix (a test whose name contains ``permission_matrix``; see tests/matrix.py).

The root conftest runs this file last and records, while each matrix runs,
the URL names its requests resolve to. A run of part of the suite (a path or
``-k`` on the command line) cannot tell, so it skips. On pytest-xdist each
worker has only its share: the controller does the same check over all of
them at the end of the run (root conftest, ``pytest_sessionfinish``).
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import whole_suite
from tests.matrix import SEEN_URL_NAMES, coverage_message, missing_url_names, record_request


def test_every_url_name_is_asked_about_by_a_matrix(request: Any) -> None:
    if hasattr(request.config, "workerinput"):
        pytest.skip("on pytest-xdist the controller checks what every worker's matrices reached")
    if not whole_suite(request.config):
        pytest.skip("only a run of the whole suite shows which URL names the matrices reach")
    missing = missing_url_names()
    assert not missing, coverage_message(missing)


# As the test client hands it to WSGI: UTF-8 bytes read as Latin-1.
_WSGI_UNLOCK = "/hnt/intern/krise/1/rapport/2/2026-01-05/lås-opp/".encode().decode("latin-1")


def test_the_recorder_notes_the_url_name_and_only_in_a_matrix(as_person: Any) -> None:
    """The check above can fail: only a matrix's requests count, by URL name."""
    before = set(SEEN_URL_NAMES)
    try:
        SEEN_URL_NAMES.clear()
        as_person(None).get("/hnt/helsefellesskap/rad/")
        assert not SEEN_URL_NAMES, "a request outside a matrix was recorded"
        record_request(None, environ={"PATH_INFO": _WSGI_UNLOCK})
        record_request(None, environ={"PATH_INFO": "/no/such/page/"})
        assert sorted(SEEN_URL_NAMES) == ["crisis:unlock"]
    finally:
        SEEN_URL_NAMES.clear()
        SEEN_URL_NAMES.update(before)
