from django.urls import path

from pathway.care import views

app_name = "care"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("triage/", views.triage_queue, name="triage_queue"),
    path("alerts/", views.alerts, name="alerts"),
]
