"""Staff pages are never stored by the browser or any cache on the way.

A page of clinical data kept by the browser can be shown again by its back button after the
record changed (a stale score), or after the member of staff signed out on a shared computer.
Pages that set their own policy (patient pages already say no-store) are left alone.
"""


class NoStoreForSignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store, private"
        return response
