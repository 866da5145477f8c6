"""What to do after a did-not-attend (clinical reference section 7; local policy).

A first-appointment DNA: contact and rebook. Reaching ServiceRules.dna_discharge_after
first-appointment DNAs (2 by default), or any DNA once treatment has started: propose discharge
to the GP with a letter. It is only a proposal: the clinician may record an exception, for
example for a vulnerable patient.
"""

from pathway.clinical.answers import require_whole_number
from pathway.clinical.service_rules import ServiceRules


def propose_discharge(
    *, first_appointment_dnas: int, dnas_after_treatment_started: int, rules: ServiceRules
) -> bool:
    """True when the DNA policy says discharge to the GP should be proposed."""
    first = require_whole_number(first_appointment_dnas, 0, 1000, "First-appointment DNAs")
    later = require_whole_number(
        dnas_after_treatment_started, 0, 1000, "DNAs after treatment started"
    )
    return later > 0 or first >= rules.dna_discharge_after
