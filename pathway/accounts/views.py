from django.contrib.auth import views as auth_views
from django.shortcuts import render

from pathway.accounts import forms
from pathway.accounts.models import Role
from pathway.core.permissions import role_required


class SignInView(auth_views.LoginView):
    form_class = forms.SignInForm
    redirect_authenticated_user = True


class ChangePasswordView(auth_views.PasswordChangeView):
    form_class = forms.ChangePasswordForm


class ResetPasswordView(auth_views.PasswordResetView):
    form_class = forms.ResetPasswordForm


class NewPasswordView(auth_views.PasswordResetConfirmView):
    form_class = forms.NewPasswordForm


@role_required(Role.ADMINISTRATOR)
def administrator_home(request):
    return render(request, "accounts/administrator_home.html")
