from django.http import HttpResponse


def _todo(request, **kwargs):
    return HttpResponse("being built", status=501)


episode_detail = book = triage = cppp_outcome = discharge = discharge_letter = _todo
dna_exception = reopen = appointment_outcome = appointment_letter = _todo
