"""The waiting list's rows and tables, from the episodes the queries give: no database here.

Each person's days waited, target dates and breaches come from pathway.clinical.waiting (the
one definition) with their service's own rules and England's bank holidays. The page shows
one page of rows built here, and the CSV export every row, built the same way.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from pathway.care.choices import EpisodeState
from pathway.clinical.dates import clamp, is_plausible
from pathway.clinical.waiting import (
    breach,
    referral_to_treatment_deadline,
    target_date,
    working_days_between,
)
from pathway.core.vocabulary import Priority
from pathway.reports.calendar import england_bank_holidays
from pathway.reports.charts import bar_chart
from pathway.reports.tables import Table

LIST_SLUG = "waiting-list"
HISTORY_WEEKS = 12
WAITING_FOR_ASSESSMENT = (EpisodeState.AWAITING_TRIAGE, EpisodeState.ASSESSMENT_BOOKED)
OUT_OF_RANGE = "Date out of range: check the record"

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


def _date(day):
    return f"{day:%-d %b %Y}"


def bank_holidays_around(earliest, on):
    """England's bank holidays from `earliest` (or the year before `on`: the weekly history
    and its targets) to the year after `on` (target dates that run past the turn of the
    year); never outside the plausible window."""
    on = clamp(on)
    return england_bank_holidays(
        min(clamp(earliest), on.replace(month=1, day=1) - datetime.timedelta(days=365)),
        on.replace(month=12, day=31) + datetime.timedelta(days=366),
    )


@dataclass
class WaitingRow:
    episode: object  # an Episode, with patient, service and practice, and first_booked_at
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


def booked_on(state, first_booked_at):
    """The date a first assessment is judged on once booked (None before a booking)."""
    if state == EpisodeState.ASSESSMENT_BOOKED and first_booked_at:
        return timezone.localdate(first_booked_at)
    return None


def _breaches(clock, priority, state, booked, *, on, holidays, rules):
    """(first-assessment target breached, 18 weeks breached) for one person on `on`."""
    rtt_breached = on > referral_to_treatment_deadline(clock, rules)
    if state not in WAITING_FOR_ASSESSMENT:
        return False, rtt_breached
    target_breached = breach(clock, priority, booked or on, rules=rules, bank_holidays=holidays)
    return target_breached, rtt_breached


def _days_waited(clock, priority, on, holidays):
    if priority == Priority.URGENT:
        count = working_days_between(clock, on, holidays)
        return f"{count} working day{'' if count == 1 else 's'}"
    count = max((on - clock).days, 0)
    return f"{count} day{'' if count == 1 else 's'}"


def _row(episode, *, on, holidays, rules):
    if not is_plausible(episode.clock_started_on):
        return _implausible_row(episode)
    clock, priority, state = episode.clock_started_on, episode.priority, episode.state
    booked = booked_on(state, episode.first_booked_at)
    target_breached, rtt_breached = _breaches(
        clock, priority, state, booked and clamp(booked), on=on, holidays=holidays, rules=rules
    )
    if state in WAITING_FOR_ASSESSMENT:
        waiting_for, appointment = "First assessment", _booked_cell(booked)
        target = _date(target_date(clock, priority, rules=rules, bank_holidays=holidays))
    else:
        waiting_for, appointment, target = "Treatment", "Seen", "Not applicable"
    breaches = [
        label
        for label, breached in (("first assessment", target_breached), ("18 weeks", rtt_breached))
        if breached
    ]
    cells = _cells(
        episode,
        waiting_for,
        _days_waited(clock, priority, on, holidays),
        appointment,
        target,
        _date(referral_to_treatment_deadline(clock, rules)),
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


def _booked_cell(booked):
    if not booked:
        return "Not booked"
    return f"Booked {_date(booked)}" if is_plausible(booked) else f"Booked: {OUT_OF_RANGE}"


def _implausible_row(episode):
    """A clock start no calendar can work from (stored before dates were checked): the row
    is shown, says why its figures are missing, and is not judged in breach."""
    assessment = episode.state in WAITING_FOR_ASSESSMENT
    waiting_for = "First assessment" if assessment else "Treatment"
    booked = booked_on(episode.state, episode.first_booked_at)
    appointment = _booked_cell(booked) if assessment else "Seen"
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


def waiting_rows(episodes, *, on):
    """A WaitingRow for each episode, in the order given, judged on `on`."""
    holidays = bank_holidays_around(min((e.clock_started_on for e in episodes), default=on), on)
    rules = {}
    rows = []
    for episode in episodes:
        if episode.service_id not in rules:
            rules[episode.service_id] = episode.service.rules
        rows.append(_row(episode, on=on, holidays=holidays, rules=rules[episode.service_id]))
    return rows


def list_table(rows):
    return Table(
        slug=LIST_SLUG,
        title="People waiting, urgent first, then the longest waiting",
        columns=COLUMNS,
        rows=[row.cells for row in rows],
        note=LIST_NOTE,
    )


def history_table(history):
    """history: [(week end, waiting for a first assessment, of whom past their target)]."""
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


def page_tables(rows, history):
    """What the page shows of one page's WaitingRows and the weekly history: the list's table,
    each row's cells paired to their column headings (for narrow screens), and the history as
    a table and two charts of the same numbers."""
    return {
        "table": list_table(rows),
        "lines": [(row, list(zip(COLUMNS, row.cells, strict=True))) for row in rows],
        "history_table": history_table(history),
        "waiting_chart": bar_chart(
            "Waiting for a first assessment at each week's end",
            [(f"{week_end:%-d %b}", waiting) for week_end, waiting, _ in history],
        ),
        "breach_chart": bar_chart(
            "Of whom past their target",
            [(f"{week_end:%-d %b}", late) for week_end, _, late in history],
        ),
    }
