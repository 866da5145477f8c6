"""What is asked for: the Bundle's ServiceRequest, as the body part, the priority the GP
gives, the chosen service's code and who refers (the practice's ODS code, the GP).

The body part is a SNOMED CT finding: 279039007 |Low back pain| or 81680005 |Neck pain|.
The priority is FHIR's: routine (the service's "standard") or urgent. The requester is a
PractitionerRole (an entry, or contained in the ServiceRequest) whose organization carries
the practice's ODS code and whose practitioner the GP's identifiers; or an Organization by
its ODS code alone.
"""

from dataclasses import dataclass

from pathway.api.referrals.entries import dicts, identifier_values, text
from pathway.api.referrals.problems import (
    CODE_INVALID,
    INVALID,
    NOT_SUPPORTED,
    REQUIRED,
    VALUE,
    Problem,
    entry_path,
)
from pathway.api.referrals.systems import ODS_CODE, SERVICE_CODE, SNOMED_CT
from pathway.core.vocabulary import BodyPart, Priority

BODY_PARTS = {"279039007": BodyPart.BACK.value, "81680005": BodyPart.NECK.value}
PRIORITIES = {"routine": Priority.STANDARD.value, "urgent": Priority.URGENT.value}
INTENTS = ("order", "original-order")


@dataclass(frozen=True)
class Requested:
    body_part: str | None = None
    priority: str | None = None
    service_code: str | None = None
    practice_code: str | None = None
    # The referring GP's identifiers, ((system, value), ...).
    practitioner: tuple = ()


def read_service_request(posted, index, patient_index, problems):
    resource = posted.resource(index)

    def at(path):
        return f"{entry_path(index)}.{path}"

    def refuse(code, diagnostics, path):
        problems.append(Problem(code, diagnostics, at(path)))

    if resource.get("status") != "active":
        refuse(VALUE, "A referral is an active ServiceRequest (status active)", "status")
    if resource.get("intent") not in INTENTS:
        refuse(VALUE, "A referral is a ServiceRequest with intent order", "intent")
    if not posted.points_at(resource.get("subject"), index, patient_index):
        refuse(INVALID, "The ServiceRequest's subject is the Bundle's Patient", "subject")
    practice, practitioner = _requester(posted, index, resource, refuse)
    return Requested(
        body_part=_body_part(resource, refuse),
        priority=_priority(resource, refuse),
        service_code=_service(posted, index, resource, refuse),
        practice_code=practice,
        practitioner=practitioner,
    )


def _body_part(resource, refuse):
    code = resource.get("code")
    codings = dicts(code.get("coding")) if isinstance(code, dict) else []
    found = {
        BODY_PARTS[coding["code"]]
        for coding in codings
        if coding.get("system") == SNOMED_CT and coding.get("code") in BODY_PARTS
    }
    accepted = "SNOMED CT 279039007 |Low back pain| or 81680005 |Neck pain|"
    if not found:
        if code is None:
            refuse(REQUIRED, f"Say what is referred: code {accepted}", "code")
        else:
            refuse(CODE_INVALID, f"This service takes referrals coded {accepted}", "code")
        return None
    if len(found) > 1:
        refuse(INVALID, "Refer the back and the neck in separate referrals", "code")
        return None
    return found.pop()


def _priority(resource, refuse):
    given = resource.get("priority")
    if given is None:
        return None
    if given not in PRIORITIES:
        refuse(
            NOT_SUPPORTED,
            "This service takes routine or urgent referrals. For an emergency (such as "
            "possible cauda equina syndrome) send the person to the emergency department",
            "priority",
        )
        return None
    return PRIORITIES[given]


def _service(posted, index, resource, refuse):
    performers = dicts(resource.get("performer"))
    if not performers:
        return None
    if len(resource["performer"]) > 1:
        refuse(INVALID, "Name one performer: the service the person chooses", "performer[1]")
        return None
    code = posted.identifier(performers[0], SERVICE_CODE, index)
    if code is None:
        refuse(
            VALUE,
            f"Name the chosen service by its code (an identifier with system {SERVICE_CODE})",
            "performer[0]",
        )
    return code


def _requester(posted, index, resource, refuse):
    """(the referring practice's ODS code, the GP's identifiers)."""
    requester = resource.get("requester")
    practice = posted.identifier(requester, ODS_CODE, index)
    practitioner = ()
    role, _ = posted.resolve(requester, index)
    if role is not None and role.get("resourceType") == "PractitionerRole":
        practice = practice or posted.identifier(role.get("organization"), ODS_CODE, index)
        practitioner = _identifiers(posted, index, role.get("practitioner"))
    if not practice:
        refuse(
            REQUIRED,
            "Name who refers: the requester is a PractitionerRole whose organization is the "
            f"GP practice (an identifier with system {ODS_CODE}) and whose practitioner is the "
            "referring GP",
            "requester",
        )
    return practice, practitioner


def _identifiers(posted, index, reference):
    """((system, value), ...) identifying what `reference` names: its own identifier, then
    those of the resource it points to in the Bundle."""
    if not isinstance(reference, dict):
        return ()
    found = []
    own = reference.get("identifier")
    if isinstance(own, dict) and text(own.get("system")) and text(own.get("value")):
        found.append((own["system"], own["value"]))
    resource, _ = posted.resolve(reference, index)
    for identifier in dicts(resource.get("identifier")) if resource is not None else ():
        system = text(identifier.get("system"))
        for value in identifier_values(resource, system) if system else ():
            found.append((system, value))
    return tuple(dict.fromkeys(found))
