from crispy_forms.helper import FormHelper
from django.contrib.auth import forms as auth_forms


class NHSFormHelperMixin:
    """Crispy helper with our NHS.UK pack: the page template renders the <form> tag itself."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False


class SignInForm(NHSFormHelperMixin, auth_forms.AuthenticationForm):
    error_messages = {
        # One message for every failure, so the page never says which accounts exist.
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "Enter a correct username and password. Both are case-sensitive.",
    }


class ChangePasswordForm(NHSFormHelperMixin, auth_forms.PasswordChangeForm):
    pass


class ResetPasswordForm(NHSFormHelperMixin, auth_forms.PasswordResetForm):
    pass


class NewPasswordForm(NHSFormHelperMixin, auth_forms.SetPasswordForm):
    pass
