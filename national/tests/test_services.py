"""Opting in and out, publishing, importing: whole or nothing, once, never
over a partnership held here, never over another file unasked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from national import exchange, services
from national.models import Snapshot
from partnerships.models import Partnership

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).parent / "samples" / "fjordkysten-2025.json"


def _file(**changes: Any) -> bytes:
    document = json.loads(SAMPLE.read_text())
    document["partnership"]["id"] = "vestkysten"
    document["partnership"]["name"] = "Helsefellesskap Vestkysten (test)"
    document.update(changes)
    return exchange.dumps(document)


def test_the_demo_compares_hnt_st_olav_and_an_imported_file(people: Any) -> None:
    year = timezone.localdate().year
    found = services.comparison(year)
    assert [s.identifier for s in found.snapshots] == ["fjordkysten", "hnt", "stolav"]
    assert [s.origin for s in found.snapshots] == ["imported", "published", "published"]
    meetings = found.line("aktivitet", "meetings_held")
    assert meetings is not None
    assert [c.value for c in meetings.cells][1] == exchange.build(
        Partnership.objects.get(slug="hnt"), year
    )["activity"]["meetings_held"]["value"]


def test_opting_out_withdraws_what_was_published_and_is_in_the_audit_trail(people: Any) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    LogEntry.objects.filter(content_type__model="snapshot").delete()
    published = Snapshot.objects.filter(partnership=hnt).count()
    assert published == 2
    assert services.set_sharing(hnt, False, by=people.sara) == published
    assert not Snapshot.objects.filter(partnership=hnt).exists()
    assert not services.public_snapshots().filter(identifier="hnt").exists()
    assert hnt.national_sharing.changed_by == people.sara
    # Each withdrawn year is in the audit trail (in a request, with its actor).
    deleted = LogEntry.objects.filter(
        content_type__model="snapshot", action=LogEntry.Action.DELETE
    ).count()
    assert deleted == published
    with pytest.raises(services.Refused):
        services.publish(hnt, timezone.localdate().year, by=people.sara)
    assert not Snapshot.objects.filter(partnership=hnt).exists()


def test_a_partnership_that_has_not_chosen_does_not_take_part(people: Any) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    hnt.national_sharing.delete()
    assert services.sharing_of(hnt).opted_in is False
    # Its years already published are no longer public either.
    assert not services.public_snapshots().filter(identifier="hnt").exists()


def test_publishing_again_replaces_the_year(people: Any) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    year = timezone.localdate().year
    first = Snapshot.objects.get(partnership=hnt, year=year)
    again = services.publish(hnt, year, by=people.ada)
    assert again.pk == first.pk and again.created_by == people.ada
    assert Snapshot.objects.filter(identifier="hnt", year=year).count() == 1


def test_a_year_out_of_range_is_refused(people: Any) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    with pytest.raises(services.Refused):
        services.publish(hnt, timezone.localdate().year + 1, by=people.sara)


def test_an_imported_file_is_stored_once_whole(people: Any) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    data = _file()
    outcome = services.import_file(
        hnt, file_name="v.json", data=data, by=people.sara, replace=False
    )
    assert outcome.snapshot is not None and not outcome.problems
    snapshot = outcome.snapshot
    assert snapshot.imported_for == hnt and snapshot.created_by == people.sara
    assert snapshot.data == json.loads(data)
    # The same file again (a double submit): the one record, unchanged.
    again = services.import_file(hnt, file_name="v.json", data=data, by=people.ada, replace=False)
    assert again.already and again.snapshot is not None and again.snapshot.pk == snapshot.pk
    assert Snapshot.objects.filter(identifier="vestkysten").count() == 1
    assert Snapshot.objects.get(pk=snapshot.pk).created_by == people.sara


def test_another_file_for_the_same_year_replaces_only_when_asked(people: Any) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    services.import_file(hnt, file_name="v.json", data=_file(), by=people.sara, replace=False)
    newer = _file(generated_at="2026-04-01T10:00:00+00:00")
    refused = services.import_file(
        hnt, file_name="w.json", data=newer, by=people.sara, replace=False
    )
    assert refused.snapshot is None
    assert "Replace" in refused.problems[0].message
    assert Snapshot.objects.get(identifier="vestkysten").file_name == "v.json"
    replaced = services.import_file(
        hnt, file_name="w.json", data=newer, by=people.sara, replace=True
    )
    assert replaced.replaced
    assert Snapshot.objects.get(identifier="vestkysten").file_name == "w.json"


def test_a_partnership_held_here_is_never_imported(people: Any) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    before = list(Snapshot.objects.values_list("pk", "sha256"))
    document = json.loads(SAMPLE.read_text())
    document["partnership"]["id"] = "stolav"
    outcome = services.import_file(
        hnt, file_name="s.json", data=exchange.dumps(document), by=people.sara, replace=True
    )
    assert outcome.snapshot is None and outcome.problems[0].where == "/partnership/id"
    assert list(Snapshot.objects.values_list("pk", "sha256")) == before


def test_a_broken_file_stores_nothing(people: Any) -> None:
    hnt = Partnership.objects.get(slug="hnt")
    before = Snapshot.objects.count()
    outcome = services.import_file(
        hnt, file_name="b.json", data=_file(version=7), by=people.sara, replace=True
    )
    assert outcome.snapshot is None and outcome.problems
    assert Snapshot.objects.count() == before
