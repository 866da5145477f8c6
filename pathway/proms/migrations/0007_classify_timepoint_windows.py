"""Give every existing time point its window and the state the window implies.

- baseline: opens at the referral; closes at the first discharge or, before it, at the first
  attended contact that closes it (PROM_BASELINE_CLOSES_AT), or stays open;
- discharge, 6 and 12 months: the configured days around the due date;
- a time point completed only after its window closed, or still waiting when it closed, is "not
  answered in time"; one marked not responded whose window is still open (a baseline before
  treatment, a follow-up within its longer window) is open again.
Answers are not touched: QuestionnaireResponse.objects.in_window() leaves out those given
outside their window. The defaults are copied here so that this migration means the same
thing whatever later code says.
"""

import datetime

from django.conf import settings
from django.db import migrations
from django.db.models import Min
from django.utils import timezone

BEFORE_DAYS = {"discharge": 0, "month_6": 0, "month_12": 0}
AFTER_DAYS = {"discharge": 28, "month_6": 42, "month_12": 42}
BATCH = 2000


def _days(name, defaults):
    return {**defaults, **(getattr(settings, name, None) or {})}


def _first_by_episode(queryset, episode_ids, field):
    rows = (
        queryset.filter(episode_id__in=episode_ids)
        .order_by()
        .values("episode_id")
        .annotate(first=Min(field))
    )
    return {row["episode_id"]: row["first"] for row in rows}


def _state(entry, now):
    if entry.state == "cancelled":
        return "cancelled"
    closed = entry.closes_at is not None and entry.closes_at <= now
    if entry.state == "completed" and entry.completed_at is not None:
        in_time = entry.closes_at is None or entry.completed_at < entry.closes_at
        if in_time:
            return "completed"
    if closed:
        return "not_responded"
    return "open" if entry.opens_at <= now else "scheduled"


def classify(apps, schema_editor):
    PromTimepoint = apps.get_model("proms", "PromTimepoint")
    Appointment = apps.get_model("care", "Appointment")
    EpisodeTransition = apps.get_model("care", "EpisodeTransition")
    before = _days("PROM_WINDOW_BEFORE_DAYS", BEFORE_DAYS)
    after = _days("PROM_WINDOW_AFTER_DAYS", AFTER_DAYS)
    closing_kinds = ["follow_up"]
    if getattr(settings, "PROM_BASELINE_CLOSES_AT", "") == "first_assessment":
        closing_kinds.append("first_assessment")
    contacts = Appointment.objects.filter(outcome="attended", kind__in=closing_kinds)
    discharges = EpisodeTransition.objects.filter(to_state="discharged")
    now = timezone.now()

    entries = PromTimepoint.objects.select_related("episode").order_by("pk")
    last_pk = 0
    while True:
        batch = list(entries.filter(pk__gt=last_pk)[:BATCH])
        if not batch:
            break
        last_pk = batch[-1].pk
        baseline_episodes = [e.episode_id for e in batch if e.timepoint == "baseline"]
        first_contact = _first_by_episode(contacts, baseline_episodes, "starts_at")
        first_discharge = _first_by_episode(discharges, baseline_episodes, "at")
        for entry in batch:
            if entry.timepoint == "baseline":
                entry.opens_at = min(entry.episode.referred_at, entry.due_at)
                events = [
                    moment
                    for moment in (
                        first_contact.get(entry.episode_id),
                        first_discharge.get(entry.episode_id),
                        entry.episode.discharged_at,
                    )
                    if moment is not None
                ]
                entry.closes_at = min(events) if events else None
            else:
                entry.opens_at = entry.due_at - datetime.timedelta(days=before[entry.timepoint])
                entry.closes_at = entry.due_at + datetime.timedelta(days=after[entry.timepoint])
            entry.state = _state(entry, now)
        PromTimepoint.objects.bulk_update(batch, ["opens_at", "closes_at", "state"])


def unclassify(apps, schema_editor):
    # Going back, closes_at is required again (as expires_at): the old link expiry.
    PromTimepoint = apps.get_model("proms", "PromTimepoint")
    for entry in PromTimepoint.objects.filter(closes_at__isnull=True).iterator():
        entry.closes_at = entry.due_at + datetime.timedelta(days=28)
        entry.save(update_fields=["closes_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0007_report_indexes"),
        ("proms", "0006_timepoint_windows"),
    ]

    operations = [migrations.RunPython(classify, unclassify)]
