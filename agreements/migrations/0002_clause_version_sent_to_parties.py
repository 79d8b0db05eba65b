from django.db import migrations, models


class Migration(migrations.Migration):
    """A clause is edited with the same conflict check as other records: its
    link to the version is renamed so ``version`` is the edit counter."""

    dependencies = [
        ("agreements", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="clause", name="uniq_clause_key"),
        migrations.RenameField(model_name="clause", old_name="version", new_name="agreement_version"),
        migrations.AddField(
            model_name="clause",
            name="version",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddConstraint(
            model_name="clause",
            constraint=models.UniqueConstraint(
                fields=("agreement_version", "key"), name="uniq_clause_key"
            ),
        ),
        migrations.AddField(
            model_name="agreementversion",
            name="sent_to_parties_on",
            field=models.DateField(blank=True, null=True, verbose_name="sent to the parties on"),
        ),
    ]
