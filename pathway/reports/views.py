"""The manager's dashboard and the printable board report, built from the report pages' own
calculations (waiting, activity, outcome_tables): no figure is worked out twice."""

from django.conf import settings
from django.shortcuts import render

from pathway.accounts.models import Role
from pathway.audit.actions import record_views
from pathway.care.models import Episode
from pathway.clinical import eq5d
from pathway.core.permissions import role_required
from pathway.messaging.models import MessageState, OutboundMessage
from pathway.proms.models import SafetyAlert
from pathway.reports import activity, outcome_tables, outcomes, waiting
from pathway.reports.scope import episodes_in_scope, report_scope
from pathway.reports.tables import export_if_asked


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
        "waiting": waiting.current_summary(request.user, scope),
        "open_alerts": SafetyAlert.objects.visible_to(request.user).open().count(),
        "failed_messages": failed_messages,
    }
    return render(request, "reports/dashboard.html", context)


BOARD_ACTIVITY = ("triage_outcomes", "did_not_attend", "returners", "cppp")


@role_required(Role.MANAGER)
def board_report(request):
    """One printable page for a board meeting: waiting, activity and outcomes."""
    scope = report_scope(request)
    episodes = episodes_in_scope(request.user, scope)
    referrals = activity.referrals_to_service(request.user, scope)
    activity_tables = [
        activity.triage_outcomes(episodes),
        activity.did_not_attend(episodes),
        activity.returners(referrals),
        activity.cppp(episodes),
    ]
    value_set = eq5d.VALUE_SETS[settings.EQ5D_VALUE_SET]
    report = outcome_tables.build_report(
        outcomes.episode_facts(request.user, episodes),
        outcomes.responses(request.user, episodes),
        value_set,
    )
    change_tables = [
        t for t in report.tables if t.slug.startswith("change-") and t.slug.count("-") == 1
    ]
    export = export_if_asked(
        request, [*activity_tables, *change_tables], filename_prefix="board-report"
    )
    if export:
        return export
    context = {
        "scope": scope,
        "export_query": scope.querystring(),
        "waiting": waiting.current_summary(request.user, scope),
        "activity_tables": activity_tables,
        "change_tables": change_tables,
        "value_set": value_set,
    }
    return render(request, "reports/board_report.html", context)
