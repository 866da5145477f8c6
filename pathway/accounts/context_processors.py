from django.conf import settings
from django.urls import reverse

from pathway.accounts.navigation import navigation_for
from pathway.core.permissions import needs_second_factor


def navigation(request):
    user = getattr(request, "user", None)
    items = []
    # No menu until the second step is done: every entry would lead back to the code page.
    if user is not None and user.is_authenticated and not needs_second_factor(request):
        current = request.path
        for label, url_name in navigation_for(user):
            url = reverse(url_name)
            items.append({"label": label, "url": url, "current": current == url})
    return {"service_name": settings.SERVICE_NAME, "navigation_items": items}
