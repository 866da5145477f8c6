from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from pathway.accounts.second_factor import needs_second_factor


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
