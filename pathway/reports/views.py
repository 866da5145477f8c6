from pathway.accounts.models import Role
from pathway.core.permissions import role_required
from pathway.core.views import coming_soon

_REPORT_PAGES = {
    "dashboard": (
        "Service dashboard",
        "Waiting list against targets, activity, returners, did-not-attend and outcomes.",
    ),
    "waiting_list": (
        "Waiting list",
        "Everyone waiting for assessment or treatment, with breaches against targets.",
    ),
    "activity": (
        "Activity",
        "Referrals, triage outcomes, did-not-attend and return rates, caseload per TTP.",
    ),
    "outcomes": (
        "Outcomes",
        "Change in pain, disability, quality of life, anxiety and depression, in the "
        "evaluation's format.",
    ),
}


def _report_page(name):
    title, description = _REPORT_PAGES[name]

    @role_required(Role.MANAGER)
    def view(request):
        return coming_soon(request, title=title, description=description)

    view.__name__ = name
    return view


dashboard = _report_page("dashboard")
waiting_list = _report_page("waiting_list")
activity = _report_page("activity")
outcomes = _report_page("outcomes")
