from django.conf import settings
from django.urls import reverse

from pathway.accounts.navigation import navigation_for


def navigation(request):
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        current = request.path
        for label, url_name in navigation_for(user):
            url = reverse(url_name)
            items.append({"label": label, "url": url, "current": current == url})
    return {"service_name": settings.SERVICE_NAME, "navigation_items": items}
