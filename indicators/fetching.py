"""Fetching statistics from the sources' APIs (``manage.py
fetch_statistics``), for installations with a network.

A product's profile says where its file is fetched, as data::

    "fetch": {
        "api": "ssb",                       # settings.SAMSPILL_STATISTICS_APIS
        "url": "{base}/api/pxwebapi/v2/tables/07459/data?...&valueCodes[Region]={kommuner}",
        "kommune_code": "K-{code}",         # how the API writes a kommunenummer
        "method": "GET",                    # or "POST" with a JSON "body"
        "body": {...}                       # "{kommuner}" in a string becomes the list
    }

``{base}`` is the API's address from the settings (a test points it at a
local server) and ``{kommuner}`` the partnership's kommuner as the API codes
them. What comes back goes through the same reading as an upload
(:func:`indicators.services.start_import`): a file with an error stores
nothing. Requests to one API are spaced to its allowance (SSB: 30 a minute).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from indicators.models import ImportProfile

TIMEOUT_SECONDS = 60
USER_AGENT = "Samspill statistics fetch (https://github.com/samspill)"


class FetchError(Exception):
    """The source could not be reached or answered with an error."""


class RateLimiter:
    """At most ``per_minute`` requests to one host in any 60 seconds: a
    request that would be one too many waits until the oldest is a minute
    old."""

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self.sleep = sleep
        self.sent: dict[str, deque[float]] = {}

    def wait(self, host: str) -> None:
        sent = self.sent.setdefault(host, deque())
        now = self.clock()
        while sent and now - sent[0] >= 60:
            sent.popleft()
        if len(sent) >= self.per_minute:
            self.sleep(60 - (now - sent[0]))
            sent.popleft()
        sent.append(self.clock())


@dataclass(frozen=True)
class Request:
    url: str
    method: str
    body: bytes | None


def _fill(value: Any, kommuner: str) -> Any:
    if isinstance(value, str):
        return value.replace("{kommuner}", kommuner)
    if isinstance(value, list):
        if value == ["{kommuner}"]:
            return kommuner.split(",")
        return [_fill(v, kommuner) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, kommuner) for k, v in value.items()}
    return value


def request_for(profile: ImportProfile, kommune_numbers: list[str]) -> Request | None:
    """The request that fetches ``profile``'s file for these kommuner, or
    None when the product has no API (files to download by hand)."""
    fetch = profile.mapping.get("fetch")
    if not fetch:
        return None
    base = settings.SAMSPILL_STATISTICS_APIS[fetch["api"]].rstrip("/")
    pattern = fetch.get("kommune_code", "{code}")
    kommuner = ",".join(pattern.format(code=number) for number in sorted(kommune_numbers))
    url = fetch["url"].replace("{base}", base).replace("{kommuner}", kommuner)
    method = fetch.get("method", "GET").upper()
    body = None
    if method == "POST":
        body = json.dumps(_fill(fetch.get("body", {}), kommuner)).encode()
    return Request(url=url, method=method, body=body)


def fetch(request: Request, limiter: RateLimiter) -> bytes:
    """The answer's body; ``FetchError`` for a network error or a status
    other than 200."""
    parts = urlsplit(request.url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"Not an http(s) address: {request.url}")
    limiter.wait(parts.netloc)
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if request.body is not None:
        headers["Content-Type"] = "application/json"
    outgoing = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        request.url, data=request.body, method=request.method, headers=headers
    )
    try:
        with urllib.request.urlopen(outgoing, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            return bytes(answer.read())
    except urllib.error.HTTPError as error:
        raise FetchError(f"{request.url} answered {error.code}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise FetchError(f"{request.url} could not be reached: {error}") from error
