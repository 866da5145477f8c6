"""The person's whole history, across their episodes: a care page, so it sits above proms.

Routed at /patients/ with the name patients:detail (pathway/urls.py).
"""

from django.urls import path

from pathway.care import history_views as views

app_name = "patients"

urlpatterns = [
    path("<uuid:public_id>/", views.patient_detail, name="detail"),
]
