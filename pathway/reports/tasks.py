"""Celery tasks of the reports: thin, safe to run twice (each scope's summary is one row)."""

from celery import shared_task

from pathway.reports import outcomes


@shared_task
def refresh_outcome_summaries():
    """The beat job: recompute every manager's default outcomes report."""
    return outcomes.refresh_outcome_summaries()
