"""``manage.py fetch_statistics`` against a local server standing in for
the sources' APIs (these machines have no network): what it asks for, what
it stores, and that a failing source or a broken answer stores nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.management import CommandError, call_command

from indicators import fetching
from indicators.models import ImportBatch, IndicatorValue
from indicators.tests import factory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parent / "samples"


class FakeSource:
    """An HTTP server on a free local port: each request is recorded, and
    answered with ``status`` and ``body``."""

    def __init__(self, body: bytes, status: int = 200) -> None:
        self.body = body
        self.status = status
        self.requests: list[tuple[str, str, bytes]] = []
        source = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                source.requests.append((self.command, self.path, self.rfile.read(length)))
                self.send_response(source.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(source.body)

            do_GET = _answer
            do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeSource:
        self.thread.start()
        return self

    def __exit__(self, *args: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def apis(settings: Any) -> Iterator[Any]:
    yield settings


def _serve(settings: Any, source: FakeSource) -> None:
    settings.SAMSPILL_STATISTICS_APIS = {"ssb": source.base, "fhi": source.base}


def test_ssb_population_is_fetched_for_the_partnerships_kommuner(hnt: Any, apis: Any) -> None:
    factory.clear(hnt)
    with FakeSource((SAMPLES / "ssb-07459.json").read_bytes()) as source:
        _serve(apis, source)
        call_command("fetch_statistics", "hnt", "--product", "ssb-07459", "--apply")
    [(method, path, _body)] = source.requests
    assert method == "GET"
    path = unquote(path)
    assert path.startswith("/api/pxwebapi/v2/tables/07459/data?")
    assert "outputFormat=json-stat2" in path
    assert "codelist[Region]=agg_KommSummer" in path
    assert "K-5035" in path and "K-5052" in path and "K-5001" not in path  # HNT's only
    batch = ImportBatch.objects.get(partnership=hnt)
    assert batch.status == ImportBatch.Status.APPLIED
    assert batch.fetched_from.startswith(source.base)
    assert IndicatorValue.objects.filter(batch=batch, indicator__code="befolkning").exists()


def test_fhi_is_asked_with_a_post(hnt: Any, apis: Any) -> None:
    factory.clear(hnt)
    with FakeSource((SAMPLES / "fhi-akuttinnleggelser.json").read_bytes()) as source:
        _serve(apis, source)
        call_command("fetch_statistics", "hnt", "--product", "fhi-akuttinnleggelser")
    [(method, _path, body)] = source.requests
    assert method == "POST"
    assert b"5052" in body
    # Without --apply: a dry run waits for the secretariat.
    batch = ImportBatch.objects.get(partnership=hnt)
    assert batch.status == ImportBatch.Status.PENDING
    assert not IndicatorValue.objects.filter(partnership=hnt).exists()


@pytest.mark.parametrize(
    ("body", "status"),
    [(b'{"error": "busy"}', 503), (b'{"version": "2.0", "class": "dataset"}', 200)],
)
def test_a_failing_source_or_a_broken_answer_stores_nothing(
    hnt: Any, apis: Any, body: bytes, status: int
) -> None:
    factory.clear(hnt)
    with FakeSource(body, status) as source:
        _serve(apis, source)
        with pytest.raises(CommandError, match="ssb-07459"):
            call_command("fetch_statistics", "hnt", "--product", "ssb-07459", "--apply")
    assert not ImportBatch.objects.filter(partnership=hnt).exists()
    assert not IndicatorValue.objects.filter(partnership=hnt).exists()


def test_an_unknown_partnership_or_product_is_an_error(hnt: Any) -> None:
    with pytest.raises(CommandError):
        call_command("fetch_statistics", "nowhere")
    with pytest.raises(CommandError):
        call_command("fetch_statistics", "hnt", "--product", "hdir-kad")  # no API


def test_requests_to_one_api_keep_to_thirty_a_minute() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = fetching.RateLimiter(30, clock=lambda: now[0], sleep=sleep)
    for _ in range(30):
        limiter.wait("data.ssb.no")
        now[0] += 0.5
    assert slept == []
    limiter.wait("data.ssb.no")  # the 31st, 15 s after the first
    assert slept == [45.0]
    limiter.wait("statistikk-data.fhi.no")  # another API has its own allowance
    assert slept == [45.0]
