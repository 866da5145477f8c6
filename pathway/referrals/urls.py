from django.urls import path

from pathway.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.gp_home, name="gp_home"),
    path("refer/", views.new_referral, name="new"),
    path("refer/assess/", views.assess_live, name="assess"),
    path("referrals/<uuid:public_id>/", views.referral_detail, name="detail"),
]
