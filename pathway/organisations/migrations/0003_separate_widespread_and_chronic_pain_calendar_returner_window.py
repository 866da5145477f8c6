"""Service rules as the corrected clinical reference (section 2) reads them.

- Widespread pain and chronic (over a year) pain become separate rules. A service that had
  turned the combined rule on keeps chronic pain excluded; widespread pain is excluded by
  default for every service, since it also fails "primarily back or neck pain".
- The returner window counts calendar months instead of days: a stored number of days becomes
  the nearest whole number of months (365 days: 12 months), at least one.
"""

from django.db import migrations, models


def days_to_months(apps, schema_editor):
    ProviderService = apps.get_model("organisations", "ProviderService")
    for service in ProviderService.objects.all():
        months = max(1, round(service.returner_window_months * 12 / 365))
        ProviderService.objects.filter(pk=service.pk).update(returner_window_months=months)


def months_to_days(apps, schema_editor):
    ProviderService = apps.get_model("organisations", "ProviderService")
    for service in ProviderService.objects.all():
        days = round(service.returner_window_months * 365 / 12)
        ProviderService.objects.filter(pk=service.pk).update(returner_window_months=days)


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0002_service_rules"),
    ]

    operations = [
        migrations.RenameField(
            model_name="providerservice",
            old_name="exclude_widespread_chronic_pain",
            new_name="exclude_chronic_pain",
        ),
        migrations.AlterField(
            model_name="providerservice",
            name="exclude_chronic_pain",
            field=models.BooleanField(
                default=False,
                help_text="The AQP exclusion of chronic (over a year) musculoskeletal pain (off "
                "by default: the later pathway accepted every duration).",
            ),
        ),
        migrations.AddField(
            model_name="providerservice",
            name="exclude_widespread_pain",
            field=models.BooleanField(
                default=True,
                help_text="The AQP exclusion of widespread musculoskeletal pain (on by default).",
            ),
        ),
        migrations.RenameField(
            model_name="providerservice",
            old_name="returner_window_days",
            new_name="returner_window_months",
        ),
        migrations.RunPython(days_to_months, months_to_days, elidable=True),
        migrations.AlterField(
            model_name="providerservice",
            name="returner_window_months",
            field=models.PositiveSmallIntegerField(
                default=12,
                help_text="A second referral for the same body part within this many calendar "
                "months of the last discharge needs a recorded justification.",
            ),
        ),
    ]
