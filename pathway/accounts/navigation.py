"""What each role sees in the header menu, and where each role lands after signing in."""

from pathway.accounts.models import Role

NAVIGATION = {
    Role.GP: [
        ("Home", "referrals:gp_home"),
        ("Refer a patient", "referrals:new"),
    ],
    Role.TTP: [
        ("Caseload", "care:caseload"),
        ("Triage queue", "care:triage_queue"),
        ("Safety alerts", "safety_alerts:list"),
    ],
    Role.MANAGER: [
        ("Dashboard", "reports:dashboard"),
        ("Waiting list", "reports:waiting_list"),
        ("Activity", "reports:activity"),
        ("Outcomes", "reports:outcomes"),
        ("Audit trail", "audit:search"),
    ],
    Role.ADMINISTRATOR: [
        ("Home", "accounts:administrator_home"),
        ("Users and organisations", "admin:index"),
        ("Audit trail", "audit:search"),
    ],
}


def navigation_for(user):
    return NAVIGATION.get(user.effective_role, [])


def home_url_name(user):
    return navigation_for(user)[0][1]
