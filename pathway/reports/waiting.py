"""The waiting list: everyone waiting for a first assessment or for treatment, against targets.

Targets and breaches come from pathway.clinical.waiting (the one definition), with each
service's own rules and England's bank holidays. The page is built in a fixed number of
queries whatever the length of the list: the rows in one query, breaches worked out per row in
Python from the fetched dates, and the 12-week history in one aggregate query.
"""

import datetime
import operator
from dataclasses import dataclass
from functools import reduce
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from pathway.accounts.models import Role
from pathway.audit.actions import record_request_events
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
from pathway.clinical.waiting import (
    breach,
    referral_to_treatment_deadline,
    target_date,
    working_days_between,
)
from pathway.core.permissions import role_required
from pathway.organisations.models import GPPractice
from pathway.reports.calendar import england_bank_holidays
from pathway.reports.charts import bar_chart
from pathway.reports.scope import report_scope
from pathway.reports.tables import Table, export_if_asked

LIST_SLUG = "waiting-list"
HISTORY_WEEKS = 12

# Filters read from the query string (besides `service` and `practice`, whose choices depend
# on who is asking): name -> {value: label}.
FILTERS = {
    "priority": dict(Priority.choices),
    "risk": {"low": "Low", "medium": "Medium", "high": "High"},
    "breach": {"yes": "Breaching a target", "no": "Within targets"},
}

WAITING_FOR_ASSESSMENT = (EpisodeState.AWAITING_TRIAGE, EpisodeState.ASSESSMENT_BOOKED)

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


def _practices(user):
    referring = Episode.objects.visible_to(user).values("referral__practice_id")
    return list(GPPractice.objects.filter(pk__in=referring).order_by("name"))


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


def _waiting(user, episodes):
    appointments = Appointment.objects.visible_to(user).filter(episode=OuterRef("pk"))
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


def _row(episode, *, on, holidays, rules):
    clock = episode.clock_started_on
    urgent = episode.priority == Priority.URGENT
    if urgent:
        count = working_days_between(clock, on, holidays)
        days = f"{count} working day{'' if count == 1 else 's'}"
    else:
        count = max((on - clock).days, 0)
        days = f"{count} day{'' if count == 1 else 's'}"
    rtt_deadline = referral_to_treatment_deadline(clock, rules)
    rtt_breached = on > rtt_deadline
    if episode.state in WAITING_FOR_ASSESSMENT:
        waiting_for = "First assessment"
        booked_on = (
            timezone.localdate(episode.first_booked_at)
            if episode.state == EpisodeState.ASSESSMENT_BOOKED and episode.first_booked_at
            else None
        )
        appointment = f"Booked {_date(booked_on)}" if booked_on else "Not booked"
        target = _date(target_date(clock, episode.priority, rules=rules, bank_holidays=holidays))
        target_breached = breach(
            clock, episode.priority, booked_on or on, rules=rules, bank_holidays=holidays
        )
    else:
        waiting_for = "Treatment"
        appointment = "Seen"
        target = "Not applicable"
        target_breached = False
    breaches = [
        label
        for label, breached in (
            ("first assessment", target_breached),
            ("18 weeks", rtt_breached),
        )
        if breached
    ]
    patient = episode.patient
    cells = [
        f"{patient.family_name.upper()}, {patient.given_name}",
        waiting_for,
        days,
        episode.get_priority_display(),
        episode.service.name,
        episode.referral.practice.name,
        episode.referral.startback_risk.capitalize() or "Not scored",
        appointment,
        target,
        _date(rtt_deadline),
        f"Yes: {' and '.join(breaches)}" if breaches else "No",
    ]
    return WaitingRow(episode, cells, waiting_for == "Treatment", target_breached, rtt_breached)


def waiting_rows(episodes, *, on, holidays):
    rules = {}
    rows = []
    for episode in episodes:
        if episode.service_id not in rules:
            rules[episode.service_id] = episode.service.rules
        rows.append(_row(episode, on=on, holidays=holidays, rules=rules[episode.service_id]))
    return rows


def rows_now(user, episodes, *, on):
    """(WaitingRow list, bank holidays used) for everyone among `episodes` waiting on `on`."""
    fetched = list(_waiting(user, episodes))
    earliest = min((e.clock_started_on for e in fetched), default=on)
    # From the year before (the weekly history and its targets) to the year after (target
    # dates that run past the turn of the year).
    holidays = england_bank_holidays(
        min(earliest, datetime.date(on.year - 1, 1, 1)), datetime.date(on.year + 1, 12, 31)
    )
    return waiting_rows(fetched, on=on, holidays=holidays), holidays


def current_summary(user, scope):
    """The waiting list's counts today, for the dashboard and the board report."""
    rows, _ = rows_now(user, _episodes(user, scope, {}), on=today())
    return _summary(rows)


def _summary(rows):
    return {
        "waiting": len(rows),
        "for_assessment": sum(1 for row in rows if not row.for_treatment),
        "for_treatment": sum(1 for row in rows if row.for_treatment),
        "breaching": sum(1 for row in rows if row.breaching),
        "urgent_breaching": sum(1 for row in rows if row.breaching and row.urgent),
    }


# --- Weekly history ------------------------------------------------------------------------


def _latest_breaching_clock_start(week_end, priority, rules, holidays):
    """The latest clock start that is in breach at the end of `week_end`.

    A later clock start never has an earlier target date, so every earlier start is in breach
    too: one date per week, priority and service turns the rule into a SQL comparison.
    """
    day = week_end
    while not breach(day, priority, week_end, rules=rules, bank_holidays=holidays):
        day -= datetime.timedelta(days=1)
    return day


def weekly_history(user, episodes, services, *, on, holidays):
    """[(week end, waiting for first assessment, of whom past their target)], oldest first.

    Waiting at a week's end: referred by then, not yet attended a first assessment and not
    discharged. The clock then is the current one if it had started by that week's end,
    otherwise the referral date (a later missed appointment restarted it).
    """
    week_ends = [on - datetime.timedelta(weeks=back) for back in range(HISTORY_WEEKS - 1, -1, -1)]
    if not services:
        return [(week_end, 0, 0) for week_end in week_ends]
    first_assessed = (
        Appointment.objects.visible_to(user)
        .filter(
            episode=OuterRef("pk"),
            kind=AppointmentKind.FIRST_ASSESSMENT,
            outcome=AppointmentOutcome.ATTENDED,
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    counts = {}
    for index, week_end in enumerate(week_ends):
        end = _day_end(week_end)
        waiting = (
            Q(referred_at__lt=end)
            & (Q(first_assessed_at__isnull=True) | Q(first_assessed_at__gte=end))
            & (Q(discharged_at__isnull=True) | Q(discharged_at__gte=end))
        )
        late = []
        for service in services:
            for priority in Priority.values:
                cutoff = _latest_breaching_clock_start(week_end, priority, service.rules, holidays)
                late.append(
                    Q(service=service, priority=priority)
                    & (
                        Q(clock_started_on__lte=cutoff)
                        | Q(clock_started_on__gt=week_end, referred_at__lt=_day_end(cutoff))
                    )
                )
        counts[f"waiting_{index}"] = Count("pk", filter=waiting)
        counts[f"breaching_{index}"] = Count("pk", filter=waiting & reduce(operator.or_, late))
    totals = episodes.annotate(first_assessed_at=Subquery(first_assessed)).aggregate(**counts)
    return [
        (week_end, totals[f"waiting_{index}"], totals[f"breaching_{index}"])
        for index, week_end in enumerate(week_ends)
    ]


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
    practices = _practices(user)
    filters = _filters(request.GET, practices)
    episodes = _episodes(user, scope, filters)

    rows, holidays = rows_now(user, episodes, on=on)
    if "breach" in filters:
        wanted = filters["breach"] == "yes"
        rows = [row for row in rows if row.breaching == wanted]

    table = Table(
        slug=LIST_SLUG,
        title="People waiting, urgent first, then the longest waiting",
        columns=COLUMNS,
        rows=[row.cells for row in rows],
        note=LIST_NOTE,
    )
    history = weekly_history(user, episodes, services, on=on, holidays=holidays)
    history_table = _history_table(history)

    if request.GET.get("export") == LIST_SLUG:
        with transaction.atomic():
            _audit_export(request, rows)
            return export_if_asked(request, [table], filename_prefix=f"{on:%Y-%m-%d}")
    export = export_if_asked(request, [history_table], filename_prefix=f"{on:%Y-%m-%d}")
    if export:
        return export

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
        "summary": _summary(rows),
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
