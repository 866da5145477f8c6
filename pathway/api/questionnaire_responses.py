"""QuestionnaireResponse as FHIR R4: one completed outcome questionnaire, answered as stored.

- `questionnaire` is the instrument's published Questionnaire (pathway.api.referrals.
  instruments), and each item's linkId is the instrument's question code, so an answer is at
  `item.where(linkId='phq9_9')`; a question left unanswered (one ODI section may be) has no
  item. Choices are Codings of the instrument's answer CodeSystem, EQ VAS an integer, the
  Friends and Family Test's comment a string.
- `basedOn` is the referral (ServiceRequest) of the episode it was asked in: FHIR R4 gives a
  QuestionnaireResponse no EpisodeOfCare, and the referral leads to it (its EpisodeOfCare
  names the same ServiceRequest).
- The time point (baseline, discharge, 6 or 12 months) is the prom-timepoint extension, coded
  in the prom-timepoint CodeSystem: it says which measurement this is, not a question asked.
- The person answered, whether from their link or with a clinician, so `source` is always the
  Patient; `author`, who recorded the answers, is the Patient for a link and the clinician
  (by name: the service serves no Practitioner) when a clinician recorded them.
"""

from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse as FhirQuestionnaireResponse,
)

from pathway.api.care_resources import patient_reference
from pathway.api.referrals.instruments import (
    BY_QUESTIONNAIRE_ID,
    CHOICE,
    INTEGER,
    canonical,
    instrument_options,
    instrument_system,
    question_text,
    question_type,
)
from pathway.api.referrals.systems import CANONICAL_BASE, code_system, uk_core_meta
from pathway.api.responses import FhirError
from pathway.api.search import SearchParameter
from pathway.api.search_parameters import HL7_SEARCH
from pathway.clinical.questionnaires import INSTRUMENTS
from pathway.proms.forms import answers_by_item
from pathway.proms.models import ResponseSource, Timepoint

PROM_TIMEPOINT = f"{CANONICAL_BASE}/StructureDefinition/prom-timepoint"
TIMEPOINT_SYSTEM = code_system("prom-timepoint")


def timepoint_extension(response):
    coding = {
        "system": TIMEPOINT_SYSTEM,
        "code": response.timepoint,
        "display": Timepoint(response.timepoint).label,
    }
    return {"url": PROM_TIMEPOINT, "valueCoding": coding}


def questionnaire_response_resource(response):
    """QuestionnaireResponse of a proms QuestionnaireResponse (episode with its patient and
    referral, and recorded_by, selected)."""
    episode = response.episode
    patient = patient_reference(episode.patient)
    data = {
        "resourceType": "QuestionnaireResponse",
        "id": str(response.public_id),
        "meta": uk_core_meta("QuestionnaireResponse", response.completed_at),
        "extension": [timepoint_extension(response)],
        "questionnaire": canonical(INSTRUMENTS[response.instrument]),
        "status": "completed",
        "subject": patient,
        "basedOn": [{"reference": f"ServiceRequest/{episode.referral.public_id}"}],
        "authored": response.completed_at.isoformat(),
        "source": patient,
        "item": _items(response) or None,
    }
    author = _author(response, patient)
    if author:
        data["author"] = author
    return FhirQuestionnaireResponse.model_validate(data)


def _author(response, patient):
    if response.source == ResponseSource.PATIENT:
        return patient
    if response.recorded_by_id:
        return {"display": response.recorded_by.get_full_name()}
    return None


def _items(response):
    instrument = INSTRUMENTS[response.instrument]
    values = answers_by_item(response.instrument, response.answers)
    items = []
    for number, (item, value) in enumerate(zip(instrument.items, values, strict=False), 1):
        if value is None:
            continue
        items.append(
            {
                "linkId": item.code,
                "text": question_text(instrument, number, item),
                "answer": [_answer(instrument, item, value)],
            }
        )
    return items


def _answer(instrument, item, value):
    kind = question_type(item)
    if kind == INTEGER:
        return {"valueInteger": value}
    if kind != CHOICE:
        return {"valueString": value}
    option = next(o for o in instrument_options(instrument, item) if o.value == value)
    system = instrument_system(instrument)
    return {"valueCoding": {"system": system, "code": option.code, "display": option.display}}


REFERRAL_QUESTIONNAIRE_ID = "back-pain-referral"


def _questionnaire_ids(text):
    """The ids of the Questionnaires a `questionnaire=` value names: each the canonical URL
    (with or without |version), Questionnaire/<id> or the id alone."""
    ids = []
    for value in text.split(","):
        reference = value.partition("|")[0].removeprefix(f"{CANONICAL_BASE}/")
        questionnaire_id = reference.removeprefix("Questionnaire/")
        if questionnaire_id not in BY_QUESTIONNAIRE_ID | {REFERRAL_QUESTIONNAIRE_ID: None}:
            raise FhirError(
                400,
                "invalid",
                f"questionnaire {value!r} is not a Questionnaire this service publishes "
                f"({CANONICAL_BASE}/Questionnaire/<id>).",
            )
        ids.append(questionnaire_id)
    return ids


def questionnaire_parameter(apply):
    """The questionnaire parameter of a QuestionnaireResponse source: `apply(rows, ids)`
    filters its rows to answers of the Questionnaires with those ids."""
    return SearchParameter(
        name="questionnaire",
        type="reference",
        definition=f"{HL7_SEARCH}/QuestionnaireResponse-questionnaire",
        documentation=(
            f"The Questionnaire answered: its canonical URL ({CANONICAL_BASE}/Questionnaire/phq9) "
            "or Questionnaire/phq9; Questionnaire/back-pain-referral for the referrals' answers."
        ),
        apply=lambda rows, text, _modifier: apply(rows, _questionnaire_ids(text)),
    )


QUESTIONNAIRE = questionnaire_parameter(
    lambda rows, ids: rows.filter(
        instrument__in=[BY_QUESTIONNAIRE_ID[i] for i in ids if i in BY_QUESTIONNAIRE_ID]
    )
)
REFERRAL_QUESTIONNAIRE = questionnaire_parameter(
    lambda rows, ids: rows if REFERRAL_QUESTIONNAIRE_ID in ids else rows.none()
)
