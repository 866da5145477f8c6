"""Print a fresh questionnaire link for a demo patient, to try the patient's side locally.

Only for synthetic people (NHS numbers in the 999 test range): real links only ever travel in
a message to the person.
"""

from django.core.management.base import BaseCommand, CommandError

from pathway.clinical import InvalidAnswers, nhs_number
from pathway.proms.links import create_link, link_url
from pathway.proms.models import PromTimepoint, TimepointState


class Command(BaseCommand):
    help = "Print a questionnaire link for a demo patient's open time point."

    def add_arguments(self, parser):
        parser.add_argument("nhs_number", help="a test-range NHS number, e.g. 9990000018")

    def handle(self, *args, **options):
        try:
            number = nhs_number.normalise(options["nhs_number"])
        except InvalidAnswers as error:
            raise CommandError(str(error)) from None
        if not nhs_number.is_test_number(number):
            raise CommandError("Only demo patients (NHS numbers 999 000 0000 to 999 999 9999).")
        timepoint = (
            PromTimepoint.objects.filter(
                episode__patient__nhs_number=number, state=TimepointState.OPEN
            )
            .select_related("episode__patient")
            .order_by("due_at")
            .first()
        )
        if timepoint is None:
            raise CommandError("That person has no questionnaires waiting.")
        token, _ = create_link(timepoint=timepoint)
        patient = timepoint.episode.patient
        self.stdout.write(
            f"{timepoint.get_timepoint_display()} questionnaires for {patient.full_name} "
            f"(date of birth {patient.date_of_birth:%d %m %Y}):\n{link_url(token)}"
        )
