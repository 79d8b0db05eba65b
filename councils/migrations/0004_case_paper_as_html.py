"""The case paper becomes rich text: the plain text written so far turns into
escaped paragraphs (a blank line between paragraphs, a line break kept as
one), and its text is kept beside it for search (``paper_text``)."""

from typing import Any

from django.db import migrations, models

from core.richtext import text_of, to_html

FIELDS = ("background", "assessment", "proposed_decision")
BATCH = 500


def convert(row: Any, to: Any) -> None:
    """One case's paper through ``to`` (``to_html`` forwards: plain text
    becomes paragraphs, HTML stays as it is; ``text_of`` backwards), with its
    text for search."""
    for name in FIELDS:
        setattr(row, name, to(getattr(row, name)))
    row.paper_text = "\n\n".join(text for name in FIELDS if (text := text_of(getattr(row, name))))


def _each_case(apps: Any, to: Any) -> None:
    Case = apps.get_model("councils", "Case")
    batch = []
    for row in Case.objects.only("pk", *FIELDS).iterator(chunk_size=BATCH):
        convert(row, to)
        batch.append(row)
        if len(batch) == BATCH:
            Case.objects.bulk_update(batch, [*FIELDS, "paper_text"])
            batch = []
    if batch:
        Case.objects.bulk_update(batch, [*FIELDS, "paper_text"])


def forwards(apps: Any, schema_editor: Any) -> None:
    _each_case(apps, to_html)


def backwards(apps: Any, schema_editor: Any) -> None:
    _each_case(apps, text_of)


class Migration(migrations.Migration):
    dependencies = [
        ("councils", "0003_votes_attachments"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="paper_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(forwards, backwards),
    ]
