from django.db import migrations, models
from django.db.models import Q


def fill_source(apps, schema_editor):
    # Before self-referral, a referral was the web form's when a member of staff made it and a
    # GP system's otherwise (it named its practitioner in `referrer`).
    Referral = apps.get_model("referrals", "Referral")
    Referral.objects.filter(referred_by__isnull=False).update(source="gp_form")
    Referral.objects.filter(referred_by__isnull=True).update(source="gp_system")


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0004_referrer_for_api_referrals"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="source",
            field=models.CharField(
                choices=[
                    ("gp_form", "GP (web form)"),
                    ("gp_system", "GP (practice's GP system)"),
                    ("self_referral", "Self-referral"),
                ],
                default="gp_form",
                max_length=20,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_source, migrations.RunPython.noop, elidable=True),
        migrations.RemoveConstraint(model_name="referral", name="referral_names_its_referrer"),
        migrations.AddConstraint(
            model_name="referral",
            constraint=models.CheckConstraint(
                condition=Q(source="gp_form", referred_by__isnull=False)
                | Q(source="gp_system", referred_by__isnull=True) & ~Q(referrer="")
                | Q(source="self_referral", referred_by__isnull=True, referrer=""),
                name="referral_source_names_its_referrer",
            ),
        ),
    ]
