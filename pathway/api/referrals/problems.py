"""A problem with what was posted, as an OperationOutcome issue: what is wrong, in plain words,
and where, as a FHIRPath expression (`Bundle.entry[2].resource.birthDate`).

fhir.resources reports a malformed resource as pydantic errors located by the JSON keys;
`validation_problems` turns them into expressions by walking the R4B model classes, so a
choice element reads as FHIRPath has it (`answer[0].value.ofType(boolean)`).
"""

import re
import typing
from dataclasses import dataclass

from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir_core.fhirabstractmodel import FHIRAbstractModel

# Error, invalid content etc. are the codes of http://hl7.org/fhir/issue-type.
INVALID, STRUCTURE, REQUIRED, VALUE = "invalid", "structure", "required", "value"
CODE_INVALID, NOT_SUPPORTED, BUSINESS_RULE = "code-invalid", "not-supported", "business-rule"
DUPLICATE = "duplicate"

# A malformed bundle can be wrong in thousands of places; the first ones are enough to act on.
MOST_PROBLEMS = 50

# Pydantic's words where plainer ones exist for someone writing FHIR.
_PLAIN_WORDS = {
    "extra_forbidden": "FHIR R4 has no element of this name here",
    "missing": "this element is required",
}
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_PRIMITIVES = frozenset(
    [
        "boolean",
        "integer",
        "integer64",
        "string",
        "decimal",
        "uri",
        "url",
        "canonical",
        "base64Binary",
        "instant",
        "date",
        "dateTime",
        "time",
        "code",
        "oid",
        "id",
        "markdown",
        "unsignedInt",
        "positiveInt",
        "uuid",
    ]
)


@dataclass(frozen=True)
class Problem:
    code: str
    diagnostics: str
    # Where: one FHIRPath expression, or a tuple of them when the problem is in more than one.
    expression: str | tuple
    severity: str = "error"
    # A heading for the problem, as the web form shows it ("Red flags: not referred ...").
    details: str = ""

    def issue(self):
        expression = self.expression
        issue = {
            "severity": self.severity,
            "code": self.code,
            "diagnostics": self.diagnostics,
            "expression": [expression] if isinstance(expression, str) else list(expression),
        }
        if self.details:
            issue["details"] = {"text": self.details}
        return issue


class BundleRefused(Exception):
    """The posted Bundle cannot be read as a referral: `problems` say what and where."""

    def __init__(self, problems):
        self.problems = tuple(problems)
        super().__init__("; ".join(problem.diagnostics for problem in self.problems))

    def outcome(self):
        return operation_outcome(self.problems)


def operation_outcome(problems):
    """An OperationOutcome with one issue per problem (at most MOST_PROBLEMS), validated."""
    problems = list(problems)
    issues = [problem.issue() for problem in problems[:MOST_PROBLEMS]]
    if len(problems) > MOST_PROBLEMS:
        more = Problem(
            "informational",
            f"{len(problems) - MOST_PROBLEMS} more problems were found and are not listed: "
            "fix these first",
            "Bundle",
            severity="information",
        )
        issues.append(more.issue())
    return OperationOutcome.model_validate({"resourceType": "OperationOutcome", "issue": issues})


def entry_path(index):
    return f"Bundle.entry[{index}].resource"


@dataclass(frozen=True)
class Places:
    """Where the referral's three resources are in the posted Bundle (entry indices), so a
    problem found later, by the rules, can point into what was posted."""

    patient: int
    service_request: int
    response: int

    def in_patient(self, path=""):
        return _joined(entry_path(self.patient), path)

    def in_service_request(self, path=""):
        return _joined(entry_path(self.service_request), path)

    def item(self, link_id):
        """The QuestionnaireResponse item answering the question `link_id`."""
        return f"{entry_path(self.response)}.item.where(linkId={quoted(link_id)})"


def _joined(expression, path):
    return f"{expression}.{path}" if path else expression


def quoted(text):
    """`text` as a FHIRPath string literal."""
    return "'" + str(text).replace("\\", "\\\\").replace("'", "\\'") + "'"


def validation_problems(error, model_class, expression):
    """One problem per error of a pydantic ValidationError raised validating `model_class` at
    `expression`."""
    problems = []
    for detail in error.errors(include_url=False, include_input=False):
        path = element_path(model_class, detail.get("loc", ()), detail.get("type"))
        message = _PLAIN_WORDS.get(detail.get("type")) or " ".join(str(detail.get("msg")).split())
        where = f"{expression}.{path}" if path else expression
        problems.append(Problem(STRUCTURE, f"Not valid FHIR R4: {message}", where))
    return problems


def element_path(model_class, loc, error_type=None):
    """The FHIRPath of the element at pydantic location `loc` inside a `model_class`: as far
    as the model classes can follow it (a location inside a library's own validator stops
    at the element that holds it)."""
    parts, current = [], model_class
    for key in loc:
        if isinstance(key, int):
            if parts and not parts[-1].endswith("]"):
                parts[-1] += f"[{key}]"
            continue
        field = _fields(current).get(key) if current is not None else None
        if field is None:
            # An element the resource does not have is itself the offending element.
            if error_type == "extra_forbidden" and _NAME.fullmatch(str(key)):
                parts.append(str(key))
            break
        parts.append(_element_name(key, field))
        current = _model_of(field.annotation)
    return ".".join(parts)


def _fields(model_class):
    try:
        return {field.alias or name: field for name, field in model_class.model_fields.items()}
    except AttributeError:
        return {}


def _element_name(key, field):
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    choice = extra.get("one_of_many")
    if key.startswith("_"):
        return f"{key[1:]}.extension"
    if not choice or not key.startswith(choice) or key == choice:
        return key
    suffix = key[len(choice) :]
    lowered = suffix[0].lower() + suffix[1:]
    return f"{choice}.ofType({lowered if lowered in _PRIMITIVES else suffix})"


def _model_of(annotation):
    """The FHIR model class an element's annotation holds (through Optional and List)."""
    if isinstance(annotation, type):
        if issubclass(annotation, FHIRAbstractModel):
            return annotation
        if hasattr(annotation, "get_model_klass"):
            return annotation.get_model_klass()
        return None
    for argument in typing.get_args(annotation):
        found = _model_of(argument)
        if found is not None:
            return found
    return None
