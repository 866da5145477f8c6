"""The audit trail search, under /audit/ (its pages are named audit:...)."""

from django.urls import path

from pathway.patients import audit_views

app_name = "audit"

urlpatterns = [
    path("", audit_views.search, name="search"),
]
