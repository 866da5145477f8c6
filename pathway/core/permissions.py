from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

# Whether the person has an authenticator app, kept in the session by pathway.accounts when they
# sign in or set one up, so the check on every request needs no query.
HAS_AUTHENTICATOR = "accounts_has_authenticator"


def is_verified(user):
    # Right after login() request.user is the bare model, without django-otp's is_verified().
    verified = getattr(user, "is_verified", None)
    return bool(verified and verified())


def needs_second_factor(request):
    """This session still owes the second step of signing in (pathway.accounts.second_factor):
    a code from an authenticator app."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or is_verified(user):
        return False
    return settings.MFA_REQUIRED or request.session.get(HAS_AUTHENTICATOR, False)


def role_required(*roles):
    """Signed in, and one of these roles; anyone else gets 403 (the page itself is no secret).

    The second step of signing in is enforced for every page by SecondFactorMiddleware; it is
    checked here again so a staff page stays closed even if that middleware were removed.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if needs_second_factor(request):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('accounts:second_factor')}?{query}")
            if request.user.effective_role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
