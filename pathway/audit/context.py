"""Who did something and through which door: the plain values every action takes.

`by` is a staff user, or an `Actor` for someone who is not one (a patient through their link,
an API client, the system itself). `AuditContext` says where the request came from. Views,
tasks, management commands and tests build these; actions never see a request.
"""

from dataclasses import dataclass

from django.db import models


class Channel(models.TextChoices):
    WEB = "web", "Web form"
    PATIENT_LINK = "patient_link", "Patient's secure link"
    SELF_REFERRAL = "self_referral", "Self-referral"
    API = "api", "API"
    TASK = "task", "Scheduled task"
    COMMAND = "command", "Management command"
    DEMO = "demo", "Demo data"
    TEST = "test", "Test"


@dataclass(frozen=True)
class AuditContext:
    channel: Channel
    ip_address: str | None = None
    user_agent: str = ""


@dataclass(frozen=True)
class Actor:
    """Someone who is not a staff user. The audit trail records `kind` as the role and `name`
    as the organisation, so a row says who acted even with no user account behind it."""

    kind: str
    name: str

    @property
    def is_staff_user(self):
        return False


def staff_user(by):
    """The user row to name on a record's "by" column: None for someone who is not staff."""
    return None if isinstance(by, Actor) else by


def actor_name(by):
    """Who acted, for a record's "by name" column beside `staff_user`: blank for a member of
    staff (the user row says who), else the actor as the audit trail names them."""
    return f"{by.name} ({by.kind})" if isinstance(by, Actor) else ""


PATIENT = Actor(kind="patient", name="Patient, through their secure link")
SYSTEM = Actor(kind="system", name="The pathway service")

TASK_CONTEXT = AuditContext(channel=Channel.TASK)
DEMO_CONTEXT = AuditContext(channel=Channel.DEMO)

# The user agent is kept to help an investigation tell devices apart, not in full.
USER_AGENT_LENGTH = 200


def client_ip(request):
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites
    # it, and the deployment guide puts that proxy in front, not in Django.
    return request.META.get("REMOTE_ADDR") or None


def web_context(request, channel=Channel.WEB):
    """The audit context of a web request: built in views, never passed the request itself."""
    return AuditContext(
        channel=channel,
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH],
    )
