"""The change history speaks the reader's language and local time: field
names without a verbose name of their own are named by the model they point
to, actions in words of the catalogue, times in Oslo time."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone, translation

from core.services import history_for
from councils.models import Meeting


def test_labels_actions_and_times_are_in_norwegian_and_local_time(people: Any) -> None:
    meeting = (
        Meeting.objects.filter(status=Meeting.Status.PLANNED).select_related("council").first()
    )
    assert meeting is not None
    # A moment no demo meeting has, whatever day the demo was built on.
    meeting.starts_at = datetime.datetime(2031, 1, 23, 8, 0, tzinfo=datetime.UTC)
    meeting.save()
    with translation.override("nb"):
        entries = history_for(meeting)
        labels = [label for entry in entries for label, _before, _after in entry.changes]
        actions = {entry.action for entry in entries}
        moved = next(
            after
            for entry in entries
            for label, _b, after in entry.changes
            if "start" in label.lower()
        )
    assert "council" not in labels and "råd" in labels  # the related model's name
    assert actions <= {"Opprettet", "Endret", "Slettet", "Lest"}
    assert "Endret" in actions
    # 08:00 UTC is 09:00 in Oslo in January, written the Norwegian way.
    assert moved == "23.01.2031 09:00", moved
    assert timezone.get_current_timezone_name() == "Europe/Oslo"
