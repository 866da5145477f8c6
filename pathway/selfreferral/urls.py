from django.urls import path

from pathway.selfreferral import views

app_name = "selfreferral"

urlpatterns = [
    path("<str:code>/", views.start, name="start"),
    path("<str:code>/identity/", views.identity, name="identity"),
    path("<str:code>/identity/name/", views.identity_by_name, name="identity_by_name"),
    path("<str:code>/your-pain/", views.about_pain, name="about_pain"),
    path("<str:code>/symptoms/", views.red_flags, name="red_flags"),
    path("<str:code>/eligibility/", views.eligibility, name="eligibility"),
    path("<str:code>/questions/", views.questions, name="questions"),
    path("<str:code>/contact/", views.contact, name="contact"),
    path("<str:code>/finished/", views.finished, name="finished"),
    path(
        "<str:code>/finished/questionnaires/",
        views.baseline_questionnaires,
        name="baseline_questionnaires",
    ),
]
