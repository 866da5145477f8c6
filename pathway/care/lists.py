"""The TTP's lists: caseload and triage queue."""

from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import render
from django.utils import timezone

from pathway.accounts.models import Role
from pathway.care.models import Episode, EpisodeState, Priority
from pathway.core.permissions import role_required
from pathway.core.views import coming_soon


@role_required(Role.TTP)
def caseload(request):
    return coming_soon(
        request,
        title="Your caseload",
        description="Your open episodes with next appointment, sessions used, questionnaires "
        "outstanding and safety alerts.",
    )


def urgent_first():
    return Case(
        When(priority=Priority.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField()
    )


@role_required(Role.TTP)
def triage_queue(request):
    """New referrals for the TTP's service: urgent first, then the longest waiting."""
    episodes = (
        Episode.objects.visible_to(request.user)
        .filter(state=EpisodeState.AWAITING_TRIAGE)
        .select_related("patient", "referral")
        .order_by(urgent_first(), "clock_started_on", "referred_at")
    )
    today = timezone.localdate()
    rows = [(episode, (today - episode.clock_started_on).days) for episode in episodes[:200]]
    return render(request, "care/triage_queue.html", {"rows": rows})
