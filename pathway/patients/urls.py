from django.urls import path

from pathway.patients import views

app_name = "patients"

urlpatterns = [
    path("<uuid:public_id>/", views.patient_detail, name="detail"),
]
