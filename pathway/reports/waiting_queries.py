"""The waiting list's queries: who is waiting, the whole list's counts and order, one page of
people, and the 12-week history.

The page is built in a fixed number of queries whatever the length of the list, and Python
handles only the page shown: the rules become cutoff dates (pathway.reports.waiting_cutoffs),
so the database counts, filters and orders the whole list by comparing clock starts with
them; one page of people is then fetched with names (keyset: the rows after the last one
shown, pathway.core.keyset), for pathway.reports.waiting_tables to describe row by row with
the rules themselves (as it does every row for the CSV export); and the 12-week history is
one grouped query.
"""

import datetime
from collections import namedtuple
from dataclasses import replace

from django.db.models import Case, DateField, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from pathway.care.models import (
    Appointment,
    AppointmentKind,
    AppointmentOutcome,
    Episode,
    EpisodeState,
    Priority,
)
from pathway.clinical.dates import clamp
from pathway.core import keyset
from pathway.organisations.models import GPPractice, ProviderService
from pathway.reports.sql_values import compiled, fetch, values_cte
from pathway.reports.waiting_cutoffs import (
    latest_breaching_clock_start,
    latest_rtt_breaching_clock_start,
)
from pathway.reports.waiting_tables import (
    HISTORY_WEEKS,
    WAITING_FOR_ASSESSMENT,
    bank_holidays_around,
)

# Rows per page. Counts and breaches cover the whole list; names are fetched for one page.
PAGE_SIZE = 50
# The list's order: urgent first, then the longest waiting; the primary key last, so every
# person has one place.
LIST_KEYS = (
    keyset.Key("urgent_rank"),
    keyset.Key("clock_started_on"),
    keyset.Key("referred_at"),
    keyset.Key("pk"),
)
_ListKey = namedtuple("_ListKey", [key.name for key in LIST_KEYS])
OPEN_STATES = [state for state in EpisodeState.values if state != EpisodeState.DISCHARGED]
SUMMARY = ("waiting", "for_assessment", "for_treatment", "breaching", "urgent_breaching")


def today():
    """The report's "today"; tests replace it to check targets against fixed dates."""
    return timezone.localdate()


def _day_end(day):
    """The first moment after `day` ends, local time, for `< end` comparisons."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min)) + (
        datetime.timedelta(days=1)
    )


def practices(scope):
    """The practices of the manager's commissioning area(s): a GP refers only to services of
    its own area, so these are all the practices whose patients can be on the list."""
    areas = {service.area_id for service in scope.services}
    return list(GPPractice.objects.filter(area_id__in=areas).order_by("name"))


def filtered_episodes(user, scope, filters):
    """Every visible episode matching the filters other than breach (worked out in SQL)."""
    episodes = Episode.objects.visible_to(user)
    if scope.service:
        episodes = episodes.filter(service=scope.service)
    if "practice" in filters:
        episodes = episodes.filter(referral__practice=filters["practice"])
    if "priority" in filters:
        episodes = episodes.of_priority(filters["priority"])
    if "risk" in filters:
        episodes = episodes.at_startback_risk(filters["risk"])
    return episodes


def _episode_appointments():
    """Appointments of the outer (already visible) episode, for correlated subqueries.

    Not scoped again with visible_to: correlated to an episode the user may see, they can only
    read that episode's appointments, and a second scope would join care_episode once more per
    row (measured: the largest cost of the waiting list at the large size). The index
    appointment_episode_kind answers each from the index alone.
    """
    return Appointment.objects.filter(episode=OuterRef("pk"))


def _waiting(episodes):
    appointments = _episode_appointments()
    booked = (
        appointments.filter(kind=AppointmentKind.FIRST_ASSESSMENT, outcome="")
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )
    treated = appointments.filter(
        kind=AppointmentKind.FOLLOW_UP, outcome=AppointmentOutcome.ATTENDED
    )
    return (
        episodes.annotate_urgent_rank()
        .annotate(first_booked_at=Subquery(booked), treatment_started=Exists(treated))
        .filter(
            Q(state__in=WAITING_FOR_ASSESSMENT)
            | Q(state=EpisodeState.IN_TREATMENT, treatment_started=False)
        )
        .select_related("patient", "service", "referral__practice")
        .order_by(*(key.order_by() for key in LIST_KEYS))
    )


def everyone_waiting(episodes):
    """Every person among `episodes` waiting now, with names, in the list's order (the CSV)."""
    return list(_waiting(episodes))


def _narrow(episodes, *, on):
    """The list's rows with only what order, counts and breaches need (no names), and the
    date each person's first-assessment target is judged on (`as_of`): the booked
    appointment's date once one is booked, otherwise today, as in waiting_tables.booked_on."""
    return (
        _waiting(episodes)
        .annotate(
            as_of=Case(
                When(
                    state=EpisodeState.ASSESSMENT_BOOKED,
                    first_booked_at__isnull=False,
                    then=TruncDate("first_booked_at"),
                ),
                default=Value(on),
                output_field=DateField(),
            ),
        )
        .order_by()
    )


def _rules(services, service_ids):
    rules = {service.pk: service.rules for service in services}
    missing = set(service_ids) - set(rules)
    if missing:  # a service outside the chosen scope: not expected, but never wrong
        rules.update({s.pk: s.rules for s in ProviderService.objects.filter(pk__in=missing)})
    return rules


def _cutoffs(narrow, services, *, on):
    """[(service, priority, as of, target cutoff, 18-week cutoff)] for every combination on
    the list: one small grouped query, then one cutoff each (cached), whatever the list's
    length."""
    keys = sorted(set(narrow.values_list("service_id", "priority", "as_of").distinct()))
    if not keys:
        return []
    rules = _rules(services, {key[0] for key in keys})
    dates = [key[2] for key in keys]
    holidays = frozenset(bank_holidays_around(min(dates), max(*dates, on)))
    # A booked date outside the plausible window (a row stored before dates were checked) is
    # judged at the window's edge: its breach is still decided, and the row says the date is
    # out of range.
    return [
        (
            service_id,
            priority,
            as_of,
            latest_breaching_clock_start(clamp(as_of), priority, rules[service_id], holidays),
            latest_rtt_breaching_clock_start(on, rules[service_id]),
        )
        for service_id, priority, as_of in keys
    ]


def _index_sql(narrow, cutoffs):
    """(SQL, params): one line per person with pk, priority, for_assessment, target_breached,
    rtt_breached and the list's sort keys. A person is in breach of the first-assessment
    target when their clock started on or before the cutoff for their service, priority and
    as-of date; of 18 weeks when on or before their service's 18-week cutoff."""
    inner, inner_params = compiled(
        narrow.values(
            "pk",
            "service_id",
            "priority",
            "state",
            "clock_started_on",
            "referred_at",
            "as_of",
            "urgent_rank",
        )
    )
    cte, cte_params = values_cte(
        "cutoff", ["service_id", "priority", "as_of", "target_cutoff", "rtt_cutoff"], cutoffs
    )
    assessment = [str(state) for state in WAITING_FOR_ASSESSMENT]
    # A LEFT join: a booking made between the cutoffs' query and this one has no cutoff row;
    # that person then still counts as waiting (shown as not breaching until the next load)
    # rather than vanishing from the list.
    # Only fixed text and Django's compiled SQL are joined here; every value is a parameter.
    sql = (
        f"WITH {cte} SELECT w.pk AS pk, w.priority AS priority, "  # noqa: S608  # nosec B608
        "w.state IN (%s, %s) AS for_assessment, "
        "COALESCE(w.state IN (%s, %s) AND w.clock_started_on <= c.target_cutoff, FALSE)"
        " AS target_breached, "
        "COALESCE(w.clock_started_on <= c.rtt_cutoff, FALSE) AS rtt_breached, "
        "w.urgent_rank AS urgent_rank, w.clock_started_on AS clock_started_on, "
        "w.referred_at AS referred_at "
        f"FROM ({inner}) w LEFT JOIN cutoff c ON c.service_id = w.service_id "
        "AND c.priority = w.priority AND c.as_of = w.as_of"
    )
    return sql, [*cte_params, *assessment, *assessment, *inner_params]


SUMMARY_COLUMNS = (
    "COUNT(*)",
    "SUM(CASE WHEN i.for_assessment THEN 1 ELSE 0 END)",
    "SUM(CASE WHEN i.target_breached OR i.rtt_breached THEN 1 ELSE 0 END)",
    "SUM(CASE WHEN (i.target_breached OR i.rtt_breached) AND i.priority = %s THEN 1 ELSE 0 END)",
)


def _listed(episodes, services, *, on, breaching):
    """(`FROM ... i` SQL, params) of the whole list, breaching or not (None: either), as
    _index_sql's lines; None when nobody is waiting (no cutoffs to join)."""
    narrow = _narrow(episodes, on=on)
    cutoffs = _cutoffs(narrow, services, on=on)
    if not cutoffs:
        return None
    sql, params = _index_sql(narrow, cutoffs)
    if breaching is None:
        return f"FROM ({sql}) i", params
    return f"FROM ({sql}) i WHERE (i.target_breached OR i.rtt_breached) = %s", [*params, breaching]


def _summary(waiting, for_assessment, breaching, urgent_breaching):
    return {
        "waiting": waiting,
        "for_assessment": for_assessment or 0,
        "for_treatment": waiting - (for_assessment or 0),
        "breaching": breaching or 0,
        "urgent_breaching": urgent_breaching or 0,
    }


def _counts(listed):
    sql, params = listed
    return fetch(f"SELECT {', '.join(SUMMARY_COLUMNS)} {sql}", [str(Priority.URGENT), *params])[0]


def summary(episodes, services, *, on):
    """The list's counts: waiting, for assessment and treatment, breaching, urgent breaching."""
    listed = _listed(episodes, services, on=on, breaching=None)
    return _summary(*_counts(listed)) if listed else dict.fromkeys(SUMMARY, 0)


def current_summary(user, scope):
    """The waiting list's counts today, for the dashboard and the board report."""
    return summary(filtered_episodes(user, scope, {}), scope.services, on=today())


def _with_names(episodes, pks):
    """The episodes `pks`, fetched in full (patient, service, practice) in one query, in the
    order given."""
    by_pk = {episode.pk: episode for episode in _waiting(episodes).filter(pk__in=pks)}
    return [by_pk[pk] for pk in pks if pk in by_pk]


def waiting_page(episodes, services, *, on, breaching=None, cursor=None):
    """(keyset Page of Episodes with names, the whole list's counts) after or before the
    `cursor` text from the address (None, or one not ours: the first page); `breaching`
    True or False keeps only those breaching or not.

    One query gives the page's sort keys and, as window aggregates over the whole list
    (computed before the cursor's condition), its counts; only a cursor with no rows beyond
    it (gone stale) costs a separate count."""
    listed = _listed(episodes, services, on=on, breaching=breaching)
    if listed is None:
        return keyset.page_of([], LIST_KEYS, None, PAGE_SIZE), dict.fromkeys(SUMMARY, 0)
    sql, params = listed
    boundary = keyset.read_cursor(cursor, LIST_KEYS)
    column = "t.{}".format
    beyond, beyond_params = keyset.sql_beyond(LIST_KEYS, boundary, column)
    keys = ", ".join(f"i.{key.name}" for key in LIST_KEYS)
    windowed = ", ".join(
        f"{aggregate} OVER () AS n{number}" for number, aggregate in enumerate(SUMMARY_COLUMNS)
    )
    rows = fetch(
        f"SELECT * FROM (SELECT {keys}, {windowed} {sql}) t "  # noqa: S608  # nosec B608
        f"WHERE {beyond} ORDER BY {keyset.sql_order(LIST_KEYS, boundary, column)} LIMIT %s",
        [str(Priority.URGENT), *params, *beyond_params, PAGE_SIZE + 1],
    )
    if rows:
        counts = _summary(*rows[0][len(LIST_KEYS) :])
    else:  # nobody from the start, or nobody beyond a cursor that has gone stale
        counts = dict.fromkeys(SUMMARY, 0) if boundary is None else _summary(*_counts(listed))
    page = keyset.page_of(
        [_ListKey(*row[: len(LIST_KEYS)]) for row in rows], LIST_KEYS, boundary, PAGE_SIZE
    )
    named = _with_names(episodes, [key.pk for key in page.rows])
    return replace(page, rows=named), counts


# --- Weekly history ------------------------------------------------------------------------


def weekly_history(episodes, services, *, on):
    """[(week end, waiting for first assessment, of whom past their target)], oldest first.

    Waiting at a week's end: referred by then, not yet attended a first assessment and not
    discharged. The clock then is the current one if it had started by that week's end,
    otherwise the referral date (a later missed appointment restarted it). One grouped query:
    the week ends and each week's cutoffs (pathway.reports.waiting_cutoffs) are joined as
    small tables of values.
    """
    week_ends = [on - datetime.timedelta(weeks=back) for back in range(HISTORY_WEEKS - 1, -1, -1)]
    if not services:
        return [(week_end, 0, 0) for week_end in week_ends]
    holidays = frozenset(bank_holidays_around(week_ends[0], on))
    first_assessed = (
        _episode_appointments()
        .filter(kind=AppointmentKind.FIRST_ASSESSMENT, outcome=AppointmentOutcome.ATTENDED)
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    # Only episodes that can have been waiting at one of the week ends: referred by the last,
    # and not discharged before the first (an index range each, instead of every episode).
    first_end = _day_end(week_ends[0])
    candidates = (
        episodes.filter(referred_at__lt=_day_end(on))
        .filter(Q(state__in=OPEN_STATES) | Q(discharged_at__gte=first_end))
        .annotate(first_assessed_at=Subquery(first_assessed))
        .order_by()
        .values(
            "service_id",
            "priority",
            "referred_at",
            "clock_started_on",
            "discharged_at",
            "first_assessed_at",
        )
    )
    inner, inner_params = compiled(candidates)
    weeks, weeks_params = values_cte(
        "week",
        ["number", "week_end", "ends_at"],
        [(number, week_end, _day_end(week_end)) for number, week_end in enumerate(week_ends)],
    )
    rows = []
    for number, week_end in enumerate(week_ends):
        for service in services:
            for priority in Priority.values:
                cutoff = latest_breaching_clock_start(week_end, priority, service.rules, holidays)
                rows.append((number, service.pk, priority, cutoff, _day_end(cutoff)))
    cutoffs, cutoffs_params = values_cte(
        "cutoff", ["number", "service_id", "priority", "cutoff", "cutoff_ends_at"], rows
    )
    # Past the target at a week's end: the clock then started on or before the cutoff; or
    # the clock restarted after the week's end, and the referral (the clock then) was made by
    # the end of the cutoff day. The candidates are MATERIALIZED so that each one's first
    # assessment is looked up once, not once per week it is joined to.
    # Fixed text and Django's compiled SQL only; every value is a parameter.
    counted = fetch(
        f"WITH {weeks}, {cutoffs}, e AS MATERIALIZED ({inner}) "  # noqa: S608  # nosec B608
        "SELECT w.number, COUNT(*), SUM(CASE WHEN c.cutoff IS NOT NULL AND ("
        "e.clock_started_on <= c.cutoff OR (e.clock_started_on > w.week_end "
        "AND e.referred_at < c.cutoff_ends_at)) THEN 1 ELSE 0 END) "
        "FROM e INNER JOIN week w ON e.referred_at < w.ends_at "
        "AND (e.first_assessed_at IS NULL OR e.first_assessed_at >= w.ends_at) "
        "AND (e.discharged_at IS NULL OR e.discharged_at >= w.ends_at) "
        "LEFT JOIN cutoff c ON c.number = w.number AND c.service_id = e.service_id "
        "AND c.priority = e.priority "
        "GROUP BY w.number",
        [*weeks_params, *cutoffs_params, *inner_params],
    )
    totals = {number: (waiting, late or 0) for number, waiting, late in counted}
    return [(week_end, *totals.get(number, (0, 0))) for number, week_end in enumerate(week_ends)]
