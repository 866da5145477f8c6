"""Demo organisations, one user per role, and a few synthetic patients. Safe to run twice."""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction

from pathway.accounts.models import Role, User
from pathway.organisations.models import CommissioningArea, GPPractice, ProviderService
from pathway.patients.models import Patient

DEMO_PASSWORD = "demo-pathway-2026"  # noqa: S105 - documented in the README, demo data only

# username, first name, last name, role, organisation key
DEMO_USERS = [
    ("gp", "Grace", "Pinder", Role.GP, "practice_a"),
    ("gp.other", "Owen", "Ridley", Role.GP, "practice_b"),
    ("ttp", "Tara", "Tindall", Role.TTP, "service_a"),
    ("ttp.other", "Sam", "Oduya", Role.TTP, "service_b"),
    ("manager", "Mina", "Grey", Role.MANAGER, "service_a"),
    ("admin", "Adam", "Iqbal", Role.ADMINISTRATOR, None),
]

# Synthetic people. NHS numbers are from the 999 test range and pass the modulus 11 check.
DEMO_PATIENTS = [
    ("9990000018", "Alice", "Armstrong", "1971-03-14", "female", "NE1 4LP", "practice_a"),
    ("9990000026", "Brian", "Bell", "1958-11-02", "male", "NE2 1AB", "practice_a"),
    ("9990000034", "Chloe", "Carr", "1989-07-21", "female", "NE3 3XY", "practice_a"),
    ("9990000042", "Dev", "Dhillon", "1965-01-30", "male", "CA1 2DE", "practice_b"),
]


class Command(BaseCommand):
    help = "Load demo organisations, users (password in the README) and synthetic patients."

    @transaction.atomic
    def handle(self, *args, **options):
        organisations = self._organisations()
        for username, first, last, role, organisation_key in DEMO_USERS:
            self._user(username, first, last, role, organisations.get(organisation_key))
        for nhs_number, given, family, dob, sex, postcode, practice_key in DEMO_PATIENTS:
            Patient.objects.update_or_create(
                nhs_number=nhs_number,
                defaults={
                    "given_name": given,
                    "family_name": family,
                    "date_of_birth": datetime.date.fromisoformat(dob),
                    "sex": sex,
                    "postcode": postcode,
                    "email": f"{given.lower()}@example.com",
                    "consents_to_contact": True,
                    "registered_practice": organisations[practice_key],
                },
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(DEMO_USERS)} users (password {DEMO_PASSWORD!r}), "
                f"{len(DEMO_PATIENTS)} patients."
            )
        )

    def _organisations(self):
        north, _ = CommissioningArea.objects.update_or_create(
            code="QHM", defaults={"name": "North East and North Cumbria"}
        )
        practice_a, _ = GPPractice.objects.update_or_create(
            ods_code="A99001", defaults={"name": "Quayside Medical Practice", "area": north}
        )
        practice_b, _ = GPPractice.objects.update_or_create(
            ods_code="A99002", defaults={"name": "Eden Valley Surgery", "area": north}
        )
        service_a, _ = ProviderService.objects.update_or_create(
            code="TYNE-MSK",
            defaults={
                "name": "Tyneside MSK Triage and Treat",
                "area": north,
                "phone": "0191 000 0000",
                "duty_clinician_email": "duty.tyneside@example.nhs.uk",
            },
        )
        service_b, _ = ProviderService.objects.update_or_create(
            code="CUMB-MSK",
            defaults={
                "name": "North Cumbria Back Pain Service",
                "area": north,
                "phone": "01228 000 000",
                "duty_clinician_email": "duty.cumbria@example.nhs.uk",
            },
        )
        return {
            "area": north,
            "practice_a": practice_a,
            "practice_b": practice_b,
            "service_a": service_a,
            "service_b": service_b,
        }

    def _user(self, username, first, last, role, organisation):
        organisation_field = {
            Role.GP: "practice",
            Role.TTP: "service",
            Role.MANAGER: "service",
        }.get(role)
        defaults = {
            "first_name": first,
            "last_name": last,
            "email": f"{username}@example.nhs.uk",
            "role": role,
            "practice": None,
            "service": None,
            "area": None,
            "is_staff": role == Role.ADMINISTRATOR,
            "is_superuser": role == Role.ADMINISTRATOR,
        }
        if organisation_field:
            defaults[organisation_field] = organisation
        user, _ = User.objects.update_or_create(username=username, defaults=defaults)
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        return user
