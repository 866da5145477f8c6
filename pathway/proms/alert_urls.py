"""Safety alerts, under /ttp/alerts/: staff pages, so not in the "proms" namespace of the
person's questionnaire pages, which are open before the second step of signing in."""

from django.urls import path

from pathway.proms import alert_views

app_name = "safety_alerts"

urlpatterns = [
    path("", alert_views.alerts, name="list"),
    path("<int:pk>/acknowledge/", alert_views.acknowledge, name="acknowledge"),
]
