"""An opaque id for each questionnaire response, for the FHIR API."""

import uuid

from django.db import migrations, models

from pathway.core.migration_steps import fill_uuids


class Migration(migrations.Migration):
    dependencies = [
        ("proms", "0008_timepoint_opens_at_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="questionnaireresponse",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(
            fill_uuids("proms", "QuestionnaireResponse", "public_id"), migrations.RunPython.noop
        ),
        migrations.AlterField(
            model_name="questionnaireresponse",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
        ),
    ]
