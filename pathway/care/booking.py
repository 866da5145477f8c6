"""Whether an appointment can be booked: its place, length and time, and the clinician free.

The time rules are pure (pathway.clinical.dates); this applies them with the booking horizon
setting and the clinician's other appointments.
"""

from django.conf import settings
from django.utils import timezone

from pathway.care.models import (
    LONGEST_APPOINTMENT_MINUTES,
    SHORTEST_APPOINTMENT_MINUTES,
    Appointment,
    AppointmentMode,
)
from pathway.care.transitions import CareRefused
from pathway.clinical import dates


def refuse_unbookable(
    *, episode, starts_at, clinician, mode, location, length_minutes, recording_past
):
    """CareRefused, with what to change, unless this appointment can be booked."""
    if mode == AppointmentMode.IN_PERSON and not location.strip():
        raise CareRefused("Give the clinic location for an in-person appointment.")
    if not SHORTEST_APPOINTMENT_MINUTES <= length_minutes <= LONGEST_APPOINTMENT_MINUTES:
        raise CareRefused(
            f"An appointment lasts from {SHORTEST_APPOINTMENT_MINUTES} minutes to "
            f"{LONGEST_APPOINTMENT_MINUTES // 60} hours."
        )
    problem = dates.appointment_time_problem(
        starts_at,
        timezone.now(),
        horizon_days=settings.BOOKING_HORIZON_DAYS,
        recording_past=recording_past,
        referred_at=episode.referred_at,
    )
    if problem:
        raise CareRefused(problem)
    _refuse_clash(clinician, starts_at, length_minutes)


def _refuse_clash(clinician, starts_at, length_minutes):
    """CareRefused naming the clinician's other appointment at that time, if there is one."""
    type(clinician).objects.select_for_update().filter(pk=clinician.pk).first()
    clash = next(iter(Appointment.objects.overlapping(clinician, starts_at, length_minutes)), None)
    if clash:
        local = timezone.localtime(clash.starts_at)
        raise CareRefused(
            f"{clinician.get_full_name()} already has an appointment from {local:%H:%M} to "
            f"{timezone.localtime(clash.ends_at):%H:%M} on {local:%-d %B %Y} "
            f"({clash.get_kind_display().lower()}). Choose another time or clinician."
        )
