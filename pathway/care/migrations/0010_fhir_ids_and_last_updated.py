"""Opaque ids and last-changed times for the FHIR API (EpisodeOfCare, Appointment)."""

import uuid

import django.utils.timezone
from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

from pathway.core.migration_steps import fill_uuids


def last_changes(apps, schema_editor):
    """An episode last changed at its latest transition; an appointment when its outcome was
    recorded, or else when it was booked."""
    Episode = apps.get_model("care", "Episode")
    EpisodeTransition = apps.get_model("care", "EpisodeTransition")
    Appointment = apps.get_model("care", "Appointment")
    latest = (
        EpisodeTransition.objects.filter(episode=OuterRef("pk"))
        .values("episode")
        .annotate(at=Max("at"))
        .values("at")
    )
    Episode.objects.update(updated_at=Greatest(Coalesce(Subquery(latest), "referred_at"), "referred_at"))
    Appointment.objects.update(updated_at=Coalesce("outcome_recorded_at", "booked_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0009_transition_by_someone_not_staff"),
    ]

    operations = [
        migrations.AddField(
            model_name="episode",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True, db_index=True, default=django.utils.timezone.now
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="appointment",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True, db_index=True, default=django.utils.timezone.now
            ),
            preserve_default=False,
        ),
        migrations.RunPython(last_changes, migrations.RunPython.noop),
        migrations.AddField(
            model_name="appointment",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(
            fill_uuids("care", "Appointment", "public_id"), migrations.RunPython.noop
        ),
        migrations.AlterField(
            model_name="appointment",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
        ),
    ]
