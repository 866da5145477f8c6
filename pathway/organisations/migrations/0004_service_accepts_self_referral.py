from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0003_separate_widespread_and_chronic_pain_calendar_returner_window"),
    ]

    operations = [
        migrations.AddField(
            model_name="providerservice",
            name="accepts_self_referral",
            field=models.BooleanField(
                default=False,
                help_text="People may refer themselves to this service online, without seeing "
                "their GP.",
            ),
        ),
    ]
