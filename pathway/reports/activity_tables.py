"""The activity report's tables, from the plain rows of pathway.reports.activity_queries: no
database here. Every percentage, interval and mean comes from pathway.clinical.stats; the
CSV export of a table is built from the same Table.

This module holds what came into the service (referrals, the GP's decisions, returners);
activity_care_tables what the service did with it.
"""

import datetime
from collections import Counter

from pathway.clinical.stats import mean_ci, proportion
from pathway.core.vocabulary import ReturnKind
from pathway.referrals.models import ReferralOutcome, ReferralSource
from pathway.reports import activity_care_tables as care
from pathway.reports.activity_format import cells, percent, share
from pathway.reports.charts import bar_chart
from pathway.reports.tables import Table

RISKS = (("low", "Low"), ("medium", "Medium"), ("high", "High"))
# The month-by-practice table is offered as a download, not shown.
PRACTICE_MONTH_SLUG = "referrals-by-practice-month"


def page_tables(rows, scope):
    """(every table the page shows, the chart of referrals per month) from ActivityRows."""
    by_month, monthly_counts = referrals_by_month(rows.per_month, scope)
    tables = [
        *by_month,
        referrals_by_practice(rows.per_month),
        gp_outcomes(rows.gp_ended, referred=rows.referrals["referred"]),
        referral_sources(rows.referrals, rows.ended_by_source),
        care.triage_outcomes(rows.triage),
        care.did_not_attend(rows.appointments),
        returners(rows.referrals, rows.return_days),
        care.cppp(rows.cppp),
        care.cppp_decline_reasons(rows.cppp),
        care.onward_referrals(rows.onward),
        care.caseload(rows.caseload),
        care.questionnaire_responses(rows.timepoints),
    ]
    return tables, bar_chart("Referrals to the service per month", monthly_counts)


def _month_starts(scope):
    month = scope.date_from.replace(day=1)
    while month <= scope.date_to:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def _month_key(value):
    return (value.year, value.month)


# --- Referrals -------------------------------------------------------------------------------


def referrals_by_month(per_month, scope):
    """Two tables (per month; per month by STarT Back risk) and [(month, n)] for the chart,
    from activity_queries.referrals_per_month's rows."""
    risks = [code for code, _ in RISKS] + [""]  # "": not recorded
    counts = {}
    for row in per_month:
        month = counts.setdefault(_month_key(row["month"]), Counter())
        month[row["startback_risk"] if row["startback_risk"] in risks else ""] += row["n"]
    monthly, by_risk, chart, totals = [], [], [], Counter()
    for start in _month_starts(scope):
        month = counts.get((start.year, start.month), Counter())
        totals.update({risk: month[risk] for risk in risks})
        monthly.append(cells(f"{start:%b %Y}", month.total()))
        by_risk.append(cells(f"{start:%b %Y}", *(month[risk] for risk in risks), month.total()))
        chart.append((f"{start:%b %y}", month.total()))
    total = totals.total()
    monthly.append(cells("Total", total))
    by_risk.append(cells("Total", *(totals[risk] for risk in risks), total))
    by_risk.append(
        ["% of referrals", *(percent(proportion(totals[r], total).proportion) for r in risks)]
        + [percent(1 if total else None)]
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


def referrals_by_practice(per_month):
    """Referrals per GP practice over the range: one row a practice, as the page shows it."""
    per_practice = Counter()
    for row in per_month:
        per_practice[(row["practice__name"], row["practice__ods_code"])] += row["n"]
    ordered = sorted(per_practice.items(), key=lambda item: item[0][0].lower())
    return Table(
        slug="referrals-by-practice",
        title="Referrals to the service by GP practice",
        columns=["Practice", "ODS code", "Referrals"],
        rows=[cells(name, ods, n) for (name, ods), n in ordered],
        note=(
            f"n = {sum(per_practice.values())} referrals from {len(per_practice)} practices. "
            "Every referral records its practice. The same counts month by month are in the "
            "download below."
        ),
    )


def referrals_by_practice_month(per_month):
    """Referrals per month and GP practice: a download only. A region's practices over two
    years make thousands of rows, too many to read on a page (or to render quickly)."""
    per_practice = Counter()
    for row in per_month:
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
            cells(f"{datetime.date(year, month, 1):%b %Y}", name, ods, n)
            for ((year, month), ods, name), n in ordered
        ],
        note=(
            f"n = {sum(per_practice.values())} referrals from "
            f"{len({key[1] for key in per_practice})} practices; months with no referrals "
            "from a practice are left out. Every referral records its practice."
        ),
    )


def gp_outcomes(gp_ended, *, referred):
    """gp_ended: {outcome: consultations} that ended at the GP; referred: referrals to the
    service in the range."""
    counts = {**gp_ended, ReferralOutcome.REFERRED: referred}
    total = sum(counts.values())
    rows = [
        [outcome.label, *share(counts.get(outcome, 0), total)[:2]] for outcome in ReferralOutcome
    ]
    rows.append(["Total", str(total), percent(1 if total else None)])
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


def referral_sources(counts, ended_by_source):
    """counts: activity_queries.referral_counts; ended_by_source: {source: consultations that
    did not enter the pathway}."""
    rows = []
    for source in ReferralSource:
        referred = counts.get(f"source_{source}", 0)
        ended = ended_by_source.get(source, 0)
        rows.append(cells(source.label, referred, ended, referred + ended))
    referred = sum(counts.get(f"source_{source}", 0) for source in ReferralSource)
    ended = sum(ended_by_source.values())
    rows.append(cells("Total", referred, ended, referred + ended))
    return Table(
        slug="referral-sources",
        title="How people came: GP form, GP system or self-referral",
        columns=["Source", "Referred to the service", "Did not enter the pathway", "Total"],
        rows=rows,
        note=(
            "Referred: referrals to the service chosen above. Did not enter the pathway: red "
            "flags, not eligible or (from a GP) advice, counted for every practice in your "
            "commissioning area, a self-referral by the person's registered practice."
        ),
    )


# --- Returners -------------------------------------------------------------------------------


def returners(counts, return_days):
    """counts: activity_queries.referral_counts; return_days: days_to_return."""
    days = mean_ci(return_days)
    count = counts["returners"]
    mean = "-" if days.mean is None else f"{days.mean:.1f}"
    interval = "-" if days.ci_low is None else f"{days.ci_low:.1f} to {days.ci_high:.1f}"
    spread = (
        "-" if counts["first_day"] is None else f"{counts['first_day']} to {counts['last_day']}"
    )
    rows = [
        cells("Returners (of referrals to the service)", counts["referred"])
        + share(count, counts["referred"]),
        cells("Days from discharge to the new referral: mean", days.n, mean, "", interval),
        cells("Days from discharge to the new referral: range", days.n, spread, "", ""),
    ]
    for kind in ReturnKind:
        rows.append([kind.label, str(count), *share(counts[kind.value], count)])
    return Table(
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
