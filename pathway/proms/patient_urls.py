"""The person's questionnaire pages, under /q/. Only the first URL holds the link's token."""

from django.urls import path

from pathway.proms import patient_views

app_name = "proms"

# The fixed paths come first: a token is never as short as these words (links.find_link).
urlpatterns = [
    path("start/", patient_views.start, name="start"),
    path("stop/", patient_views.stop, name="stop"),
    path("confirm/", patient_views.confirm, name="confirm"),
    path("questionnaire/", patient_views.next_questionnaire, name="questionnaire"),
    path("questionnaire/<slug:instrument>/", patient_views.answer, name="answer"),
    path("complete/", patient_views.complete, name="complete"),
    path("<str:token>/", patient_views.open_link, name="open_link"),
    # Anything longer under a token (such as <token>/stop/, the stop button's address before
    # links redirected at once) opens the link too: a 404 here would log the token.
    path("<str:token>/<path:_rest>", patient_views.open_link),
]
