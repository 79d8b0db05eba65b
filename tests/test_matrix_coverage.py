"""Every URL name of the project is asked about by at least one permission
matrix (a test whose name contains ``permission_matrix``; see tests/matrix.py).

The root conftest runs this file last and records, while each matrix runs,
the URL names its requests resolve to. A run of part of the suite (a path or
``-k`` on the command line) cannot tell, so it skips.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.matrix import SEEN_URL_NAMES, project_url_names, record_request


def test_every_url_name_is_asked_about_by_a_matrix(request: Any) -> None:
    config = request.config
    if config.args_source != pytest.Config.ArgsSource.TESTPATHS or config.option.keyword:
        pytest.skip("only a run of the whole suite shows which URL names the matrices reach")
    missing = sorted(project_url_names() - SEEN_URL_NAMES)
    assert not missing, (
        f"{len(missing)} URL name(s) are in no permission matrix; add a case to the "
        "matrix of their app (a test named *permission_matrix*):\n  " + "\n  ".join(missing)
    )


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
