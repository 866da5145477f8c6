"""Demo organisations, one user per role, synthetic patients and referrals in every state.

Beside the named people, a few hundred generated episodes over two years (the region generator
at size tiny) give the demo's lists, reports and outcomes realistic numbers.

Safe to run twice: organisations, users and patients are updated in place, the named people's
referrals are only made when they have none yet, and the generated care only once.
"""

import datetime
import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from pathway.accounts.models import Role, User
from pathway.audit.context import DEMO_CONTEXT
from pathway.care.actions import discharge_episode, record_cppp_outcome
from pathway.demo import care as demo
from pathway.demo.generator import DEMO_NHS_PREFIX, attach_region, generate
from pathway.demo.referrals import refer
from pathway.organisations.models import CommissioningArea, GPPractice, ProviderService
from pathway.patients.models import Patient
from pathway.referrals.models import Referral

DEMO_PASSWORD = "demo-pathway-2026"  # noqa: S105 - documented in the README, demo data only

# The generated people's NHS numbers start here (999 050 000x), clear of the named people's.
GENERATED_NHS_START = str(DEMO_NHS_PREFIX)[:5]
GENERATED_SEED = 2026
GENERATED_YEARS = 2

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
    ("9990000050", "Eve", "Ellis", "1979-05-05", "female", "NE4 5EE", "practice_a"),
    ("9990000069", "Fred", "Foster", "1992-09-12", "male", "NE5 2FF", "practice_a"),
    ("9990000077", "Gina", "Green", "1966-12-01", "female", "NE6 1GG", "practice_a"),
    ("9990000085", "Harry", "Hill", "1984-02-17", "male", "NE7 7HH", "practice_a"),
    ("9990000093", "Isla", "Irwin", "1950-08-23", "female", "NE8 3II", "practice_a"),
    ("9990000107", "Jack", "Jones", "1948-04-04", "male", "NE9 9JJ", "practice_a"),
    ("9990000115", "Kira", "Khan", "1975-10-10", "female", "NE1 8KK", "practice_a"),
    ("9990000123", "Liam", "Lowe", "1988-03-03", "male", "NE2 4LL", "practice_a"),
    ("9990000131", "Mia", "Moss", "1970-06-06", "female", "NE3 5MM", "practice_a"),
    ("9990000158", "Noah", "Nash", "1982-07-07", "male", "NE4 6NN", "practice_a"),
    ("9990000247", "Pam", "Price", "1956-05-19", "female", "NE5 3PP", "practice_a"),
]


# People treated over a year ago, so the outcome tables have discharge, 6 and 12-month data.
COHORT = [
    ("9990000166", "Olivia"),
    ("9990000174", "Priya"),
    ("9990000182", "Quinn"),
    ("9990000190", "Rosa"),
    ("9990000204", "Sami"),
    ("9990000212", "Tom"),
    ("9990000220", "Uma"),
    ("9990000239", "Vic"),
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
        named = [row[0] for row in DEMO_PATIENTS]
        if Referral.objects.filter(patient__nhs_number__in=named).exists():
            self.stdout.write("Demo referrals already exist: left as they are.")
        else:
            self._referrals(organisations)
        if Patient.objects.filter(nhs_number__startswith=GENERATED_NHS_START).exists():
            self.stdout.write("Generated demo episodes already exist: left as they are.")
        else:
            self._generated(organisations)
        # The outcomes page serves stored summaries: compute them for the data just loaded.
        from pathway.reports.outcomes import refresh_outcome_summaries

        self.stdout.write(f"{refresh_outcome_summaries()} outcome summaries stored.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(DEMO_USERS)} users (password {DEMO_PASSWORD!r}), "
                f"{Patient.objects.count()} patients."
            )
        )

    def _referrals(self, organisations):
        """Referrals in every state, one returner, and the outcomes that end at the GP."""
        gp = User.objects.get(username="gp")
        ttp = User.objects.get(username="ttp")
        tyneside = organisations["service_a"]
        named = Patient.objects.filter(nhs_number__in=[row[0] for row in DEMO_PATIENTS])
        patient = {p.given_name: p for p in named}

        def send(name, **kwargs):
            kwargs.setdefault("service", tyneside)
            return refer(gp=kwargs.pop("gp", gp), patient=patient[name], **kwargs)

        send("Alice", risk="medium", days_ago=10)
        # A first episode at 67: a red flag that the GP considered and did not suspect serious
        # pathology for, so the referral went on and the TTP sees the flag.
        send(
            "Brian",
            risk="high",
            days_ago=3,
            answers={
                "urgency_severe_sleep_disturbance": True,
                "red_flag_new_onset_over_50_or_under_20": True,
                "red_flag_judgement": "not_suspected",
                "red_flag_judgement_reason": "Started after lifting a wardrobe; mechanical pattern "
                "on examination; no weight loss, no history of cancer, systemically well.",
            },
        )
        demo.book(send("Chloe", risk="medium", days_ago=12).episode, ttp, days=3)
        # Neck pain while her back episode is open: referred, and the TTP is shown the other.
        send("Chloe", risk="medium", days_ago=1, answers={"body_part": "neck"})
        eve = send("Eve", risk="high", days_ago=40).episode
        demo.assess_and_triage(eve, ttp, days=-30, outcome="core_therapy")
        demo.questionnaires(
            eve,
            ttp,
            "baseline",
            pain=7,
            odi_sections=[3, 2, 3, 3, 2, 2, 3, 2, 2, 3],
            eq5d_state="32342",
            vas=45,
            gad7=[2, 1, 2, 1, 1, 2, 1],
            phq9=[1, 2, 1, 2, 1, 1, 1, 0, 0],
            days=-30,
        )
        demo.therapy_sessions(eve, ttp, days=[-20, -10])
        demo.book(eve, ttp, days=4, kind="follow_up")
        fred = send("Fred", risk="medium", days_ago=30).episode
        demo.attend(demo.book(fred, ttp, days=-20), ttp, "did_not_attend")
        demo.attend(demo.book(fred, ttp, days=-6), ttp, "did_not_attend")
        demo.assess_and_triage(
            send("Kira", risk="low", days_ago=60).episode,
            ttp,
            days=-50,
            outcome="same_day_discharge",
        )
        demo.assess_and_triage(
            send("Liam", risk="high", days_ago=90).episode,
            ttp,
            days=-75,
            outcome="onward_referral",
            onward_destination="mri",
            onward_reason="Worsening leg pain and numbness: MRI lumbar spine",
            onward_sent_on=timezone.localdate() - datetime.timedelta(days=75),
        )
        mia = send("Mia", risk="high", days_ago=70).episode
        demo.assess_and_triage(mia, ttp, days=-60, outcome="cppp")
        record_cppp_outcome(context=DEMO_CONTEXT, episode=mia, outcome="joined", by=ttp)
        noah = send("Noah", risk="high", days_ago=65).episode
        demo.assess_and_triage(noah, ttp, days=-55, outcome="cppp")
        record_cppp_outcome(
            context=DEMO_CONTEXT, episode=noah, outcome="declined", decline_reason="work", by=ttp
        )
        gina = send("Gina", risk="medium", days_ago=200).episode
        demo.assess_and_triage(gina, ttp, days=-190, outcome="core_therapy")
        demo.questionnaires(
            gina,
            ttp,
            "baseline",
            pain=6,
            odi_sections=[3, 2, 2, 3, 2, 2, 2, 2, 1, 2],
            eq5d_state="22332",
            vas=50,
            gad7=[1, 1, 2, 1, 1, 1, 1],
            phq9=[1, 1, 1, 1, 1, 1, 0, 0, 0],
            days=-190,
        )
        demo.therapy_sessions(gina, ttp, days=[-180, -170, -160])
        # Discharge opens the discharge questionnaires' window; then it all moves 120 days back.
        discharge_episode(context=DEMO_CONTEXT, episode=gina, reason="treatment_complete", by=ttp)
        demo.questionnaires(
            gina,
            ttp,
            "discharge",
            pain=3,
            odi_sections=[1, 1, 1, 1, 1, 1, 1, 1, 0, 1],
            eq5d_state="21221",
            vas=75,
            gad7=[0, 1, 1, 0, 1, 0, 0],
            phq9=[0, 1, 0, 1, 0, 1, 0, 0, 0],
        )
        demo.move_discharge_back(gina, days=120)
        # Gina Green stays discharged (120 days ago, no open episode), so the README's
        # returner walk-through can refer her again. Kira, discharged at her assessment 50
        # days ago, is back with new symptoms: the TTP's returner.
        send(
            "Kira",
            risk="medium",
            days_ago=0,
            answers={
                "return_kind": "new_symptoms",
                "return_justification": "New pain down the left leg after a fall last week",
            },
        )
        cohort = [
            Patient.objects.update_or_create(
                nhs_number=number,
                defaults={
                    "given_name": given,
                    "family_name": "Cohort",
                    "date_of_birth": datetime.date(1950 + 3 * index, 1 + index, 10),
                    "sex": "female" if index % 2 else "male",
                    "postcode": "NE1 1AA",
                    "email": f"{given.lower()}@example.com",
                    "consents_to_contact": True,
                    "registered_practice": organisations["practice_a"],
                },
            )[0]
            for index, (number, given) in enumerate(COHORT)
        ]
        demo.outcome_cohort(
            gp=gp, ttp=ttp, service=tyneside, patients=cohort, rng=random.Random(2026)
        )
        send("Harry", risk="low", answers={"decision": "discharge_with_advice"}, days_ago=7)
        send("Isla", answers={"red_flag_bilateral_sciatica": True}, days_ago=2)
        # A past history of cancer: the GP suspects serious pathology, as the template
        # recommends, and sends her on the suspected-cancer pathway instead.
        send(
            "Pam",
            answers={"red_flag_history_of_cancer": True, "red_flag_judgement": "suspected"},
            days_ago=4,
        )
        send("Jack", answers={"exclusion_housebound": True}, days_ago=5)
        send(
            "Dev",
            gp=User.objects.get(username="gp.other"),
            days_ago=8,
            service=organisations["service_b"],
        )

    def _generated(self, organisations):
        """Generated care at the demo's practices and services (mostly Quayside to Tyneside),
        seen by the demo's own GPs and TTPs."""
        region = attach_region(
            homes=[
                (organisations["practice_a"], organisations["service_a"], 3.0),
                (organisations["practice_b"], organisations["service_b"], 1.0),
            ],
            rng=random.Random(GENERATED_SEED),
        )
        result = generate(
            size="tiny",
            seed=GENERATED_SEED,
            years=GENERATED_YEARS,
            region=region,
            nhs_prefix=DEMO_NHS_PREFIX,
        )
        self.stdout.write(
            f"Generated {result.episodes} demo episodes over {GENERATED_YEARS} years."
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
                # People in the area may refer themselves here (/self-referral/TYNE-MSK/).
                "accepts_self_referral": True,
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
