from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("proms", "0007_classify_timepoint_windows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="promtimepoint",
            name="opens_at",
            field=models.DateTimeField(),
        ),
    ]
