"""The activity report: what came into the service and what happened, for its manager.

Every table is built from SQL aggregates (values / annotate / Count), so the page runs the same
number of queries for ten episodes as for ten thousand. Every percentage, interval and mean
comes from pathway.clinical.stats. The CSV export of a table is built from the same Table.
"""

import datetime
from collections import Counter

from django.db.models import Count, DateField, Max, Min, Q
from django.db.models.functions import TruncMonth
from django.shortcuts import render

from pathway.accounts.models import Role
from pathway.care.models import (
    Appointment,
    AppointmentKind,
    AppointmentOutcome,
    CPPPDeclineReason,
    CPPPOutcome,
    CPPPReferral,
    Episode,
    EpisodeState,
    OnwardDestination,
    OnwardReferral,
    ReturnKind,
    TriageOutcome,
)
from pathway.clinical.stats import mean_ci, proportion
from pathway.core.permissions import role_required
from pathway.proms.models import PromTimepoint, Timepoint, TimepointState
from pathway.referrals.models import GP_ENDED_OUTCOMES, Referral, ReferralOutcome
from pathway.reports.charts import bar_chart
from pathway.reports.scope import episodes_in_scope, report_scope
from pathway.reports.tables import Table, export_if_asked

RISKS = (("low", "Low"), ("medium", "Medium"), ("high", "High"))
OPEN_STATES = [state for state in EpisodeState.values if state != EpisodeState.DISCHARGED]
CANCELLED = (AppointmentOutcome.CANCELLED_BY_PATIENT, AppointmentOutcome.CANCELLED_BY_SERVICE)
# The month-by-practice table is offered as a download, not shown.
PRACTICE_MONTH_SLUG = "referrals-by-practice-month"


@role_required(Role.MANAGER)
def page(request):
    scope = report_scope(request)
    episodes = episodes_in_scope(request.user, scope)
    referrals = referrals_to_service(request.user, scope)
    monthly_rows = referrals_per_month(referrals)
    by_month, monthly_counts = referrals_by_month(referrals, scope, monthly_rows)
    # Tables that count the same rows share one query (the page stays within its budget).
    returners_table, referred = returners(referrals, with_count=True)
    cppp_counts = cppp_rows(episodes)
    tables = [
        *by_month,
        referrals_by_practice(referrals, monthly_rows),
        gp_outcomes(referrals, gp_ended_referrals(request.user, scope), referred=referred),
        triage_outcomes(episodes),
        did_not_attend(episodes),
        returners_table,
        cppp(episodes, cppp_counts),
        cppp_decline_reasons(episodes, cppp_counts),
        onward_referrals(episodes),
        caseload(request.user, scope),
        questionnaire_responses(episodes),
    ]
    if request.GET.get("export") == PRACTICE_MONTH_SLUG:
        # Built only when downloaded: thousands of rows that the page does not show.
        tables.append(referrals_by_practice_month(referrals, monthly_rows))
    export = export_if_asked(
        request, tables, filename_prefix=f"activity-{scope.date_from}-to-{scope.date_to}"
    )
    if export:
        return export
    context = {
        "scope": scope,
        "scope_query": scope.querystring(),
        "tables": {table.slug.replace("-", "_"): table for table in tables},
        "practice_month_slug": PRACTICE_MONTH_SLUG,
        "chart": bar_chart("Referrals to the service per month", monthly_counts),
    }
    return render(request, "reports/activity.html", context)


# --- What is counted -------------------------------------------------------------------------


def _chosen_services(scope):
    return [scope.service] if scope.service else list(scope.services)


def referrals_to_service(user, scope):
    """Referrals the GP sent to the manager's service (or the chosen one) within the range."""
    return Referral.objects.visible_to(user).filter(
        outcome=ReferralOutcome.REFERRED,
        service__in=_chosen_services(scope),
        created_at__range=scope.referred_between(),
    )


def gp_ended_referrals(user, scope):
    """Consultations that ended at the GP. They name no service, so they are counted for the
    practices in the manager's commissioning area (whichever service is chosen): these are
    counts only, never a person's record. The area is that of the manager's services (a
    service manager's service, or every service of an area manager's area)."""
    return Referral.objects.filter(
        practice__area_id__in={service.area_id for service in scope.services},
        outcome__in=GP_ENDED_OUTCOMES,
        created_at__range=scope.referred_between(),
    )


# --- Formatting ------------------------------------------------------------------------------


def _percent(value):
    return "-" if value is None else f"{value * 100:.1f}%"


def _interval(result):
    if result.ci_low is None:
        return "-"
    return f"{result.ci_low * 100:.1f}% to {result.ci_high * 100:.1f}%"


def _cells(*values):
    return [str(value) for value in values]


def _share(k, n):
    """[count, %, 95% CI] for k of n (Wilson interval)."""
    result = proportion(k, n)
    return [str(k), _percent(result.proportion), _interval(result)]


def _month_starts(scope):
    month = scope.date_from.replace(day=1)
    while month <= scope.date_to:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def _month_key(value):
    return (value.year, value.month)


def _by_month(rows):
    # The month's first day (local time) as a date: the database casts it, where an aware
    # datetime would be converted in Python, once per row of thousands.
    return rows.annotate(month=TruncMonth("created_at", output_field=DateField())).order_by()


# --- 1. Referrals ----------------------------------------------------------------------------


def referrals_per_month(referrals):
    """Counts per month, STarT Back risk and practice: the three referral tables from one
    query (at most months x practices x 4 rows, however many referrals)."""
    return list(
        _by_month(referrals)
        .values("month", "startback_risk", "practice__ods_code", "practice__name")
        .annotate(n=Count("id"))
    )


def referrals_by_month(referrals, scope, rows=None):
    """Two tables (per month; per month by STarT Back risk) and [(month, n)] for the chart."""
    risks = [code for code, _ in RISKS] + [""]  # "": not recorded
    counts = {}
    for row in referrals_per_month(referrals) if rows is None else rows:
        month = counts.setdefault(_month_key(row["month"]), Counter())
        month[row["startback_risk"] if row["startback_risk"] in risks else ""] += row["n"]
    monthly, by_risk, chart, totals = [], [], [], Counter()
    for start in _month_starts(scope):
        month = counts.get((start.year, start.month), Counter())
        totals.update({risk: month[risk] for risk in risks})
        monthly.append(_cells(f"{start:%b %Y}", month.total()))
        by_risk.append(_cells(f"{start:%b %Y}", *(month[risk] for risk in risks), month.total()))
        chart.append((f"{start:%b %y}", month.total()))
    total = totals.total()
    monthly.append(_cells("Total", total))
    by_risk.append(_cells("Total", *(totals[risk] for risk in risks), total))
    by_risk.append(
        ["% of referrals", *(_percent(proportion(totals[r], total).proportion) for r in risks)]
        + [_percent(1 if total else None)]
    )
    risk_columns = [f"{label} risk" for _, label in RISKS] + ["Not recorded"]
    tables = [
        Table(
            slug="referrals-by-month",
            title="Referrals to the service per month",
            columns=["Month", "Referrals"],
            rows=monthly,
            note=f"n = {total} referrals to the service, by the month the GP made them.",
        ),
        Table(
            slug="referrals-by-risk",
            title="Referrals to the service per month, by STarT Back risk",
            columns=["Month", *risk_columns, "Referrals"],
            rows=by_risk,
            note=f"n = {total} referrals to the service; STarT Back risk not recorded: "
            f"{totals['']}.",
        ),
    ]
    return tables, chart


def referrals_by_practice(referrals, rows=None):
    """Referrals per GP practice over the range: one row a practice, as the page shows it."""
    per_practice = Counter()
    for row in referrals_per_month(referrals) if rows is None else rows:
        per_practice[(row["practice__name"], row["practice__ods_code"])] += row["n"]
    ordered = sorted(per_practice.items(), key=lambda item: item[0][0].lower())
    return Table(
        slug="referrals-by-practice",
        title="Referrals to the service by GP practice",
        columns=["Practice", "ODS code", "Referrals"],
        rows=[_cells(name, ods, n) for (name, ods), n in ordered],
        note=(
            f"n = {sum(per_practice.values())} referrals from {len(per_practice)} practices. "
            "Every referral records its practice. The same counts month by month are in the "
            "download below."
        ),
    )


def referrals_by_practice_month(referrals, rows=None):
    """Referrals per month and GP practice: a download only. A region's practices over two
    years make thousands of rows, too many to read on a page (or to render quickly)."""
    per_practice = Counter()
    for row in referrals_per_month(referrals) if rows is None else rows:
        key = (_month_key(row["month"]), row["practice__ods_code"], row["practice__name"])
        per_practice[key] += row["n"]
    ordered = sorted(
        per_practice.items(), key=lambda item: (item[0][0], item[0][2].lower(), item[0][1])
    )
    return Table(
        slug=PRACTICE_MONTH_SLUG,
        title="Referrals to the service per month, by GP practice",
        columns=["Month", "Practice", "ODS code", "Referrals"],
        rows=[
            _cells(f"{datetime.date(year, month, 1):%b %Y}", name, ods, n)
            for ((year, month), ods, name), n in ordered
        ],
        note=(
            f"n = {sum(per_practice.values())} referrals from "
            f"{len({key[1] for key in per_practice})} practices; months with no referrals "
            "from a practice are left out. Every referral records its practice."
        ),
    )


def gp_outcomes(referrals, gp_ended, *, referred=None):
    """`referred`: referrals.count() when the caller has it already."""
    counts = dict(gp_ended.values_list("outcome").annotate(n=Count("id")).order_by())
    counts[ReferralOutcome.REFERRED] = referrals.count() if referred is None else referred
    total = sum(counts.values())
    rows = [
        [outcome.label, *_share(counts.get(outcome, 0), total)[:2]] for outcome in ReferralOutcome
    ]
    rows.append(["Total", str(total), _percent(1 if total else None)])
    return Table(
        slug="gp-outcomes",
        title="What the GP decided",
        columns=["Outcome", "People", "%"],
        rows=rows,
        note=(
            f"n = {total} consultations recorded by GPs. Referrals are those to the service "
            "chosen above; the other outcomes name no service, so they are counted for every "
            'practice in your commissioning area. "Serious pathology suspected" counts '
            "consultations where the GP suspected serious pathology or found a cauda equina "
            "flag; people with red flags the GP did not suspect, and referred, count as "
            "referred. Consultations the GP did not record on this system are not known."
        ),
    )


# --- 2. The service's decisions and appointments ---------------------------------------------


def triage_outcomes(episodes):
    counts = dict(episodes.values_list("triage__outcome").annotate(n=Count("id")).order_by())
    untriaged = counts.pop(None, 0)
    total = sum(counts.values())
    rows = [[outcome.label, *_share(counts.get(outcome, 0), total)] for outcome in TriageOutcome]
    rows.append(["Total", str(total), _percent(1 if total else None), ""])
    return Table(
        slug="triage-outcomes",
        title="Triage decisions at the first assessment",
        columns=["Decision", "People", "%", "95% CI"],
        rows=rows,
        note=(
            f"n = {total} episodes with a triage decision, of {total + untriaged} referred in "
            f"the range; {untriaged} not yet triaged (not yet assessed, or did not attend) are "
            "left out. 95% CI: Wilson score interval."
        ),
    )


def did_not_attend(episodes):
    counts = {
        row["kind"]: row
        for row in Appointment.objects.filter(episode__in=episodes)
        .values("kind")
        .annotate(
            recorded=Count("id", filter=~Q(outcome="")),
            attended=Count("id", filter=Q(outcome=AppointmentOutcome.ATTENDED)),
            dna=Count("id", filter=Q(outcome=AppointmentOutcome.DID_NOT_ATTEND)),
            cancelled=Count("id", filter=Q(outcome__in=CANCELLED)),
            pending=Count("id", filter=Q(outcome="")),
        )
        .order_by()
    }
    rows, pending = [], 0
    for kind in AppointmentKind:
        row = counts.get(kind, {})
        recorded, dna = row.get("recorded", 0), row.get("dna", 0)
        result = proportion(dna, recorded)
        pending += row.get("pending", 0)
        attended, cancelled = row.get("attended", 0), row.get("cancelled", 0)
        rows.append(
            _cells(kind.label, recorded, attended, dna, cancelled, _percent(result.proportion))
            + [_interval(result)]
        )
    return Table(
        slug="did-not-attend",
        title="Did not attend (DNA) rate",
        columns=["Appointment", "With an outcome", "Attended", "Did not attend", "Cancelled"]
        + ["DNA rate", "95% CI"],
        rows=rows,
        note=(
            "DNA rate = DNAs / appointments with a recorded outcome (attended, did not attend "
            "or cancelled), for episodes referred in the range. Therapy sessions are "
            f"follow-ups. {pending} appointments with no outcome yet (booked, or not yet "
            "recorded) are left out. 95% CI: Wilson score interval."
        ),
    )


# --- 3. Returners ----------------------------------------------------------------------------


def returners(referrals, *, with_count=False):
    """The returners table (and, `with_count`, the number of referrals it counted)."""
    is_returner = Q(previous_episode__isnull=False)
    counts = referrals.aggregate(
        referred=Count("id"),
        returners=Count("id", filter=is_returner),
        with_days=Count("id", filter=is_returner & Q(days_since_previous_discharge__isnull=False)),
        first_day=Min("days_since_previous_discharge", filter=is_returner),
        last_day=Max("days_since_previous_discharge", filter=is_returner),
        **{
            kind: Count("id", filter=is_returner & Q(return_kind=kind))
            for kind in ReturnKind.values
        },
    )
    days = mean_ci(
        referrals.filter(is_returner)
        .exclude(days_since_previous_discharge=None)
        .values_list("days_since_previous_discharge", flat=True)
        .order_by()
    )
    count = counts["returners"]
    mean = "-" if days.mean is None else f"{days.mean:.1f}"
    interval = "-" if days.ci_low is None else f"{days.ci_low:.1f} to {days.ci_high:.1f}"
    spread = (
        "-" if counts["first_day"] is None else f"{counts['first_day']} to {counts['last_day']}"
    )
    rows = [
        _cells("Returners (of referrals to the service)", counts["referred"])
        + _share(count, counts["referred"]),
        _cells("Days from discharge to the new referral: mean", days.n, mean, "", interval),
        _cells("Days from discharge to the new referral: range", days.n, spread, "", ""),
    ]
    for kind in ReturnKind:
        rows.append([kind.label, str(count), *_share(counts[kind.value], count)])
    table = Table(
        slug="returners",
        title="Returners: people referred again after an earlier discharge",
        columns=["Measure", "n", "People or days", "%", "95% CI"],
        rows=rows,
        note=(
            f"n = {counts['referred']} referrals to the service, {count} of them returners. "
            "Rates: Wilson 95% CI. Days: mean with a t-distribution 95% CI; "
            f"{count - counts['with_days']} returners with no discharge date are left out of "
            "the days. The evaluation found 5% returners, a mean of 127 days "
            "(95% CI 112 to 142; range 2 to 369)."
        ),
    )
    return (table, counts["referred"]) if with_count else table


# --- 4. CPPP and onward referrals ------------------------------------------------------------


def cppp_rows(episodes):
    """[{outcome, decline_reason, n}]: both CPPP tables from one query."""
    return list(
        CPPPReferral.objects.filter(episode__in=episodes)
        .values("outcome", "decline_reason")
        .annotate(n=Count("id"))
        .order_by()
    )


def cppp(episodes, rows=None):
    rows = cppp_rows(episodes) if rows is None else rows
    by_outcome = Counter()
    for row in rows:
        by_outcome[row["outcome"]] += row["n"]
    counts = {
        "invited": by_outcome.total(),
        "joined": by_outcome[CPPPOutcome.JOINED],
        "declined": by_outcome[CPPPOutcome.DECLINED],
        "pending": by_outcome[""],
    }
    decided = counts["joined"] + counts["declined"]
    return Table(
        slug="cppp",
        title="Combined Physical and Psychological Programme (CPPP)",
        columns=["Measure", "People", "%", "95% CI"],
        rows=[
            ["Invited", str(counts["invited"]), "", ""],
            ["Outcome not yet recorded", str(counts["pending"]), "", ""],
            ["Joined (uptake)", *_share(counts["joined"], decided)],
            ["Declined", *_share(counts["declined"], decided)],
        ],
        note=(
            f"n = {counts['invited']} invited. Uptake = joined / invited people whose outcome "
            f"is recorded (n = {decided}); the {counts['pending']} still to decide are left "
            "out. 95% CI: Wilson score interval. The evaluation: 100 of 136 invited joined."
        ),
    )


def cppp_decline_reasons(episodes, rows=None):
    rows = cppp_rows(episodes) if rows is None else rows
    counts = Counter()
    for row in rows:
        if row["outcome"] == CPPPOutcome.DECLINED:
            counts[row["decline_reason"]] += row["n"]
    total = sum(counts.values())
    rows = [
        [reason.label, *_share(counts[reason], total)[:2]]
        for reason in sorted(
            (reason for reason in CPPPDeclineReason if counts.get(reason)),
            key=lambda reason: -counts[reason],
        )
    ]
    return Table(
        slug="cppp-decline-reasons",
        title="Why people declined the CPPP",
        columns=["Reason", "People", "% of those who declined"],
        rows=rows,
        note=f"n = {total} declined; a reason is required, so none is missing.",
    )


def onward_referrals(episodes):
    rows = (
        OnwardReferral.objects.filter(episode__in=episodes)
        .values("destination")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {row["destination"]: row["n"] for row in rows}
    total = sum(counts.values())
    return Table(
        slug="onward-referrals",
        title="Onward referrals by destination",
        columns=["Destination", "Referrals", "%"],
        rows=[
            [destination.label, *_share(counts.get(destination, 0), total)[:2]]
            for destination in OnwardDestination
        ],
        note=(
            f"n = {total} onward referrals, for episodes referred in the range (one person can "
            "be referred to more than one place). Destination, reason and date are required, "
            "so none is missing."
        ),
    )


# --- 5. Caseload and questionnaires ----------------------------------------------------------


def caseload(user, scope):
    rows = (
        Episode.objects.visible_to(user)
        .open()
        .filter(service__in=_chosen_services(scope))
        .values("lead_clinician_id", "lead_clinician__first_name", "lead_clinician__last_name")
        .annotate(
            open=Count("id"), **{state: Count("id", filter=Q(state=state)) for state in OPEN_STATES}
        )
        .order_by()
    )
    named = sorted(
        (row for row in rows if row["lead_clinician_id"]),
        key=lambda row: (row["lead_clinician__last_name"], row["lead_clinician__first_name"]),
    )
    unassigned = [row for row in rows if not row["lead_clinician_id"]]
    table_rows = []
    for row in [*named, *unassigned]:
        if row["lead_clinician_id"]:
            who = f"{row['lead_clinician__first_name']} {row['lead_clinician__last_name']}"
        else:
            who = "No lead clinician yet (no appointment booked)"
        table_rows.append([who, str(row["open"]), *(str(row[state]) for state in OPEN_STATES)])
    total = sum(row["open"] for row in rows)
    return Table(
        slug="caseload",
        title="Caseload per Triage and Treat Practitioner: open episodes now",
        columns=[
            "Lead clinician",
            "Open episodes",
            *(EpisodeState(state).label for state in OPEN_STATES),
        ],
        rows=table_rows,
        note=(
            f"n = {total} open episodes today, whatever their referral date (the date range "
            "does not apply to a caseload). The lead clinician is set at the first booking; "
            f"{sum(row['open'] for row in unassigned)} open episodes have none yet."
        ),
    )


def questionnaire_responses(episodes):
    # The time points' states are the one definition of "answered in time": the proms actions
    # set them from each time point's window (pathway.proms.windows), as the outcomes report's
    # answers are chosen by the same windows.
    states = {
        "completed": TimepointState.COMPLETED,
        "not_responded": TimepointState.NOT_RESPONDED,
        "still_open": TimepointState.OPEN,
        "not_yet_due": TimepointState.SCHEDULED,
        "cancelled": TimepointState.CANCELLED,
    }
    counts = {
        row["timepoint"]: row
        for row in PromTimepoint.objects.filter(episode__in=episodes)
        .values("timepoint")
        .annotate(**{name: Count("id", filter=Q(state=state)) for name, state in states.items()})
        .order_by()
    }
    rows = []
    for timepoint in Timepoint:
        row = counts.get(timepoint, dict.fromkeys(states, 0))
        result = proportion(row["completed"], row["completed"] + row["not_responded"])
        rate = [_percent(result.proportion), _interval(result)]
        rows.append(
            _cells(timepoint.label, row["completed"], row["not_responded"], *rate)
            + _cells(row["still_open"], row["not_yet_due"], row["cancelled"])
        )
    return Table(
        slug="questionnaire-responses",
        title="Questionnaire response rates by time point",
        columns=["Time point", "Completed", "Not answered in time", "Response rate", "95% CI"]
        + ["Still open", "Not yet due", "Cancelled"],
        rows=rows,
        note=(
            "Response rate = completed / (completed + not answered in time), for episodes "
            "referred in the range. Completed means every questionnaire was answered inside the "
            "time point's window (the baseline before care started; the others within days of "
            "their date); answers given later are not counted anywhere. Time points still open, "
            "not yet due, or cancelled (episode re-opened) are left out of the rate. 95% CI: "
            "Wilson score interval."
        ),
    )
