"""Reading questionnaire responses for pages: grouped the way clinicians read them."""

from pathway.proms.models import QuestionnaireResponse, Timepoint
from pathway.proms.timepoints import instruments_for

TIMEPOINT_ORDER = tuple(Timepoint.values)


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
