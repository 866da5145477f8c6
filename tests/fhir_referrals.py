"""The example referral Bundle (tests/data/fhir/referral-bundle.json, also shown in the docs),
and ways to change one answer of it, as a GP system would send it otherwise."""

import json
import pathlib

from pathway.api.referrals.questionnaire import BOOLEAN, QUESTIONS, TEXT

EXAMPLE = pathlib.Path(__file__).parent / "data" / "fhir" / "referral-bundle.json"
PATIENT, SERVICE_REQUEST, RESPONSE = 0, 1, 2
# Who the example names: the practice (ODS code), the service (its code), the GP.
PRACTICE_CODE = "Y90001"
SERVICE_CODE = "RGN-MSK-01"
NHS_NUMBER = "9990000018"


def example_bundle():
    """A fresh copy of the example: a complete referral, medium risk, no red flags."""
    return json.loads(EXAMPLE.read_text())


def resource(bundle, index):
    return bundle["entry"][index]["resource"]


def items(bundle):
    return resource(bundle, RESPONSE)["item"]


def item_index(bundle, link_id):
    return next(n for n, item in enumerate(items(bundle)) if item["linkId"] == link_id)


def answered(bundle, **answers):
    """`bundle` with the questions named answered so (True/False for yes/no, a code for a
    choice, words for a reason), each added where not yet answered."""
    for link_id, value in answers.items():
        question = QUESTIONS[link_id]
        if question.kind == BOOLEAN:
            given = {"valueBoolean": value}
        elif question.kind == TEXT:
            given = {"valueString": value}
        else:
            given = {"valueCoding": {"system": question.system, "code": value}}
        found = [item for item in items(bundle) if item["linkId"] == link_id]
        if found:
            found[0]["answer"] = [given]
        else:
            items(bundle).append({"linkId": link_id, "answer": [given]})
    return bundle


def without_items(bundle, *link_ids):
    resource(bundle, RESPONSE)["item"] = [
        item for item in items(bundle) if item["linkId"] not in link_ids
    ]
    return bundle
