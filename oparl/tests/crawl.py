"""Read the whole OParl API as a client does: the System, every Body, every
page of every list, and every object at its own id."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client

from oparl import records


def path_of(address: str) -> str:
    assert address.startswith(settings.SITE_URL), address
    return address[len(settings.SITE_URL) :]


def get(client: Client, address: str) -> Any:
    response = client.get(path_of(address))
    assert response.status_code == 200, (address, response.status_code)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


def pages(client: Client, address: str) -> list[dict[str, Any]]:
    """Every item of an external list, following ``next``."""
    items: list[dict[str, Any]] = []
    while True:
        page = get(client, address)
        assert set(page) >= {"data", "pagination", "links"}
        items += page["data"]
        address = page["links"].get("next")
        if address is None:
            assert page["pagination"]["currentPage"] == page["pagination"]["totalPages"]
            return items


def crawl(client: Client) -> dict[str, list[dict[str, Any]]]:
    """The objects by type, each list's objects and each fetched alone."""
    system = get(client, records.url(""))
    found: dict[str, list[dict[str, Any]]] = {"System": [system]}
    for body in pages(client, system["body"]):
        found.setdefault("Body", []).append(get(client, body["id"]))
        for name in records.LISTS:
            for item in pages(client, body[name]):
                kind = item["type"].rsplit("/", 1)[-1]
                found.setdefault(kind, []).append(item)
                alone = get(client, item["id"])
                assert alone == item
    return found
