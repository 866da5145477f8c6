from urllib.parse import urlencode

import django_otp
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from pathway.accounts import actions, forms, second_factor, sessions, set_up_links
from pathway.accounts.models import AuthenticatorSetUpLink, Role
from pathway.accounts.navigation import home_url_name
from pathway.audit.context import web_context
from pathway.core.permissions import (
    HAS_AUTHENTICATOR,
    is_verified,
    needs_second_factor,
    role_required,
)


@login_required
def home(request):
    """Where each role lands after signing in (LOGIN_REDIRECT_URL)."""
    return redirect(home_url_name(request.user))


class SignInView(auth_views.LoginView):
    form_class = forms.SignInForm
    redirect_authenticated_user = True

    def get_success_url(self):
        url = super().get_success_url()
        if needs_second_factor(self.request):
            return _with_next(reverse("accounts:second_factor"), url)
        if second_factor.pending_set_up(self.request.session):
            # They opened a set-up link before signing in (MFA optional: no code is owed).
            return _with_next(reverse("accounts:set_up_authenticator"), url)
        return url


class ChangePasswordView(auth_views.PasswordChangeView):
    form_class = forms.ChangePasswordForm

    def form_valid(self, form):
        # Changing the password gives the session a new key; keep the map of sessions current
        # so deactivation still finds this one.
        old_key = self.request.session.session_key
        response = super().form_valid(form)
        sessions.forget_session(old_key)
        sessions.record_signed_in_session(
            user=self.request.user, session_key=self.request.session.session_key
        )
        return response


class ResetPasswordView(auth_views.PasswordResetView):
    # Django's form sends mail only to an active account with that address, and the view
    # answers every address with the same "check your email" page.
    form_class = forms.ResetPasswordForm


class NewPasswordView(auth_views.PasswordResetConfirmView):
    form_class = forms.NewPasswordForm


def _with_next(url, next_url):
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _next_url(request):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path: redirect() would try any other word as a URL name and fail with a 500.
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("code")
@never_cache
@login_required
def second_factor_code(request):
    """The second step: the code from their authenticator app."""
    user = request.user
    if is_verified(user):
        return redirect(_next_url(request))
    device = second_factor.confirmed_authenticator(user)
    if device is None:
        if settings.MFA_REQUIRED:
            return redirect(
                _with_next(reverse("accounts:set_up_authenticator"), _next_url(request))
            )
        # Their app was reset by an administrator while they were signed in.
        request.session[HAS_AUTHENTICATOR] = False
        return redirect(_next_url(request))

    form = forms.AuthenticatorCodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        django_otp.login(request, device)
        sessions.renew_session_key(request)
        return redirect(_next_url(request))
    return render(
        request, "accounts/second_factor.html", {"form": form, "next": _next_url(request)}
    )


def _refuse_set_up_link(request, reason):
    return render(
        request,
        "accounts/set_up_link_refused.html",
        {"reason": reason.value},
        status=reason.status,
    )


@never_cache
@require_GET
def open_set_up_link(request, token):
    """The link from the administrator's email. It sets nothing up by itself (an email
    scanner that opens it uses nothing): it puts a new secret in this browser's session and
    sends the person on, to sign in first if they have not.

    The token stops here: every page after this one has a plain address, so the token is in no
    later address, history entry or Referer header.
    """
    link = set_up_links.find_link(token)
    user = request.user if request.user.is_authenticated else None
    reason = set_up_links.refusal(link, user)
    if reason is not None:
        return _refuse_set_up_link(request, reason)
    if user is not None and second_factor.has_authenticator(user):
        return redirect("accounts:set_up_authenticator")
    second_factor.begin_set_up(request.session, user_id=link.user_id, link_id=link.pk)
    if user is None:
        messages.info(request, "Sign in to set up two-step verification.")
        return redirect(settings.LOGIN_URL)
    return redirect("accounts:set_up_authenticator")


@require_POST
@login_required
def start_authenticator_set_up(request):
    """When MFA is optional, anyone signed in may turn it on from their account page: their
    password is all the service asks of them then, so a link would protect nothing more. When
    it is required, only a set-up link starts it."""
    user = request.user
    if not settings.MFA_REQUIRED and not second_factor.has_authenticator(user):
        second_factor.begin_set_up(request.session, user_id=user.pk, link_id=None)
    return redirect(_with_next(reverse("accounts:set_up_authenticator"), _next_url(request)))


@sensitive_post_parameters("code")
@never_cache
@login_required
def set_up_authenticator(request):
    """Set up an authenticator app: scan the QR code (or type the key), then give a code.

    Only with a set-up link opened in this session (or, when MFA is optional, a set-up started
    from the account page). Showing the page writes nothing; the device is saved on the POST.
    """
    user = request.user
    if second_factor.has_authenticator(user):
        return _already_set_up(request, user)
    pending = second_factor.pending_set_up(request.session)
    refused = _no_set_up_allowed(request, pending)
    if refused is not None:
        return refused
    if request.method != "POST":
        device = second_factor.device_for_display(user, pending["key"])
        form = forms.AuthenticatorCodeForm(device=device)
    else:
        device = second_factor.device_being_checked(user, pending["key"])
        form = forms.AuthenticatorCodeForm(request.POST, device=device)
        if form.is_valid():
            return _turn_on(request, device, pending)
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_code": second_factor.qr_code_data_uri(device),
        "secret": second_factor.secret_for_typing(device),
    }
    return render(request, "accounts/set_up_authenticator.html", context)


def _already_set_up(request, user):
    if is_verified(user):
        messages.info(request, "Two-step verification is already set up for your account.")
        return redirect("accounts:account")
    # Someone with only the password must not swap the app for their own.
    return redirect(_with_next(reverse("accounts:second_factor"), _next_url(request)))


def _turn_on(request, device, pending):
    """The code was right: turn the app on, and sign this session in with it."""
    try:
        actions.confirm_authenticator(
            device=device, link_id=pending["link_id"], context=web_context(request)
        )
    except set_up_links.LinkRefused as refused:
        return _refuse_set_up_link(request, refused.reason)
    second_factor.end_set_up(request.session)
    django_otp.login(request, device)
    sessions.renew_session_key(request)
    request.session[HAS_AUTHENTICATOR] = True
    messages.success(request, "Two-step verification is set up.")
    return redirect(_next_url(request))


def _no_set_up_allowed(request, pending):
    """The page to show instead of a secret, or None when this session may set up an app."""
    if pending is not None and pending["link_id"] is not None:
        link = AuthenticatorSetUpLink.objects.filter(pk=pending["link_id"]).first()
        reason = set_up_links.refusal(link, request.user)
        return None if reason is None else _refuse_set_up_link(request, reason)
    if settings.MFA_REQUIRED:
        # No link opened in this session: the password alone never shows a secret.
        return render(request, "accounts/set_up_link_needed.html")
    if pending is None or pending["user_id"] != request.user.pk:
        return redirect("accounts:account")
    return None


@login_required
def account(request):
    """Any member of staff: their password and their two-step verification."""
    return render(
        request,
        "accounts/account.html",
        {
            "has_authenticator": second_factor.has_authenticator(request.user),
            "mfa_required": settings.MFA_REQUIRED,
        },
    )


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE). The same words whether or not the
    username exists, and nothing from the attempt is echoed back."""
    minutes = round(get_cool_off(request).total_seconds() / 60)
    return render(
        request,
        "registration/locked_out.html",
        {"cool_off_minutes": minutes},
        status=429,
    )


@role_required(Role.ADMINISTRATOR)
def administrator_home(request):
    return render(
        request,
        "accounts/administrator_home.html",
        {"set_up_link_hours": settings.MFA_SET_UP_LINK_HOURS},
    )
