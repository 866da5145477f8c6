"""Recompute the stored outcomes reports now, in this process: for the release step (a new
EQ-5D value set or new code makes the stored ones unusable until then) and for cron."""

from django.core.management.base import BaseCommand

from pathway.reports.outcomes import refresh_outcome_summaries


class Command(BaseCommand):
    help = "Compute and store every manager's default outcomes report (the page serves these)."

    def handle(self, *args, **options):
        stored = refresh_outcome_summaries()
        self.stdout.write(f"{stored} outcome summar{'y' if stored == 1 else 'ies'} stored.")
