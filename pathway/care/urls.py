from django.urls import path

from pathway.care import episode_views, lists, questionnaire_views

app_name = "care"

urlpatterns = [
    path("", lists.caseload, name="caseload"),
    path("triage/", lists.triage_queue, name="triage_queue"),
    path("episodes/<uuid:public_id>/", episode_views.episode_detail, name="episode"),
    path("episodes/<uuid:public_id>/book/", episode_views.book, name="book"),
    path("episodes/<uuid:public_id>/triage/", episode_views.triage, name="triage"),
    path("episodes/<uuid:public_id>/cppp/", episode_views.cppp_outcome, name="cppp"),
    path("episodes/<uuid:public_id>/discharge/", episode_views.discharge, name="discharge"),
    path(
        "episodes/<uuid:public_id>/discharge-letter/",
        episode_views.discharge_letter,
        name="discharge_letter",
    ),
    path(
        "episodes/<uuid:public_id>/discharge-letter.pdf",
        episode_views.discharge_letter_pdf,
        name="discharge_letter_pdf",
    ),
    path("episodes/<uuid:public_id>/exception/", episode_views.dna_exception, name="exception"),
    path("episodes/<uuid:public_id>/reopen/", episode_views.reopen, name="reopen"),
    path(
        "episodes/<uuid:public_id>/questionnaires/",
        questionnaire_views.record_questionnaires,
        name="record_questionnaires",
    ),
    path(
        "episodes/<uuid:public_id>/questionnaire-messages/",
        questionnaire_views.restart_questionnaire_messages,
        name="restart_questionnaire_messages",
    ),
    path("appointments/<int:pk>/outcome/", episode_views.appointment_outcome, name="outcome"),
    path("appointments/<int:pk>/letter/", episode_views.appointment_letter, name="letter"),
]
