from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

from pathway.clinical.retention import retain_until

BATCH = 1000


def backfill_closed_episodes(apps, schema_editor):
    """Give every episode already discharged its keep-until date, by the rule of today's code.

    The rule is the pure function (no models), so importing it here cannot drift with the
    model classes; the years are the setting when the migration runs.
    """
    Episode = apps.get_model("care", "Episode")
    closed = Episode.objects.filter(discharged_at__isnull=False, retain_until__isnull=True)
    changed = []
    for episode in closed.only("id", "discharged_at").iterator(chunk_size=BATCH):
        episode.retain_until = retain_until(
            timezone.localdate(episode.discharged_at), years=settings.RETENTION_YEARS
        )
        changed.append(episode)
        if len(changed) == BATCH:
            Episode.objects.bulk_update(changed, ["retain_until"])
            changed = []
    Episode.objects.bulk_update(changed, ["retain_until"])


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0004_episode_lead_clinician"),
    ]

    operations = [
        migrations.AddField(
            model_name="episode",
            name="retain_until",
            field=models.DateField(blank=True, db_index=True, editable=False, null=True),
        ),
        # Reversing drops the column, so there is nothing to undo.
        migrations.RunPython(backfill_closed_episodes, migrations.RunPython.noop),
    ]
