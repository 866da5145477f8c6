"""Who is referred: the Bundle's Patient as PatientDetails values.

The NHS number is checked by the clinical core (pathway.clinical.nhs_number), the date of
birth by the same plausibility rules as every form (pathway.clinical.dates), and the name,
postcode, mobile and email by the GP's own referral form, so each detail passes the same
check whichever door it came in by. Details left out are left empty: the rules then name
them, as they do on the web form.
"""

import datetime
import re

from pathway.api.referrals.entries import dicts, identifier_values, text
from pathway.api.referrals.problems import (
    CODE_INVALID,
    INVALID,
    REQUIRED,
    VALUE,
    Problem,
    entry_path,
    quoted,
)
from pathway.api.referrals.systems import NHS_NUMBER, ODS_CODE
from pathway.clinical import InvalidAnswers, dates, nhs_number
from pathway.clinical.referral_rules import SEXES
from pathway.referrals.forms import ReferralForm

FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NHS_NUMBER_ELEMENT = f"identifier.where(system={quoted(NHS_NUMBER)})"
# The details the referral form checks, and where each is in a Patient.
FORM_CHECKED = ("given_name", "family_name", "postcode", "mobile", "email")


def read_patient(posted, index, problems, *, today):
    """({PatientDetails field: value}, the registered practice's ODS code or None)."""
    resource = posted.resource(index)

    def at(path):
        return f"{entry_path(index)}.{path}"

    values = {
        "nhs_number": _nhs_number(resource, at, problems),
        "date_of_birth": _date_of_birth(resource, at, problems, today),
        "sex": _sex(resource, at, problems),
    }
    typed, places = _typed_details(resource)
    checked, refused = _checked_by_the_form(typed, {name: at(p) for name, p in places.items()})
    values.update(checked)
    problems.extend(refused)
    return values, _registered_practice(posted, index, resource, at, problems)


def _nhs_number(resource, at, problems):
    numbers = identifier_values(resource, NHS_NUMBER)
    if not numbers:
        problems.append(
            Problem(
                REQUIRED,
                f"Give the person's NHS number as an identifier with system {NHS_NUMBER}",
                at("identifier"),
            )
        )
        return ""
    if len(numbers) > 1:
        problems.append(
            Problem(INVALID, "The Patient has more than one NHS number", at(NHS_NUMBER_ELEMENT))
        )
        return ""
    try:
        return nhs_number.normalise(numbers[0])
    except InvalidAnswers as error:
        problems.append(Problem(INVALID, str(error), at(NHS_NUMBER_ELEMENT)))
        return ""


def _date_of_birth(resource, at, problems, today):
    given = resource.get("birthDate")
    if given is None:
        return None
    day = _full_date(given)
    if day is None:
        problems.append(
            Problem(VALUE, "Give the full date of birth: year, month and day", at("birthDate"))
        )
        return None
    if day >= today:
        problem = "Date of birth must be in the past"
    else:
        problem = dates.date_problem(
            day, label="Date of birth", earliest=dates.EARLIEST, latest=today
        )
    if problem:
        problems.append(Problem(VALUE, problem, at("birthDate")))
        return None
    return day


def _full_date(given):
    if not (isinstance(given, str) and FULL_DATE.fullmatch(given)):
        return None
    try:
        return datetime.date.fromisoformat(given)
    except ValueError:
        return None


def _sex(resource, at, problems):
    gender = resource.get("gender")
    if gender is None:
        return ""
    if gender not in SEXES:
        problems.append(Problem(CODE_INVALID, f"gender is one of {', '.join(SEXES)}", at("gender")))
        return ""
    return gender


def _typed_details(resource):
    """({form field: the value given}, {form field: where it is in the Patient})."""
    names = dicts(resource.get("name"))
    official = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    number = names.index(official) if names else 0
    given = official.get("given")
    typed = {
        "given_name": text(given[0]) if isinstance(given, list) and given else "",
        "family_name": text(official.get("family")),
    }
    places = {"given_name": f"name[{number}].given", "family_name": f"name[{number}].family"}
    addresses = dicts(resource.get("address"))
    with_postcode = [a for a in addresses if text(a.get("postalCode"))]
    home = next((a for a in with_postcode if a.get("use") == "home"), None)
    address = home or (with_postcode[0] if with_postcode else None)
    if address is not None:
        typed["postcode"] = address["postalCode"]
        places["postcode"] = f"address[{addresses.index(address)}].postalCode"
    telecoms = dicts(resource.get("telecom"))
    for name, wanted in (("mobile", ("phone", "mobile")), ("email", ("email", None))):
        found = _preferred_telecom(telecoms, *wanted)
        if found is not None:
            typed[name] = text(found.get("value"))
            places[name] = f"telecom[{telecoms.index(found)}]"
    return typed, places


def _preferred_telecom(telecoms, system, use):
    matching = [
        t for t in telecoms if t.get("system") == system and (use is None or t.get("use") == use)
    ]
    ranked = sorted(matching, key=lambda t: t["rank"] if isinstance(t.get("rank"), int) else 999)
    return ranked[0] if ranked else None


def _checked_by_the_form(typed, places):
    """The details the web form takes, cleaned by it: ({name: value}, a problem with the
    form's own message for each detail given that it refuses)."""
    form = ReferralForm(data=typed, practices=(), services=())
    errors = form.errors
    values, problems = {}, []
    for name in FORM_CHECKED:
        given = typed.get(name, "")
        if not given.strip():
            values[name] = ""
        elif name in errors:
            problems.append(Problem(VALUE, str(errors[name][0]), places[name]))
            values[name] = ""
        else:
            values[name] = form.cleaned_data[name]
    return values, problems


def _registered_practice(posted, index, resource, at, problems):
    practices = dicts(resource.get("generalPractitioner"))
    codes = [posted.identifier(reference, ODS_CODE, index) for reference in practices]
    codes = [code for code in codes if code]
    if practices and not codes:
        problems.append(
            Problem(
                VALUE,
                "Name the registered GP practice by its ODS code (an identifier with system "
                f"{ODS_CODE})",
                at("generalPractitioner"),
            )
        )
    return codes[0] if codes else None
