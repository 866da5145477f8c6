"""Search parameters several resource types share, each made for the fields of one model."""

import uuid

from django.db.models import Q

from pathway.api.referrals.systems import NHS_NUMBER
from pathway.api.responses import FhirError
from pathway.api.search import SearchParameter, date_filter, token_values

HL7_SEARCH = "http://hl7.org/fhir/SearchParameter"


def last_updated(field):
    return SearchParameter(
        name="_lastUpdated",
        type="date",
        definition=f"{HL7_SEARCH}/Resource-lastUpdated",
        documentation="When the record last changed, with eq, ne, gt, ge, lt, le, sa or eb.",
        apply=lambda rows, text, _modifier: rows.filter(date_filter(field, text)),
    )


def date(*, definition, field, documentation, name="date"):
    return SearchParameter(
        name=name,
        type="date",
        definition=f"{HL7_SEARCH}/{definition}",
        documentation=documentation,
        apply=lambda rows, text, _modifier: rows.filter(date_filter(field, text)),
    )


def status(*, definition, codes, name="status"):
    """A token parameter over the FHIR codes in `codes` (FHIR code -> the Q that finds rows
    with it); any other code is refused, so a misspelt one does not silently find nobody."""

    def apply(rows, text, _modifier):
        wanted = Q(pk__in=[])
        for _system, code in token_values(text):
            if code not in codes:
                known = ", ".join(codes)
                raise FhirError(400, "invalid", f"{name} {code!r} is not one of: {known}.")
            wanted |= codes[code]
        return rows.filter(wanted)

    return SearchParameter(
        name=name,
        type="token",
        definition=f"{HL7_SEARCH}/{definition}",
        documentation=f"One or more of {', '.join(codes)}, comma-separated.",
        apply=apply,
    )


def patient(*, definition, path):
    """`patient=Patient/<id>` (or the id alone), or `patient:identifier=<NHS number system>|<n>`
    for a system that knows the NHS number and not our id. `path` leads to the patient."""

    def apply(rows, text, modifier):
        if modifier == "identifier":
            wanted = Q(pk__in=[])
            for system, code in token_values(text):
                if system in (None, NHS_NUMBER) and code:
                    wanted |= Q(**{f"{path}__nhs_number": code})
            return rows.filter(wanted)
        ids = []
        for value in text.split(","):
            try:
                ids.append(uuid.UUID(value.removeprefix("Patient/")))
            except ValueError:
                raise FhirError(
                    400, "invalid", f"patient {value!r} is not Patient/<id> (an id this API gave)."
                ) from None
        return rows.filter(**{f"{path}__public_id__in": ids})

    return SearchParameter(
        name="patient",
        type="reference",
        definition=f"{HL7_SEARCH}/{definition}",
        documentation=(
            f"Patient/<id>, or with :identifier the NHS number ({NHS_NUMBER}|9990000018)."
        ),
        apply=apply,
        modifiers=("identifier",),
    )
