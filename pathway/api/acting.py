"""Who is acting, for the audit trail, when an API client calls."""

from pathway.api.models import API_CLIENT_ROLE
from pathway.audit.context import Actor, Channel, web_context


def client_actor(client):
    """The client as the audit trail names it: role "api client", organisation its name."""
    return Actor(kind=API_CLIENT_ROLE, name=client.name)


def api_context(request):
    return web_context(request, channel=Channel.API)
