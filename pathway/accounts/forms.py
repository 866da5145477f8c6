from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import forms as auth_forms
from django_otp import verify_token


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


class AuthenticatorCodeForm(NHSFormHelperMixin, forms.Form):
    """The 6-digit code, checked against one device. django-otp's throttling stays on: each
    wrong code doubles the wait before the next is even checked."""

    code = forms.CharField(
        label="Enter the 6-digit code from your authenticator app",
        help_text="The code changes every 30 seconds.",
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "class": "nhsuk-input--width-10",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError("The code must be 6 digits, like 123456")
        allowed, _ = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                "You have entered too many wrong codes. Wait a minute, then enter the newest "
                "code from your app"
            )
        # django_otp.verify_token locks the device row, so two guesses cannot race past the
        # throttle, and it refuses a code that has already been used.
        if verify_token(self.device.user, self.device.persistent_id, code) is None:
            raise forms.ValidationError(
                "The code is not correct. Enter the newest 6-digit code from your app"
            )
        return code
