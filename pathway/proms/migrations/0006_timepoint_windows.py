"""Questionnaire windows: each time point opens and closes (pathway.proms.windows). The old
expires_at becomes closes_at, empty for a baseline until the event that closes it; opens_at is
filled by 0007 and required from 0008."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("proms", "0005_report_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="promtimepoint", name="timepoint_expiry"),
        migrations.RenameField(
            model_name="promtimepoint", old_name="expires_at", new_name="closes_at"
        ),
        migrations.AlterField(
            model_name="promtimepoint",
            name="closes_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="promtimepoint",
            name="opens_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddIndex(
            model_name="promtimepoint",
            index=models.Index(fields=["state", "closes_at"], name="timepoint_closing"),
        ),
        migrations.AlterField(
            model_name="promtimepoint",
            name="state",
            field=models.CharField(
                choices=[
                    ("scheduled", "Scheduled"),
                    ("open", "Waiting for the person"),
                    ("completed", "Completed"),
                    ("not_responded", "Not answered in time"),
                    ("cancelled", "Cancelled"),
                ],
                default="scheduled",
                max_length=15,
            ),
        ),
        migrations.AlterModelOptions(
            name="patientlink", options={"verbose_name": "questionnaire link"}
        ),
        migrations.CreateModel(
            name="QuestionnaireStop",
            fields=[],
            options={
                "verbose_name": "questionnaire messages stopped from the person's link",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("proms.patientlink",),
        ),
    ]
