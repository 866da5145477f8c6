"""Reading questionnaire responses for pages: grouped the way clinicians read them."""

from pathway.proms.models import PromTimepoint, QuestionnaireResponse, Timepoint
from pathway.proms.timepoints import instruments_for
from pathway.proms.windows import accepts_answers

TIMEPOINT_ORDER = tuple(Timepoint.values)
# Follow-up questionnaires are the patient's own, from their link; a clinician records the
# ones completed in clinic.
RECORDABLE_TIMEPOINTS = (Timepoint.BASELINE, Timepoint.DISCHARGE)


def group_by_timepoint(responses):
    """{timepoint: {instrument: response}}, time points in pathway order (baseline first) and
    instruments in the order the time point asks for them; only what was answered is present.
    """
    grouped = {}
    for response in responses:
        grouped.setdefault(response.timepoint, {})[response.instrument] = response
    result = {}
    for timepoint in TIMEPOINT_ORDER:
        if timepoint not in grouped:
            continue
        answered = grouped[timepoint]
        asked = [code for code in _instruments_or_none(timepoint) if code in answered]
        extra = sorted(code for code in answered if code not in asked)
        result[timepoint] = {code: answered[code] for code in [*asked, *extra]}
    return result


def responses_by_timepoint(episode):
    """The episode's responses as {timepoint: {instrument: response}}, in one query.

    The caller has already checked that the user may see `episode`.
    """
    responses = QuestionnaireResponse.objects.filter(episode=episode).select_related("recorded_by")
    return group_by_timepoint(responses)


def _instruments_or_none(timepoint):
    # A configuration that no longer lists a time point must not hide answers already given.
    try:
        return instruments_for(timepoint)
    except (KeyError, ValueError):
        return []


def timepoints_open_for_recording(episode):
    """The time points a clinician can record questionnaires for now (inside their windows),
    in pathway order, in one query."""
    entries = PromTimepoint.objects.filter(episode=episode, timepoint__in=RECORDABLE_TIMEPOINTS)
    open_now = {entry.timepoint for entry in entries if accepts_answers(entry)}
    return [timepoint for timepoint in RECORDABLE_TIMEPOINTS if timepoint in open_now]
