import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from pathway.accounts.models import Role
from pathway.accounts.scoping import scope_of
from pathway.audit.context import web_context
from pathway.audit.models import AuditAction
from pathway.audit.reads import record_request_event, record_view, record_views
from pathway.care.models import Appointment
from pathway.clinical import nhs_number
from pathway.clinical.red_flags import DESTINATIONS
from pathway.clinical.referral_rules import EXCLUSIONS_BY_CODE
from pathway.core.keyset import Key, paginate
from pathway.core.permissions import role_required
from pathway.organisations.models import GPPractice, ProviderService
from pathway.patients import pds
from pathway.referrals.actions import ReferralRefused, record_referral
from pathway.referrals.assessment import assess, median_waits, usual_service
from pathway.referrals.decision import decide
from pathway.referrals.forms import ReferralForm
from pathway.referrals.models import Referral

# The GP's list: newest first, a page at a time (keyset, so page 50 costs what page 1 does).
GP_LIST_KEYS = (Key("created_at", descending=True), Key("pk", descending=True))
GP_LIST_PAGE_SIZE = 50
# How the audit trail names a lookup of the national record (there may be no row of ours).
LOOKUP_OBJECT_TYPE = "demographics lookup"
DATE_PARTS = ("day", "month", "year")


@role_required(Role.GP)
def gp_home(request):
    referrals = (
        Referral.objects.visible_to(request.user)
        .select_related("patient", "service", "episode")
        # Only the booked appointments' dates, for "Appointment booked for ...".
        .prefetch_related(
            Prefetch(
                "episode__appointments",
                queryset=Appointment.objects.filter(outcome="").only(
                    "episode_id", "starts_at", "outcome"
                ),
            )
        )
    )
    page = paginate(referrals, GP_LIST_KEYS, request.GET.get("cursor"), GP_LIST_PAGE_SIZE)
    record_views(
        request=request,
        objects_and_patient_ids=[(referral, referral.patient_id) for referral in page.rows],
    )
    return render(request, "referrals/gp_home.html", {"referrals": page.rows, "page": page})


def _referral_form(request, data=None):
    """The form, and the services offered: those of the area of the GP's practice. A new form
    has the practice's usual service chosen, and the NHS number ready for typing."""
    practice_id = request.user.practice_id
    services = list(
        ProviderService.objects.filter(area__practices=practice_id).select_related("area")
    )
    form = ReferralForm(
        data,
        initial={"submission_key": uuid.uuid4(), "registered_practice": practice_id},
        practices=GPPractice.objects.filter(area__practices=practice_id),
        services=services,
        usual_service=lambda: usual_service(practice_id, services),
    )
    if data is None and services:
        form.initial["service"] = form.usual_service.pk if form.usual_service else None
        form.fields["nhs_number"].widget.attrs["autofocus"] = True
    return form, services


def _patient_details(patient):
    """A known patient's details, as the form's fields."""
    return {
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        **_date_fields("date_of_birth", patient.date_of_birth),
        "sex": patient.sex,
        "postcode": patient.postcode,
        "mobile": patient.mobile,
        "email": patient.email,
        "preferred_channel": patient.preferred_channel,
        "registered_practice": str(patient.registered_practice_id),
        "consents_to_contact": ["on"] if patient.consents_to_contact else [],
    }


def _found_details(person, practice, *, looked_up):
    """What the national record found, as the form's fields. A detail it does not give is left
    blank for the GP to type, so no detail of someone looked up before stays behind."""
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        **_date_fields("date_of_birth", person.date_of_birth),
        "sex": person.sex,
        "postcode": person.postcode,
        "registered_practice": str(practice.pk) if practice else "",
        "looked_up_nhs_number": looked_up,
    }


def _date_fields(name, day):
    parts = (day.day, day.month, day.year) if day else ("", "", "")
    return {f"{name}_{part}": str(value) for part, value in zip(DATE_PARTS, parts, strict=True)}


def _with_details(data, details):
    """The submitted answers with these details filled in, nothing else lost."""
    data = data.copy()
    for name, value in details.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return data


def _render_template(request, form, assessment, services, status=200, **shown):
    _audit_patient_lookup(request, assessment)
    context = {
        "form": form,
        "assessment": assessment,
        "services": services,
        "can_find_person": bool(settings.PDS_BASE_URL),
        **_waits(assessment, services),
        **shown,
    }
    return render(request, "referrals/refer.html", context, status=status)


def _waits(assessment, services):
    """Each service's current wait, for the choice of service (only asked when there is one),
    at the priority the answers give so far."""
    if len(services) < 2:
        return {}
    if assessment is None:
        return {"service_waits": median_waits(services, "standard"), "wait_priority": "standard"}
    return {"service_waits": assessment.service_waits, "wait_priority": assessment.wait_priority}


def _audit_patient_lookup(request, assessment):
    """Showing a known patient's name and history is a read of their record."""
    if assessment is not None and assessment.patient is not None:
        record_view(request=request, obj=assessment.patient, patient=assessment.patient)


def _already_submitted(request):
    """The referral this very form created, when a double click or a resubmit sends it again."""
    try:
        key = uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        return None
    return Referral.objects.visible_to(request.user).filter(submission_key=key).first()


def _answers(request, form, services):
    """What the form says so far, and what the rules make of it (for the live panels)."""
    form.is_valid()
    answers = form.answers()
    return answers, assess(answers, scope=scope_of(request.user), services=services)


@role_required(Role.GP)
def new_referral(request):
    # An empty POST is still a submission: it must be validated, not shown as a new form.
    form, services = _referral_form(request, request.POST if request.method == "POST" else None)
    if not services:
        return render(request, "referrals/no_service.html")
    if request.method != "POST":
        return _render_template(request, form, None, services)
    action = request.POST.get("action")
    if action in {"assess", "use_patient", "find_person"}:
        return _show_assessment(request, form, services, action=action)
    if not form.is_valid():
        # What was typed is not understood: show it with every other problem the rules find.
        answers, assessment = _answers(request, form, services)
        form.show_problems(decide(answers, assessment, services).problems)
        return _render_template(request, form, assessment, services)
    try:
        referral = record_referral(
            answers=form.answers(), services=services, by=request.user, context=web_context(request)
        )
    except ReferralRefused as refused:
        # A twin submission may have committed while this one was being checked.
        twin = _already_submitted(request)
        if twin is not None:
            return redirect("referrals:detail", public_id=twin.public_id)
        form.show_problems(refused.problems)
        return _render_template(request, form, refused.assessment, services)
    return redirect("referrals:detail", public_id=referral.public_id)


def _show_assessment(request, form, services, *, action):
    """The answers so far judged, without errors; with details filled in when the GP asks:
    the known patient's ("Use these details"), or the national record's ("Find this person").
    Enter after the NHS number ("assess", the form's first button) asks the national record
    the same, once, while no details are typed (our record when there is no PDS). For the
    practice's own patient the contact details come from our record, and our record stands in
    for the demographics while PDS cannot be reached."""
    answers, assessment = _answers(request, form, services)
    details, shown = None, {}
    if action == "assess" and _details_still_to_find(request.POST, assessment):
        action = "find_person" if settings.PDS_BASE_URL else "use_patient"
    if action == "use_patient" and assessment.patient is not None:
        details = _patient_details(assessment.patient)
        shown = {"focus": "patient-details"}
    elif action == "find_person" and assessment.nhs_number and settings.PDS_BASE_URL:
        details, shown = _find_person(form, assessment.nhs_number)
        shown["focus"] = "pds-lookup"
        if assessment.patient_is_visible:
            details = _with_our_record(details, shown["lookup"], assessment.patient)
    if details:
        form, _ = _referral_form(request, _with_details(request.POST, details))
        answers, assessment = _answers(request, form, services)
    if "lookup" in shown:
        _audit_demographics_lookup(request, shown["lookup"], assessment)
    return _render_template(request, form.without_errors(), assessment, services, **shown)


def _with_our_record(found, lookup, patient):
    """What the national record found, with the contact details and consent from our record of
    the practice's own patient; our record alone while PDS is unavailable. Any other outcome
    (not found, restricted, replaced number) fills nothing: the page says why."""
    ours = _patient_details(patient)
    if found:
        return {**ours, **found}
    return ours if lookup.outcome == pds.Outcome.UNAVAILABLE else None


def _details_still_to_find(data, assessment):
    """A valid NHS number not yet looked up, and no name or date of birth typed to lose."""
    typed = ("given_name", "family_name", "date_of_birth_day", "date_of_birth_year")
    return (
        assessment.nhs_number is not None
        and data.get("looked_up_nhs_number") != assessment.nhs_number
        and not any(data.get(name, "").strip() for name in typed)
    )


def _find_person(form, number):
    """(the form's fields to fill, or None; what the page shows) for this NHS number as the
    national record (PDS) has it. The registered practice is matched by ODS code among the
    practices the form offers (the area's): one elsewhere is named, and none is chosen."""
    lookup = pds.find_person(number)
    if not lookup.found:
        return None, {"lookup": lookup}
    person = lookup.person
    offered = form.fields["registered_practice"].rows.values()
    practice = next(
        (row for row in offered if row.ods_code.upper() == person.practice_ods_code), None
    )
    details = _found_details(person, practice, looked_up=number)
    return details, {"lookup": lookup, "lookup_practice": practice}


def _audit_demographics_lookup(request, lookup, assessment):
    """Asking the national record reveals a person's details, whether or not we know them: the
    event names the NHS number asked for, and our patient when the page found one."""
    known = assessment.patient
    record_request_event(
        request=request,
        action=AuditAction.VIEW,
        obj=lookup,
        patient=known if known and known.nhs_number == lookup.nhs_number else None,
        object_type=LOOKUP_OBJECT_TYPE,
    )


@require_POST
@role_required(Role.GP)
@vary_on_headers("HX-Request")
def assess_live(request):
    """The live panels (score, red flags, eligibility, returner) for the answers so far."""
    form, services = _referral_form(request, request.POST)
    _answers_so_far, assessment = _answers(request, form, services)
    _audit_patient_lookup(request, assessment)
    context = {
        "form": form.without_errors(),
        "assessment": assessment,
        "services": services,
        "oob": True,
        **_waits(assessment, services),
    }
    return render(request, "referrals/refer.html#live_panels", context)


def _get_referral_for_user(request, public_id):
    referrals = Referral.objects.visible_to(request.user).select_related(
        "patient",
        "practice",
        "referred_by",
        "service",
        "previous_episode__service",
        "red_flags_judged_by",
        "other_open_episode__service",
    )
    return get_object_or_404(referrals, public_id=public_id)


@role_required(Role.GP, Role.TTP, Role.MANAGER)
@transaction.atomic
def referral_detail(request, public_id):
    referral = _get_referral_for_user(request, public_id)
    record_view(request=request, obj=referral, patient=referral.patient)
    context = {
        "referral": referral,
        "nhs_number": nhs_number.format(referral.patient.nhs_number),
        "red_flag_advice": [DESTINATIONS[code] for code in referral.red_flag_destinations],
        "exclusions": [EXCLUSIONS_BY_CODE[code] for code in referral.exclusions_found],
    }
    return render(request, "referrals/referral_detail.html", context)


def advice(request):
    """Self-management advice for anyone with back or neck pain: public and printable."""
    return render(request, "referrals/advice.html")
