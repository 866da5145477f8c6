"""The report pages. Each reads the scope and filters from the request, asks the report's query
module for rows (`*_queries`), its shaping module for tables (`*_tables`, `outcome_report`)
and renders them. The dashboard and the board report reuse the same functions: no figure is
worked out twice.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from pathway.accounts.models import Role
from pathway.audit.models import AuditAction
from pathway.audit.reads import record_request_events, record_views
from pathway.care.models import Episode, Priority
from pathway.clinical import eq5d
from pathway.core.permissions import role_required
from pathway.messaging.models import MessageState, OutboundMessage
from pathway.proms.models import SafetyAlert
from pathway.reports import (
    activity_care_tables,
    activity_queries,
    activity_tables,
    outcome_summary,
    outcomes,
    waiting_queries,
    waiting_tables,
)
from pathway.reports.scope import episodes_in_scope, report_scope
from pathway.reports.tables import csv_response, export_if_asked

# --- Dashboard and board report -------------------------------------------------------------


def _failed_messages(user):
    """Messages that could not be delivered after every try: someone must contact the person."""
    return (
        OutboundMessage.objects.filter(
            state=MessageState.FAILED, episode__in=Episode.objects.visible_to(user)
        )
        .select_related("patient")
        .order_by("-due_at")[:50]
    )


@role_required(Role.MANAGER)
def dashboard(request):
    scope = report_scope(request)
    failed_messages = list(_failed_messages(request.user))
    # Each undelivered message names its person on the page.
    record_views(
        request=request,
        objects_and_patient_ids=[(message, message.patient_id) for message in failed_messages],
    )
    context = {
        "scope": scope,
        "waiting": waiting_queries.current_summary(request.user, scope),
        "open_alerts": SafetyAlert.objects.visible_to(request.user).open().count(),
        "failed_messages": failed_messages,
    }
    return render(request, "reports/dashboard.html", context)


def _board_activity(user, scope):
    """The activity tables a board reads: triage, DNA, returners and the CPPP."""
    episodes = episodes_in_scope(user, scope)
    referrals = activity_queries.referrals_to_service(user, scope)
    return [
        activity_care_tables.triage_outcomes(activity_queries.triage_counts(episodes)),
        activity_care_tables.did_not_attend(activity_queries.appointment_counts(episodes)),
        activity_tables.returners(
            activity_queries.referral_counts(referrals), activity_queries.days_to_return(referrals)
        ),
        activity_care_tables.cppp(activity_queries.cppp_rows(episodes)),
    ]


@role_required(Role.MANAGER)
def board_report(request):
    """One printable page for a board meeting: waiting, activity and outcomes."""
    scope = report_scope(request)
    activity = _board_activity(request.user, scope)
    value_set = eq5d.VALUE_SETS[settings.EQ5D_VALUE_SET]
    changes = outcomes.compute_report(request.user, scope, value_set).changes
    export = export_if_asked(request, [*activity, *changes], filename_prefix="board-report")
    if export:
        return export
    context = {
        "scope": scope,
        "export_query": scope.querystring(),
        "waiting": waiting_queries.current_summary(request.user, scope),
        "activity_tables": activity,
        "change_tables": changes,
        "value_set": value_set,
    }
    return render(request, "reports/board_report.html", context)


# --- Waiting list ---------------------------------------------------------------------------

# Filters read from the query string (besides `service` and `practice`, whose choices depend
# on who is asking): name -> {value: label}.
WAITING_FILTERS = {
    "priority": dict(Priority.choices),
    "risk": {"low": "Low", "medium": "Medium", "high": "High"},
    "breach": {"yes": "Breaching a target", "no": "Within targets"},
}


def _waiting_filters(query, scope):
    """(the practices to choose from, the valid filters in `query`): a value that does not
    fit is dropped on its own."""
    practices = waiting_queries.practices(scope)
    filters = {
        name: query[name] for name, choices in WAITING_FILTERS.items() if query.get(name) in choices
    }
    practice = next((p for p in practices if str(p.pk) == query.get("practice")), None)
    if practice:
        filters["practice"] = practice
    return practices, filters


def _waiting_filter_context(scope, practices, filters):
    params = {}
    if scope.service and len(scope.services) > 1:
        params["service"] = scope.service.pk
    for name, value in filters.items():
        params[name] = value.pk if name == "practice" else value
    return {
        "scope": scope,
        "practices": practices,
        "filters": filters,
        "choices": WAITING_FILTERS,
        # The filters again, for the pagination and CSV links.
        "query": urlencode(params),
    }


def _people(rows):
    """(episode, patient id) of each WaitingRow, for the audit trail."""
    return [(row.episode, row.episode.patient_id) for row in rows]


def _waiting_list_csv(request, episodes, *, breaching, on):
    """Every person waiting (breaching or not, as filtered) as CSV: one export event each."""
    rows = waiting_tables.waiting_rows(waiting_queries.everyone_waiting(episodes), on=on)
    rows = [row for row in rows if breaching is None or row.breaching == breaching]
    with transaction.atomic():
        record_request_events(
            request=request,
            action=AuditAction.EXPORT,
            objects_and_patient_ids=_people(rows),
        )
        return csv_response(waiting_tables.list_table(rows), filename_prefix=f"{on:%Y-%m-%d}")


@role_required(Role.MANAGER)
@vary_on_headers("HX-Request")
def waiting_list(request):
    """Everyone waiting, with days waited, targets and breaches; filters, CSV and history."""
    on, scope = waiting_queries.today(), report_scope(request)
    practices, filters = _waiting_filters(request.GET, scope)
    episodes = waiting_queries.filtered_episodes(request.user, scope, filters)
    breaching = {"yes": True, "no": False}.get(filters.get("breach"))
    if request.GET.get("export") == waiting_tables.LIST_SLUG:
        return _waiting_list_csv(request, episodes, breaching=breaching, on=on)
    history = waiting_queries.weekly_history(episodes, scope.chosen_services, on=on)
    tables = [waiting_tables.history_table(history)]
    export = export_if_asked(request, tables, filename_prefix=f"{on:%Y-%m-%d}")
    if export:
        return export
    page, summary = waiting_queries.waiting_page(
        episodes, scope.services, on=on, breaching=breaching, cursor=request.GET.get("cursor")
    )
    rows = waiting_tables.waiting_rows(page.rows, on=on)
    # The page shows every one of these people: one view event each.
    record_views(request=request, objects_and_patient_ids=_people(rows))
    context = {
        **_waiting_filter_context(scope, practices, filters),
        **waiting_tables.page_tables(rows, history),
        "today": on,
        "page": page,
        "summary": summary,
    }
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    template = "reports/waiting_list.html#results" if partial else "reports/waiting_list.html"
    return render(request, template, context)


# --- Activity and outcomes ------------------------------------------------------------------


@role_required(Role.MANAGER)
def activity(request):
    scope = report_scope(request)
    rows = activity_queries.activity_rows(request.user, scope)
    tables, chart = activity_tables.page_tables(rows, scope)
    if request.GET.get("export") == activity_tables.PRACTICE_MONTH_SLUG:
        # Built only when downloaded: thousands of rows that the page does not show.
        tables.append(activity_tables.referrals_by_practice_month(rows.per_month))
    export = export_if_asked(
        request, tables, filename_prefix=f"activity-{scope.date_from}-to-{scope.date_to}"
    )
    if export:
        return export
    context = {
        "scope": scope,
        "scope_query": scope.querystring(),
        "tables": {table.slug.replace("-", "_"): table for table in tables},
        "practice_month_slug": activity_tables.PRACTICE_MONTH_SLUG,
        "chart": chart,
    }
    return render(request, "reports/activity.html", context)


@role_required(Role.MANAGER)
def outcomes_report(request):
    scope = report_scope(request)
    value_set = eq5d.VALUE_SETS[settings.EQ5D_VALUE_SET]
    # The CSV links carry the page's dates, so an export of a stored page is stored too.
    summary = outcome_summary.stored_summary(request.user, scope)
    report = outcome_summary.report_from_json(summary.report) if summary else None
    if report is None:
        summary = None  # none stored, or stored by code whose tables no longer read back
        report = outcomes.compute_report(request.user, scope, value_set)
    export = export_if_asked(request, report.tables, filename_prefix="outcomes")
    if export:
        return export
    context = {
        "scope": scope,
        "export_query": scope.querystring(),
        "report": report,
        "value_set": value_set,
        "summary": summary,
        "calculated_at": summary.computed_at if summary else timezone.now(),
    }
    return render(request, "reports/outcomes.html", context)
