"""The discharge letter to the GP as FHIR R4: a DocumentReference that describes it, and the
PDF itself as a Binary of the same id.

Each discharged episode has one letter (pathway.care.letters), made from the record when it is
asked for; both resources take the episode's opaque id. The reference gives the PDF's size and
SHA-1 hash, which match the Binary's bytes because the same record renders the same bytes.
"""

import base64

from fhir.resources.R4B.binary import Binary
from fhir.resources.R4B.documentreference import DocumentReference

from pathway.api.care_resources import patient_reference, service_reference
from pathway.api.referrals.systems import SNOMED_CT, uk_core_meta
from pathway.api.responses import fhir_base_url
from pathway.care.letters import content
from pathway.care.letters.pdf import digest, render_pdf
from pathway.care.letters.records import discharge_letter

PDF = "application/pdf"
# SNOMED CT 373942005 |Discharge summary (record artifact)|, as the German KDL map and India's
# discharge summary profile code it.
LETTER_TYPE = {"system": SNOMED_CT, "code": "373942005", "display": "Discharge summary"}


def letter_and_pdf(episode):
    """(DischargeLetter, PDF bytes) of a discharged episode from with_letters()."""
    letter = discharge_letter(episode)
    return letter, render_pdf(letter)


def document_reference_resource(episode):
    """The DocumentReference of an episode's discharge letter (episode from with_letters(),
    its patient, referral and practice, service and lead clinician selected)."""
    letter, pdf = letter_and_pdf(episode)
    size, sha1 = digest(pdf)
    discharged = episode.discharged_at.isoformat()
    author = [service_reference(episode.service)]
    if letter.lead_clinician:
        author.append({"display": letter.lead_clinician})
    return DocumentReference.model_validate(
        {
            "resourceType": "DocumentReference",
            "id": str(episode.public_id),
            "meta": uk_core_meta("DocumentReference", episode.letter_changed_at),
            "status": "current",
            "type": {"coding": [LETTER_TYPE], "text": "Discharge letter to the GP"},
            "subject": patient_reference(episode.patient),
            # When the letter was written: the discharge. meta.lastUpdated says when it last
            # changed (questionnaires answered after the discharge).
            "date": discharged,
            "author": author,
            "custodian": service_reference(episode.service),
            "description": f"Discharged: {letter.discharge_reason}",
            "content": [
                {
                    "attachment": {
                        "contentType": PDF,
                        "language": "en-GB",
                        "url": f"{fhir_base_url()}/Binary/{episode.public_id}",
                        "size": size,
                        "hash": sha1,
                        "title": content.title(letter),
                        "creation": discharged,
                    }
                }
            ],
            # R4's context.encounter takes only an Encounter: the episode is a related
            # resource, as is the referral that began it.
            "context": {
                "period": {"start": episode.referred_at.isoformat(), "end": discharged},
                "related": [
                    {"reference": f"EpisodeOfCare/{episode.public_id}"},
                    {"reference": f"ServiceRequest/{episode.referral.public_id}"},
                ],
            },
        }
    )


def binary_resource(episode, pdf):
    """The letter's PDF as a Binary resource: for a client that asks for FHIR JSON."""
    return Binary.model_validate(
        {
            "resourceType": "Binary",
            "id": str(episode.public_id),
            "meta": {"lastUpdated": episode.letter_changed_at.isoformat()},
            "contentType": PDF,
            # Whoever may read this DocumentReference may read the letter, and no one else.
            "securityContext": {"reference": f"DocumentReference/{episode.public_id}"},
            "data": base64.b64encode(pdf).decode("ascii"),
        }
    )
