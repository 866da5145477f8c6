"""The person's details on the GP form, shown as a summary to check once complete (the fields
behind "Change", referrals/refer.html), and what to say when they were found for another NHS
number."""

from pathway.clinical import nhs_number as nhs_numbers
from pathway.patients.models import Sex


def details_of_another_number(looked_up):
    shown = nhs_numbers.format(looked_up) if nhs_numbers.is_valid(looked_up) else looked_up
    return (
        f"The details below were found on the national record for NHS number {shown}, not "
        "this one. Choose Find this person again, or check every detail with the person"
    )


class ConfirmedDetails:
    """For ReferralForm: whether the details are complete and right (ReferralForm.clean sets
    lookup_mismatch), and their summary."""

    DETAIL_FIELDS = ("given_name", "family_name", "date_of_birth", "sex", "postcode")
    DETAIL_FIELDS += ("registered_practice",)
    CONTACT_FIELDS = ("mobile", "email", "preferred_channel", "consents_to_contact")

    @property
    def details_confirmed(self):
        """Whether every detail the referral needs is given, and none has an error: the page
        then shows them as a summary to check, with the fields behind "Change"."""
        if not self.is_bound:
            return False
        data = self.data
        given = [
            data.get(name, "").strip() for name in self.DETAIL_FIELDS if name != "date_of_birth"
        ]
        given += [
            data.get(f"date_of_birth_{part}", "").strip() for part in ("day", "month", "year")
        ]
        wrong = set(self.errors) & {*self.DETAIL_FIELDS, *self.CONTACT_FIELDS, "nhs_number"}
        # Details found for another NHS number stay open, beside the warning that says so.
        return all(given) and not wrong and not self.lookup_mismatch

    def details_summary(self):
        """[(label, value)] of the details as given, for the summary the GP checks."""
        data = self.data
        born = "/".join(data.get(f"date_of_birth_{part}", "") for part in ("day", "month", "year"))
        practice = self.fields["registered_practice"].rows.get(data.get("registered_practice"))
        contact = [data.get("mobile", "").strip(), data.get("email", "").strip()]
        agrees = "yes" if data.get("consents_to_contact") else "no"
        return [
            ("Name", f"{data.get('given_name', '')} {data.get('family_name', '')}"),
            ("Date of birth", born),
            ("Sex", dict(Sex.choices).get(data.get("sex"), "")),
            ("Postcode", data.get("postcode", "").upper()),
            ("Registered practice", str(practice) if practice else ""),
            (
                "Contact",
                f"{', '.join(c for c in contact if c) or 'None given'} (agrees to be "
                f"contacted: {agrees})",
            ),
        ]
