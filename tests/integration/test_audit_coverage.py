"""Every page that shows, exports or changes a person's data writes the audit trail.

One page per parameter: the page is opened as the member of staff who would use it, and the
new audit events must be exactly one per person shown (one for a page about one person), each
naming who (user, role, organisation), whom (patient), what (action) and from where (IP).
"""

import datetime
from dataclasses import dataclass

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from pathway.audit.models import AuditAction, AuditEvent
from pathway.care import actions
from pathway.demo.referrals import refer
from pathway.messaging.models import OutboundMessage
from pathway.proms.actions import record_questionnaire
from tests.audit_context import TEST_CONTEXT
from tests.factories import PatientFactory
from tests.slots import past_slot

pytestmark = pytest.mark.django_db

TEST_CLIENT_IP = "127.0.0.1"


@dataclass
class World:
    gp: object
    ttp: object
    manager: object
    waiting: object  # awaiting triage, with a safety alert
    booked: object  # first assessment booked in the future, on the TTP's caseload
    discharged: object
    appointment: object
    failed_message: object


@pytest.fixture
def world(gp, ttp, manager, service):
    def new_episode():
        patient = PatientFactory(registered_practice=gp.practice)
        return refer(gp=gp, patient=patient, service=service).episode

    waiting, booked, discharged = new_episode(), new_episode(), new_episode()
    record_questionnaire(
        context=TEST_CONTEXT,
        episode=waiting,
        timepoint="baseline",
        instrument="phq9",
        answers={"items": [0, 0, 0, 0, 0, 0, 0, 0, 1]},
        source="clinician",
        by=ttp,
    )
    appointment = actions.book_appointment(
        context=TEST_CONTEXT,
        episode=booked,
        kind="first_assessment",
        starts_at=timezone.now() + datetime.timedelta(days=3),
        clinician=ttp,
        mode="telephone",
        by=ttp,
    )
    assessed = actions.book_appointment(
        context=TEST_CONTEXT,
        episode=discharged,
        kind="first_assessment",
        starts_at=past_slot(),
        clinician=ttp,
        mode="telephone",
        by=ttp,
        recording_past=True,
    )
    actions.record_attendance(
        context=TEST_CONTEXT, appointment=assessed, outcome="attended", by=ttp
    )
    actions.record_triage_decision(
        context=TEST_CONTEXT,
        episode=discharged,
        outcome="same_day_discharge",
        symptom_duration="lt_3",
        by=ttp,
    )
    failed_message = OutboundMessage.objects.filter(episode=waiting).first()
    OutboundMessage.objects.filter(pk=failed_message.pk).update(state="failed")
    return World(gp, ttp, manager, waiting, booked, discharged, appointment, failed_message)


@dataclass(frozen=True)
class Page:
    url_name: str
    role: str  # who opens it
    arg: str | None  # what its address names (a World attribute, see _address)
    shown: tuple  # the World episodes whose people the page shows
    action: str = AuditAction.VIEW
    how: str = "get"  # or "lookup": post the booked person's NHS number
    query: str = ""


BOOKED, WAITING, DISCHARGED = ("booked",), ("waiting",), ("discharged",)

PAGES = [
    Page("referrals:gp_home", "gp", None, ("waiting", "booked", "discharged")),
    Page("referrals:new", "gp", None, BOOKED, how="lookup"),
    Page("referrals:assess", "gp", None, BOOKED, how="lookup"),
    Page("referrals:detail", "gp", "booked.referral", BOOKED),
    Page("patients:detail", "gp", "booked.patient", BOOKED),
    Page("care:caseload", "ttp", None, BOOKED),
    Page("care:triage_queue", "ttp", None, WAITING),
    Page("safety_alerts:list", "ttp", None, WAITING),
    Page("care:episode", "ttp", "booked", BOOKED),
    Page("care:episode", "manager", "booked", BOOKED),
    Page("care:book", "ttp", "booked", BOOKED),
    Page("care:triage", "ttp", "booked", BOOKED),
    Page("care:cppp", "ttp", "booked", BOOKED),
    Page("care:discharge", "ttp", "booked", BOOKED),
    Page("care:exception", "ttp", "booked", BOOKED),
    Page("care:reopen", "ttp", "booked", BOOKED),
    Page("care:record_questionnaires", "ttp", "booked", BOOKED),
    Page("care:outcome", "ttp", "appointment", BOOKED),
    Page("care:letter", "ttp", "appointment", BOOKED),
    Page("care:discharge_letter", "gp", "discharged", DISCHARGED),
    Page("care:discharge_letter_pdf", "ttp", "discharged", DISCHARGED, action=AuditAction.EXPORT),
    Page("reports:dashboard", "manager", None, WAITING),
    Page("reports:waiting_list", "manager", None, ("waiting", "booked")),
    Page(
        "reports:waiting_list",
        "manager",
        None,
        ("waiting", "booked"),
        action=AuditAction.EXPORT,
        query="?export=waiting-list",
    ),
    Page("audit:search", "manager", None, BOOKED, how="lookup"),
]

# Staff pages that show no one in particular, or only take a step another page shows.
NO_PERSON_SHOWN = {
    "reports:activity",  # counts only
    "reports:outcomes",  # counts, means and confidence intervals only
    "reports:board_report",  # the same
    "safety_alerts:acknowledge",  # POST only: audited by its action, then back to the alert list
    "care:restart_questionnaire_messages",  # POST only: audited by its action, then the episode
}


def _address(world, page):
    if page.arg is None:
        return reverse(page.url_name) + page.query
    target = world
    for part in page.arg.split("."):
        target = getattr(target, part)
    key = target.pk if page.arg == "appointment" else target.public_id
    return reverse(page.url_name, args=[key]) + page.query


def _open(client, world, page):
    address = _address(world, page)
    if page.how == "lookup":
        # Typing a known NHS number shows the person's details (or their audit trail).
        return client.post(address, {"nhs_number": world.booked.patient.nhs_number})
    return client.get(address)


def _last_event_id():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.mark.parametrize("page", PAGES, ids=[f"{p.url_name}-{p.role}-{p.action}" for p in PAGES])
def test_page_writes_one_audit_event_per_person_shown(client, world, page):
    user = getattr(world, page.role)
    client.force_login(user)
    already = _last_event_id()

    response = _open(client, world, page)

    assert response.status_code == 200
    events = list(AuditEvent.objects.filter(id__gt=already).order_by("id"))
    shown = sorted(getattr(world, name).patient_id for name in page.shown)
    assert sorted(event.patient_id for event in events) == shown
    for event in events:
        assert (event.user, event.role, event.organisation) == (
            user,
            user.effective_role,
            str(user.organisation),
        )
        assert event.action == page.action
        assert event.ip_address == TEST_CLIENT_IP
        assert event.object_type and event.object_id


def test_every_staff_page_is_in_the_audit_coverage_list():
    # A new page must be added to PAGES (and audited), or to NO_PERSON_SHOWN with a reason.
    resolver = get_resolver()
    names = {
        f"{namespace}:{name}"
        for namespace in ("referrals", "care", "safety_alerts", "patients", "reports", "audit")
        for name in resolver.namespace_dict[namespace][1].reverse_dict
        if isinstance(name, str)
    }

    assert names - NO_PERSON_SHOWN == {page.url_name for page in PAGES}


def test_a_change_writes_its_events_and_no_view(client, world):
    client.force_login(world.ttp)
    already = _last_event_id()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(
        reverse("care:book", args=[world.waiting.public_id]),
        {
            "date_day": tomorrow.day,
            "date_month": tomorrow.month,
            "date_year": tomorrow.year,
            "time": "09:30",
            "length_minutes": "30",
            "mode": "telephone",
            "location": "",
            "clinician": world.ttp.pk,
        },
    )

    assert response.status_code == 302
    events = AuditEvent.objects.filter(id__gt=already)
    assert AuditAction.CREATE in {event.action for event in events}
    assert {(e.user, e.patient_id) for e in events} == {(world.ttp, world.waiting.patient_id)}
    assert not events.filter(action=AuditAction.VIEW).exists()


def test_a_refused_change_leaves_only_the_view_of_the_form(client, world):
    # The change and its event are one transaction: when the change is refused, so is its event.
    client.force_login(world.ttp)
    already = _last_event_id()

    response = client.post(
        reverse("care:discharge", args=[world.waiting.public_id]), {"reason": "treatment_complete"}
    )

    assert response.status_code == 200
    events = AuditEvent.objects.filter(id__gt=already)
    assert list(events.values_list("action", "patient_id")) == [
        (AuditAction.VIEW, world.waiting.patient_id)
    ]
