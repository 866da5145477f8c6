"""List the records of care past their keep-until date: a DRY RUN that changes nothing.

Destroying records is a manual step approved by the Information Governance lead
(docs/operations.md); this command only says what that step would remove. It prints internal
row ids and counts, never names, NHS numbers or dates of birth, so its output can be shared
with the people who approve the destruction.
"""

import argparse
import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from pathway.reports.retention import retention_review

DRY_RUN = "DRY RUN: nothing has been changed or destroyed."


class Command(BaseCommand):
    help = (
        "Dry run only: list episodes of care (and referrals that never opened one) whose "
        "keep-until date has passed, grouped by patient id, with the rows destroying them "
        "would remove. Changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=_date,
            default=None,
            help="review as of this date (YYYY-MM-DD); default: today",
        )

    def handle(self, *args, today=None, **options):
        review = retention_review(today=today or timezone.localdate())
        write = self.stdout.write
        write(DRY_RUN)
        write(
            f"Records past their keep-until date on {review.today:%Y-%m-%d} "
            f"(kept {review.years} years after care ends)."
        )
        if not review.patients:
            write("Nothing is past its keep-until date.")
        for patient in review.patients:
            write("")
            if patient.nothing_left:
                left = "nothing of theirs would be left"
            else:
                left = (
                    f"still kept: {patient.kept_episodes} episode(s), "
                    f"{patient.kept_referrals} referral(s) without an episode"
                )
            write(f"Patient id {patient.patient_id} ({left})")
            for episode in patient.episodes:
                write(
                    f"  Episode id {episode.episode_id}, keep until "
                    f"{episode.retain_until:%Y-%m-%d}, would remove {_rows(episode.rows)}"
                )
                if episode.kept_returns:
                    write(
                        f"    linked from {episode.kept_returns} later episode(s) still kept "
                        "(clear their return link first)"
                    )
            for referral in patient.referrals:
                write(
                    f"  Referral id {referral.referral_id} (no episode: {referral.outcome}), "
                    f"keep until {referral.retain_until:%Y-%m-%d}"
                )
            if patient.patient_rows:
                write(f"  and the person's own rows: {_rows(patient.patient_rows)}")
        gone = [p.patient_id for p in review.patients if p.nothing_left]
        write("")
        write(f"Patients who would have no records left: {', '.join(map(str, gone)) or 'none'}")
        write(f"Rows that destruction would remove: {_rows(review.totals()) or 'none'}")
        write(
            f"Audit events kept: {review.audit_events_kept} event(s) name these patients; the "
            "audit trail has no foreign key to the patient and is never destroyed with a record."
        )
        write(f"{DRY_RUN} Destruction is a manual, approved step: see docs/operations.md.")


def _rows(counts):
    return ", ".join(f"{label}: {count}" for label, count in counts.items() if count)


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"give a date as YYYY-MM-DD, not {value!r}") from None
