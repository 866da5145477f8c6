from django.contrib.auth import views as auth_views
from django.urls import path

from pathway.accounts import views

app_name = "accounts"

urlpatterns = [
    path("administration/", views.administrator_home, name="administrator_home"),
    path("account/", views.account, name="account"),
    path("sign-in/code/", views.second_factor_code, name="second_factor"),
    path("account/authenticator/", views.set_up_authenticator, name="set_up_authenticator"),
    path(
        "account/authenticator/start/",
        views.start_authenticator_set_up,
        name="start_authenticator_set_up",
    ),
    path("account/authenticator/link/<str:token>/", views.open_set_up_link, name="set_up_link"),
]

# Django's auth views reverse these names without a namespace, so they live at the top level
# (LOGIN_REDIRECT_URL is "home").
auth_urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", views.ChangePasswordView.as_view(), name="password_change"),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("account/reset/", views.ResetPasswordView.as_view(), name="password_reset"),
    path(
        "account/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "account/reset/<uidb64>/<token>/",
        views.NewPasswordView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
