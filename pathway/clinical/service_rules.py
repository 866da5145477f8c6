"""Local service policy that the clinical rules take as configuration (reference sections 2, 7).

The defaults are the pathway's; a service may change any of them. Rules never read settings
themselves: the caller passes a ServiceRules, which keeps every rule a pure function.
"""

from dataclasses import dataclass, fields

from pathway.clinical.errors import InvalidAnswers


@dataclass(frozen=True)
class ServiceRules:
    # Widespread pain also fails "primarily back or neck pain": excluded unless a service says
    # otherwise. The later pathway accepted all durations, so the AQP's chronic (over a year)
    # exclusion is a separate rule, off by default (clinical reference section 2).
    exclude_widespread_pain: bool = True
    exclude_chronic_pain: bool = False
    urgent_target_working_days: int = 5
    standard_target_days: int = 14
    referral_to_treatment_weeks: int = 18
    max_therapy_sessions: int = 8
    # A second referral for the same body part within this many calendar months of the last
    # discharge needs a recorded justification (returners.returner_window_ends).
    returner_window_months: int = 12
    minimum_age: int = 16
    # First-appointment DNAs before discharge to the GP is proposed ("rebook once").
    dna_discharge_after: int = 2

    def __post_init__(self):
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(field.default, bool):
                if not isinstance(value, bool):
                    raise InvalidAnswers(f"Service rule {field.name} must be True or False")
            elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidAnswers(
                    f"Service rule {field.name} must be a whole number of at least 1, not {value!r}"
                )
