"""The waiting list: everyone waiting for a first assessment or for treatment, against targets.

Targets and breaches come from pathway.clinical.waiting (the one definition), with each
service's own rules and England's bank holidays. The page is built in a fixed number of
queries whatever the length of the list, and Python handles only the page shown: the rules
become cutoff dates (pathway.reports.waiting_cutoffs), so the database counts, filters and
orders the whole list by comparing clock starts with them; the page's 50 rows are then fetched
with names and described row by row with the rules themselves (as is the CSV export); and the
12-week history is one grouped query.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, DateField, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import TruncDate
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from pathway.accounts.models import Role
from pathway.audit.actions import record_request_events, record_views
from pathway.audit.models import AuditAction
from pathway.care.lists import urgent_first
from pathway.care.models import (
    Appointment,
    AppointmentKind,
    AppointmentOutcome,
    Episode,
    EpisodeState,
    Priority,
)
from pathway.clinical.dates import clamp, is_plausible
from pathway.clinical.waiting import (
    breach,
    referral_to_treatment_deadline,
    target_date,
    working_days_between,
)
from pathway.core.permissions import role_required
from pathway.organisations.models import GPPractice, ProviderService
from pathway.reports.calendar import england_bank_holidays
from pathway.reports.charts import bar_chart
from pathway.reports.scope import report_scope
from pathway.reports.sql_values import compiled, fetch, values_cte
from pathway.reports.tables import Table, export_if_asked
from pathway.reports.waiting_cutoffs import (
    latest_breaching_clock_start,
    latest_rtt_breaching_clock_start,
)

LIST_SLUG = "waiting-list"
# Rows per page. Counts and breaches cover the whole list; names are fetched for one page.
PAGE_SIZE = 50
HISTORY_WEEKS = 12

# Filters read from the query string (besides `service` and `practice`, whose choices depend
# on who is asking): name -> {value: label}.
FILTERS = {
    "priority": dict(Priority.choices),
    "risk": {"low": "Low", "medium": "Medium", "high": "High"},
    "breach": {"yes": "Breaching a target", "no": "Within targets"},
}

WAITING_FOR_ASSESSMENT = (EpisodeState.AWAITING_TRIAGE, EpisodeState.ASSESSMENT_BOOKED)
OPEN_STATES = [state for state in EpisodeState.values if state != EpisodeState.DISCHARGED]

COLUMNS = [
    "Patient",
    "Waiting for",
    "Days waited",
    "Priority",
    "Service",
    "Practice",
    "STarT Back risk",
    "First assessment",
    "Target date",
    "18-week date",
    "Breach",
]

LIST_NOTE = (
    "Waiting for first assessment: awaiting triage or with a first assessment booked. "
    "Waiting for treatment: triaged to core therapy or CPPP, with no follow-up appointment "
    "recorded as attended yet (the first attended follow-up counts as the start of treatment; "
    "CPPP attendance is not recorded here, so people in a CPPP group stay listed until a "
    "follow-up is recorded). Days are counted from the waiting clock, which a missed first "
    "appointment restarts: working days (Monday to Friday, not England bank holidays) for "
    "urgent referrals, calendar days for standard. The first-assessment target is the "
    "service's own (urgent: working days; standard: calendar days) and is judged on the "
    "booked appointment's date once one is booked, otherwise on today. The 18-week date is the "
    "service's referral-to-treatment ceiling, judged on today."
)


def today():
    """The report's "today"; tests replace it to check targets against fixed dates."""
    return timezone.localdate()


def _date(day):
    return f"{day:%-d %b %Y}"


def _day_end(day):
    """The first moment after `day` ends, local time, for `< end` comparisons."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min)) + (
        datetime.timedelta(days=1)
    )


# --- Filters -----------------------------------------------------------------------------


def _practices(scope):
    """The practices of the manager's commissioning area(s): a GP refers only to services of
    its own area, so these are all the practices whose patients can be on the list."""
    areas = {service.area_id for service in scope.services}
    return list(GPPractice.objects.filter(area_id__in=areas).order_by("name"))


def _filters(query, practices):
    """The valid filters in `query`; a value that does not fit is dropped on its own."""
    filters = {name: query[name] for name, choices in FILTERS.items() if query.get(name) in choices}
    practice = next((p for p in practices if str(p.pk) == query.get("practice")), None)
    if practice:
        filters["practice"] = practice
    return filters


def _querystring(scope, filters):
    params = {}
    if scope.service and len(scope.services) > 1:
        params["service"] = scope.service.pk
    for name, value in filters.items():
        params[name] = value.pk if name == "practice" else value
    return urlencode(params)


def _episodes(user, scope, filters):
    """Every visible episode matching the filters other than breach (worked out per row)."""
    episodes = Episode.objects.visible_to(user)
    if scope.service:
        episodes = episodes.filter(service=scope.service)
    if "practice" in filters:
        episodes = episodes.filter(referral__practice=filters["practice"])
    if "priority" in filters:
        episodes = episodes.filter(priority=filters["priority"])
    if "risk" in filters:
        episodes = episodes.filter(referral__startback_risk=filters["risk"])
    return episodes


# --- The list ----------------------------------------------------------------------------


@dataclass
class WaitingRow:
    episode: Episode
    cells: list
    for_treatment: bool
    target_breached: bool
    rtt_breached: bool

    @property
    def breaching(self):
        return self.target_breached or self.rtt_breached

    @property
    def urgent(self):
        return self.episode.priority == Priority.URGENT


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
        episodes.annotate(first_booked_at=Subquery(booked), treatment_started=Exists(treated))
        .filter(
            Q(state__in=WAITING_FOR_ASSESSMENT)
            | Q(state=EpisodeState.IN_TREATMENT, treatment_started=False)
        )
        .select_related("patient", "service", "referral__practice")
        .order_by(urgent_first(), "clock_started_on", "referred_at", "pk")
    )


def _booked_on(state, first_booked_at):
    if state == EpisodeState.ASSESSMENT_BOOKED and first_booked_at:
        return timezone.localdate(first_booked_at)
    return None


def _breaches(clock, priority, state, booked_on, *, on, holidays, rules):
    """(first-assessment target breached, 18 weeks breached) for one person on `on`."""
    rtt_breached = on > referral_to_treatment_deadline(clock, rules)
    if state not in WAITING_FOR_ASSESSMENT:
        return False, rtt_breached
    target_breached = breach(clock, priority, booked_on or on, rules=rules, bank_holidays=holidays)
    return target_breached, rtt_breached


OUT_OF_RANGE = "Date out of range: check the record"


def _row(episode, *, on, holidays, rules):
    if not is_plausible(episode.clock_started_on):
        return _implausible_row(episode)
    clock = episode.clock_started_on
    urgent = episode.priority == Priority.URGENT
    if urgent:
        count = working_days_between(clock, on, holidays)
        days = f"{count} working day{'' if count == 1 else 's'}"
    else:
        count = max((on - clock).days, 0)
        days = f"{count} day{'' if count == 1 else 's'}"
    rtt_deadline = referral_to_treatment_deadline(clock, rules)
    booked_on = _booked_on(episode.state, episode.first_booked_at)
    target_breached, rtt_breached = _breaches(
        clock,
        episode.priority,
        episode.state,
        booked_on and clamp(booked_on),
        on=on,
        holidays=holidays,
        rules=rules,
    )
    if episode.state in WAITING_FOR_ASSESSMENT:
        waiting_for = "First assessment"
        appointment = _booked_cell(booked_on)
        target = _date(target_date(clock, episode.priority, rules=rules, bank_holidays=holidays))
    else:
        waiting_for = "Treatment"
        appointment = "Seen"
        target = "Not applicable"
    breaches = [
        label
        for label, breached in (
            ("first assessment", target_breached),
            ("18 weeks", rtt_breached),
        )
        if breached
    ]
    cells = _cells(
        episode,
        waiting_for,
        days,
        appointment,
        target,
        _date(rtt_deadline),
        f"Yes: {' and '.join(breaches)}" if breaches else "No",
    )
    return WaitingRow(episode, cells, waiting_for == "Treatment", target_breached, rtt_breached)


def _cells(episode, waiting_for, days, appointment, target, rtt_deadline, breach_text):
    patient = episode.patient
    return [
        f"{patient.family_name.upper()}, {patient.given_name}",
        waiting_for,
        days,
        episode.get_priority_display(),
        episode.service.name,
        episode.referral.practice.name,
        episode.referral.startback_risk.capitalize() or "Not scored",
        appointment,
        target,
        rtt_deadline,
        breach_text,
    ]


def _booked_cell(booked_on):
    if not booked_on:
        return "Not booked"
    return f"Booked {_date(booked_on)}" if is_plausible(booked_on) else f"Booked: {OUT_OF_RANGE}"


def _implausible_row(episode):
    """A clock start no calendar can work from (stored before dates were checked): the row
    is shown, says why its figures are missing, and is not judged in breach."""
    assessment = episode.state in WAITING_FOR_ASSESSMENT
    waiting_for = "First assessment" if assessment else "Treatment"
    booked_on = _booked_on(episode.state, episode.first_booked_at)
    appointment = _booked_cell(booked_on) if assessment else "Seen"
    cells = _cells(
        episode,
        waiting_for,
        OUT_OF_RANGE,
        appointment,
        OUT_OF_RANGE,
        OUT_OF_RANGE,
        "Not known: check the record",
    )
    return WaitingRow(episode, cells, not assessment, False, False)


def waiting_rows(episodes, *, on, holidays):
    rules = {}
    rows = []
    for episode in episodes:
        if episode.service_id not in rules:
            rules[episode.service_id] = episode.service.rules
        rows.append(_row(episode, on=on, holidays=holidays, rules=rules[episode.service_id]))
    return rows


def _holidays(earliest, on):
    # From the year before (the weekly history and its targets) to the year after (target
    # dates that run past the turn of the year); never outside the plausible window.
    on = clamp(on)
    return england_bank_holidays(
        min(clamp(earliest), on.replace(month=1, day=1) - datetime.timedelta(days=365)),
        on.replace(month=12, day=31) + datetime.timedelta(days=366),
    )


def rows_now(episodes, *, on):
    """(WaitingRow list, bank holidays used) for everyone among `episodes` waiting on `on`:
    every row with its names and cells, for the CSV export."""
    fetched = list(_waiting(episodes))
    holidays = _holidays(min((e.clock_started_on for e in fetched), default=on), on)
    return waiting_rows(fetched, on=on, holidays=holidays), holidays


def _narrow(episodes, *, on):
    """The list's rows with only what order, counts and breaches need (no names), and the
    date each person's first-assessment target is judged on (`as_of`): the booked
    appointment's date once one is booked, otherwise today, as in `_booked_on`."""
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
            urgent_rank=urgent_first(),
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
    holidays = frozenset(_holidays(min(dates), max(*dates, on)))
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
LIST_ORDER = "ORDER BY i.urgent_rank, i.clock_started_on, i.referred_at, i.pk"


def _page_number(value):
    """The page asked for, as Paginator.get_page reads it: anything not a whole number above 0
    is the first page."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


class WaitingIndex:
    """The whole list as counts and ordered ids, worked out by the database.

    Acts as the Paginator's object list: its length is the count, and a slice fetches only
    that page's ids in the list's order (urgent first, then the longest waiting). Given the
    page that will be asked for (`page`), one query returns both that page's ids and the
    counts (window aggregates over the whole list); only a page past the end costs more.
    """

    def __init__(self, episodes, services, *, on, breaching=None, page=None):
        narrow = _narrow(episodes, on=on)
        cutoffs = _cutoffs(narrow, services, on=on)
        self._sql = None
        self._page = None  # ((start, stop), ids) fetched with the counts
        self.summary = dict.fromkeys(
            ("waiting", "for_assessment", "for_treatment", "breaching", "urgent_breaching"), 0
        )
        if not cutoffs:
            return
        sql, params = _index_sql(narrow, cutoffs)
        where, where_params = "", []
        if breaching is not None:
            where, where_params = "WHERE (i.target_breached OR i.rtt_breached) = %s", [breaching]
        self._sql = f"FROM ({sql}) i {where}"
        self._params = [*params, *where_params]
        counts = None
        if page is not None:
            counts = self._fetch_page_with_counts(_page_number(page))
        if counts is None:
            counts = fetch(
                f"SELECT {', '.join(SUMMARY_COLUMNS)} {self._sql}",
                [str(Priority.URGENT), *self._params],
            )[0]
        self._set_summary(*counts)

    def _fetch_page_with_counts(self, number):
        """The page's ids and the whole list's counts in one query; None past the end."""
        start = (number - 1) * PAGE_SIZE
        windowed = ", ".join(f"{column} OVER ()" for column in SUMMARY_COLUMNS)
        rows = fetch(
            f"SELECT i.pk, {windowed} {self._sql} {LIST_ORDER} LIMIT %s OFFSET %s",
            [str(Priority.URGENT), *self._params, PAGE_SIZE, start],
        )
        if not rows:
            return None
        self._page = ((start, start + PAGE_SIZE), [row[0] for row in rows])
        return rows[0][1:]

    def _set_summary(self, waiting, for_assessment, breaching, urgent_breaching):
        self.summary = {
            "waiting": waiting,
            "for_assessment": for_assessment or 0,
            "for_treatment": waiting - (for_assessment or 0),
            "breaching": breaching or 0,
            "urgent_breaching": urgent_breaching or 0,
        }

    def count(self):
        return self.summary["waiting"]

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        if not isinstance(item, slice) or item.step:
            raise TypeError("the waiting index is read a page (a plain slice) at a time")
        start = item.start or 0
        stop = self.count() if item.stop is None else item.stop
        if self._sql is None or stop <= start:
            return []
        if self._page is not None:
            (page_start, page_stop), ids = self._page
            # The Paginator asks for the page's slice, cut short on the last page.
            if start == page_start and stop == min(page_stop, self.count()):
                return ids
        rows = fetch(
            f"SELECT i.pk {self._sql} {LIST_ORDER} LIMIT %s OFFSET %s",
            [*self._params, stop - start, start],
        )
        return [pk for (pk,) in rows]


def current_summary(user, scope):
    """The waiting list's counts today, for the dashboard and the board report."""
    episodes = _episodes(user, scope, {})
    return WaitingIndex(episodes, list(scope.services), on=today()).summary


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
    holidays = frozenset(_holidays(week_ends[0], on))
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


def _history_table(history):
    return Table(
        slug="weekly",
        title="Waiting for a first assessment at the end of each week",
        columns=["Week ending", "Waiting", "Past their target"],
        rows=[[_date(week_end), str(waiting), str(late)] for week_end, waiting, late in history],
        note=(
            f"The last {HISTORY_WEEKS} weeks, each ending on the same weekday as today. Counts "
            "people referred by the week's end who had not attended a first assessment and were "
            "not discharged by then (including anyone whose discharge was proposed after missed "
            "appointments), and of them those past their first-assessment target on that day. "
            "Follows the service, practice, priority and risk filters; not the breach filter."
        ),
    )


# --- The page ------------------------------------------------------------------------------


def _page_rows(episodes, pks, *, on):
    """The WaitingRows of one page's people, fetched in full in one query, in list order."""
    by_pk = {episode.pk: episode for episode in _waiting(episodes).filter(pk__in=pks)}
    fetched = [by_pk[pk] for pk in pks if pk in by_pk]
    holidays = _holidays(min((e.clock_started_on for e in fetched), default=on), on)
    return waiting_rows(fetched, on=on, holidays=holidays)


@dataclass(frozen=True)
class _PageLinks:
    """What templates/includes/pagination.html needs, for numbered pages."""

    previous_cursor: str | None
    next_cursor: str | None


def _pagination(listed):
    return _PageLinks(
        str(listed.previous_page_number()) if listed.has_previous() else None,
        str(listed.next_page_number()) if listed.has_next() else None,
    )


def _audit_export(request, rows):
    # One event per person exported.
    record_request_events(
        request=request,
        action=AuditAction.EXPORT,
        objects_and_patient_ids=[(row.episode, row.episode.patient_id) for row in rows],
    )


@role_required(Role.MANAGER)
@vary_on_headers("HX-Request")
def page(request):
    """Everyone waiting, with days waited, targets and breaches; filters, CSV and history."""
    user = request.user
    on = today()
    scope = report_scope(request)
    services = [scope.service] if scope.service else list(scope.services)
    practices = _practices(scope)
    filters = _filters(request.GET, practices)
    episodes = _episodes(user, scope, filters)
    wanted = filters["breach"] == "yes" if "breach" in filters else None

    table = Table(
        slug=LIST_SLUG,
        title="People waiting, urgent first, then the longest waiting",
        columns=COLUMNS,
        note=LIST_NOTE,
    )
    if request.GET.get("export") == LIST_SLUG:
        rows, _ = rows_now(episodes, on=on)
        rows = [row for row in rows if wanted is None or row.breaching == wanted]
        table.rows = [row.cells for row in rows]
        with transaction.atomic():
            _audit_export(request, rows)
            return export_if_asked(request, [table], filename_prefix=f"{on:%Y-%m-%d}")

    history = weekly_history(episodes, services, on=on)
    history_table = _history_table(history)
    export = export_if_asked(request, [history_table], filename_prefix=f"{on:%Y-%m-%d}")
    if export:
        return export

    index = WaitingIndex(
        episodes, scope.services, on=on, breaching=wanted, page=request.GET.get("page")
    )
    listed = Paginator(index, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _page_rows(episodes, listed.object_list, on=on)

    # The page shows every one of these people: one view event each.
    record_views(
        request=request,
        objects_and_patient_ids=[(row.episode, row.episode.patient_id) for row in rows],
    )
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    context = {
        "scope": scope,
        "practices": practices,
        "filters": filters,
        "choices": FILTERS,
        "filtered": bool(filters),
        "today": on,
        "table": table,
        # Each row with its cells paired to their column headings (for narrow screens).
        "lines": [(row, list(zip(COLUMNS, row.cells, strict=True))) for row in rows],
        "summary": index.summary,
        "listed": listed,
        "page": _pagination(listed),
        "page_query": _querystring(scope, filters),
        "export_query": _querystring(scope, filters),
        "history_table": history_table,
        "waiting_chart": bar_chart(
            "Waiting for a first assessment at each week's end",
            [(f"{week_end:%-d %b}", waiting) for week_end, waiting, _ in history],
        ),
        "breach_chart": bar_chart(
            "Of whom past their target",
            [(f"{week_end:%-d %b}", late) for week_end, _, late in history],
        ),
    }
    template = "reports/waiting_list.html#results" if partial else "reports/waiting_list.html"
    return render(request, template, context)
