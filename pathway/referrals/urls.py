from django.urls import path

from pathway.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.gp_home, name="gp_home"),
    path("refer/", views.new_referral, name="new"),
]
