"""A search is not kept in the logs: query strings and identity numbers are
cut from every log line, in Samspill's handlers and in gunicorn's access log."""

from __future__ import annotations

import datetime
import io
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings

from core.logging import ScrubFilter

FNR = "15078810022"
REQUEST_LINE = f"GET /hnt/intern/sok/?q={FNR[:6]}+{FNR[6:]}&page=2 HTTP/1.1"


def _console_output(logger: str, message: str, *args: object) -> str:
    """What Samspill's configured console handler writes for one record."""
    handler = next(
        h
        for h in logging.getLogger(logger).handlers or logging.getLogger().handlers
        if any(isinstance(f, ScrubFilter) for f in h.filters)
    )
    stream = io.StringIO()
    old = handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        logging.getLogger(logger).warning(message, *args)
    finally:
        handler.setStream(old)  # type: ignore[attr-defined]
    return stream.getvalue()


def test_the_development_servers_request_lines_lose_their_query() -> None:
    out = _console_output("django.server", '"%s" %s %s', REQUEST_LINE, 200, 5120)
    assert "/hnt/intern/sok/?…" in out
    assert "q=" not in out and FNR[:6] not in out


def test_any_logged_identity_number_is_redacted() -> None:
    out = _console_output("samspill.test", "Refused note for patient %s", f"{FNR[:6]} {FNR[6:]}")
    assert "Refused note for patient [fjernet]" in out


def test_every_console_handler_scrubs() -> None:
    handlers: dict[str, dict[str, list[str]]] = settings.LOGGING["handlers"]  # type: ignore[assignment]
    assert all("scrub" in h.get("filters", []) for h in handlers.values())


def test_gunicorns_access_log_has_no_query_string() -> None:
    from gunicorn.glogging import Logger

    conf = runpy.run_path(str(Path(settings.BASE_DIR) / "samspill" / "gunicorn.conf.py"))
    fmt = conf["access_log_format"]
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/hnt/intern/sok/?q={FNR}",
        "PATH_INFO": "/hnt/intern/sok/",
        "QUERY_STRING": f"q={FNR}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.7",
        "HTTP_REFERER": f"https://samspill.example/hnt/intern/sok/?q={FNR}",
    }
    logger = Logger.__new__(Logger)
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    line = fmt % logger.atoms(response, request, environ, datetime.timedelta(seconds=0.01))
    assert '"GET /hnt/intern/sok/ HTTP/1.1" 200' in line
    assert FNR not in line and "q=" not in line
