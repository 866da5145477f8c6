"""A synthetic region at a chosen size, written fast (COPY on PostgreSQL).

`generate` makes the region's organisations and staff (or attaches to existing ones), then
lives referrals forward in time order, in chunks that are written and committed as they go:
memory stays flat whatever the size. Parameters and their sources: distributions.py.
"""

import bisect
import datetime
import heapq
import itertools
import math
import random
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from pathway.accounts.models import User
from pathway.demo.generator import distributions as d
from pathway.demo.generator.bulk_indexes import indexes_set_aside
from pathway.demo.generator.care import refer_episode
from pathway.demo.generator.context import LOCAL, UTC, Context, Ids
from pathway.demo.generator.draws import pick
from pathway.demo.generator.names import nhs_numbers_from
from pathway.demo.generator.organisations import attach_region, build_region
from pathway.demo.generator.parallel import live_in_parallel
from pathway.demo.generator.referrals import new_person, referral_ending_at_gp
from pathway.demo.generator.writer import CARE_MODELS, RowWriter

__all__ = ["DEMO_NHS_PREFIX", "GenerationResult", "attach_region", "episodes_for", "generate"]

CHUNK_EPISODES = 5_000
GROUPS = tuple(d.OUTCOME_GROUP_WEIGHTS)
GROUP_WEIGHTS = tuple(itertools.accumulate(d.OUTCOME_GROUP_WEIGHTS.values()))
GP_ENDED = ("gp_discharged", "redirected", "excluded")
GP_ENDED_WEIGHTS = (d.GP_DISCHARGED_SHARE, d.REDIRECTED_SHARE, d.EXCLUDED_SHARE)
# Generated NHS numbers (test range): a region from 999 100 000x, the demo's from 999 050 000x,
# clear of the demo's named people (999 000 00xx).
REGION_NHS_PREFIX = 999_100_000
DEMO_NHS_PREFIX = 999_050_000
# From this many episodes, the care tables' indexes are built after the load, not during it.
SET_INDEXES_ASIDE_FROM = 50_000
CARE_TABLES = [model._meta.db_table for model in CARE_MODELS]


@dataclass
class GenerationResult:
    counts: dict  # model -> rows written
    seconds: float
    bench_users: dict  # username -> user id
    episodes: int


def episodes_for(size):
    """Episodes for a named size or a number."""
    if str(size) in d.SIZES:
        return d.SIZES[str(size)]
    episodes = int(size)
    if episodes < 1:
        raise ValueError("the size must be tiny, small, large or a number of episodes")
    return episodes


def generate(
    *,
    size,
    seed=1,
    years=10,
    region=None,
    nhs_prefix=REGION_NHS_PREFIX,
    report=None,
    workers=1,
    now=None,
):
    """Generate `size` episodes over `years` up to `now` (default: the present; tests fix it,
    so that a seed gives the same region whatever the day). `region`: an attach_region() result to
    add care to existing organisations; None makes a new region. `report(text)` gets progress.
    `workers` > 1 (PostgreSQL, outside a transaction) lives the care in that many processes:
    see parallel.py."""
    started = time.monotonic()
    report = report or (lambda text: None)
    episodes = episodes_for(size)
    rng = random.Random(seed)
    writer = RowWriter()
    ids = Ids(writer.next_ids())
    now = now or timezone.now()
    if region is None:
        region = build_region(rng=rng, writer=writer, ids=ids, episodes=episodes)
        writer.flush()
        report(
            f"Region: {len(region.services)} services, {len(region.practices)} practices, "
            f"{writer.counts()[User]} staff"
        )
    # A large load into PostgreSQL builds the care tables' indexes once at the end (see
    # bulk_indexes.py); a small one, or one inside a transaction (tests), keeps them.
    set_aside = writer.bulk and episodes >= SET_INDEXES_ASIDE_FROM
    writer.flush()
    with indexes_set_aside(CARE_TABLES, enabled=set_aside, report=report):
        if workers > 1:
            writer.finish()
            counts, lived = live_in_parallel(
                workers=workers,
                live=lambda worker_rng, worker_ids, share, numbers, worker_report: _live_share(
                    worker_rng, worker_ids, region, now, numbers, share, years, worker_report
                ),
                episodes=episodes,
                seed=seed,
                ids=ids,
                nhs_numbers=nhs_numbers_from(nhs_prefix),
                report=report,
                started=started,
            )
            counts = {model: writer.counts()[model] + counts.get(model, 0) for model in counts}
        else:
            ctx = Context(
                rng=rng,
                writer=writer,
                ids=ids,
                region=region,
                now=now,
                nhs_numbers=nhs_numbers_from(nhs_prefix),
            )
            try:
                _live(ctx, episodes, years, report, started)
            finally:
                writer.finish()
            counts, lived = writer.counts(), ctx.episodes
    with transaction.atomic():
        writer.reset_sequences()
    report("Updating the planner's statistics (VACUUM ANALYZE)")
    writer.vacuum_analyze([model for model, count in counts.items() if count])
    return GenerationResult(
        counts=counts,
        seconds=time.monotonic() - started,
        bench_users=region.bench_users,
        episodes=lived,
    )


def _live_share(rng, ids, region, now, nhs_numbers, episodes, years, report):
    """One worker's share of the care, with its own writer (and connection): (counts, episodes
    lived)."""
    started = time.monotonic()
    writer = RowWriter()
    ctx = Context(rng=rng, writer=writer, ids=ids, region=region, now=now, nhs_numbers=nhs_numbers)
    try:
        _live(ctx, episodes, years, report, started)
    finally:
        writer.finish()
    return writer.counts(), ctx.episodes


def _live(ctx, episodes, years, report, started):
    """Every referral in time order: new people, returners and consultations ending at the GP."""
    rng = ctx.rng
    new_episodes = round(episodes * (1 - d.RETURN_SHARE))
    gp_share = sum(GP_ENDED_WEIGHTS)
    consultations = round(new_episodes / (1 - gp_share))
    times = _referral_times(rng, consultations, years, ctx.now)
    practices = ctx.region.practices
    practice_weights = _cumulative([p.weight for p in practices])
    returns = []  # heap of (when, sequence, person): people coming back after a discharge
    sequence = 0
    chunk_start = ctx.episodes

    def flush(force=False):
        nonlocal chunk_start
        if force or ctx.episodes - chunk_start >= CHUNK_EPISODES:
            ctx.writer.flush()
            chunk_start = ctx.episodes
            _progress(report, ctx, episodes, started)

    def returning_until(limit):
        while returns and returns[0][0] <= limit:
            when, _, person = heapq.heappop(returns)
            group = pick(rng, GROUPS, GROUP_WEIGHTS)
            episode(person, when, group)

    def episode(person, when, group):
        nonlocal sequence
        service = _service_for(ctx, person.practice)
        discharged_at = refer_episode(ctx, person, when, group=group, service=service)
        if discharged_at is not None and rng.random() < d.RETURN_SHARE:
            gap = rng.gammavariate(d.RETURN_GAP_SHAPE, d.RETURN_GAP_MEAN_DAYS / d.RETURN_GAP_SHAPE)
            gap = min(max(gap, d.RETURN_GAP_RANGE[0]), d.RETURN_GAP_RANGE[1])
            back = discharged_at + datetime.timedelta(days=gap)
            if back <= ctx.now:
                sequence += 1
                heapq.heappush(returns, (back, sequence, person))
        flush()

    for when in times:
        returning_until(when)
        practice = practices[bisect.bisect(practice_weights, rng.random() * practice_weights[-1])]
        if rng.random() < gp_share:
            outcome = rng.choices(GP_ENDED, weights=GP_ENDED_WEIGHTS)[0]
            referral_ending_at_gp(ctx, new_person(ctx, practice, "care", when), when, outcome)
            continue
        group = pick(rng, GROUPS, GROUP_WEIGHTS)
        episode(new_person(ctx, practice, group, when), when, group)
    returning_until(ctx.now)
    flush(force=True)


def _service_for(ctx, practice):
    if ctx.rng.random() < d.HOME_SERVICE_SHARE:
        return practice.home_service
    return ctx.rng.choice(ctx.region.services_by_area[practice.area_id])


def _cumulative(weights):
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _referral_times(rng, count, years, now):
    """`count` referral moments over `years` up to now, sorted, with seasonality, weekdays and
    growth (distributions.MONTH_WEIGHTS, WEEKDAY_WEIGHTS, YEARLY_GROWTH)."""
    today = now.astimezone(LOCAL).date()
    first = today - datetime.timedelta(days=round(years * 365.25))
    days = [first + datetime.timedelta(days=n) for n in range((today - first).days + 1)]
    weights = _cumulative(
        d.MONTH_WEIGHTS[day.month - 1]
        * d.WEEKDAY_WEIGHTS[day.weekday()]
        * math.pow(1 + d.YEARLY_GROWTH, (day - first).days / 365.25)
        for day in days
    )
    chosen = sorted(bisect.bisect(weights, rng.random() * weights[-1]) for _ in range(count))
    times = []
    for index in chosen:
        day = days[min(index, len(days) - 1)]
        minute = rng.randint(8 * 60, 18 * 60 - 1)
        when = datetime.datetime(
            day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=LOCAL
        ).astimezone(UTC)
        times.append(min(when, now - datetime.timedelta(minutes=5)))
    times.sort()
    return times


def _progress(report, ctx, episodes, started):
    counts = ctx.writer.counts()
    main = ", ".join(
        f"{model._meta.verbose_name_plural} {counts[model]:,}"
        for model in ctx.writer.tables
        if counts[model] and model._meta.app_label in {"referrals", "care", "proms", "messaging"}
    )
    report(f"{ctx.episodes:,}/{episodes:,} episodes, {time.monotonic() - started:.0f} s: {main}")
