"""Which episodes a report covers: the manager's service or area, a date range, a service."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from pathway.care.models import Episode
from pathway.organisations.models import ProviderService

DEFAULT_DAYS = 730


@dataclass(frozen=True)
class ReportScope:
    date_from: datetime.date
    date_to: datetime.date
    service: ProviderService | None
    services: tuple  # the services this manager may choose from

    def querystring(self):
        parts = [f"from={self.date_from:%Y-%m-%d}", f"to={self.date_to:%Y-%m-%d}"]
        if self.service:
            parts.append(f"service={self.service.pk}")
        return "&".join(parts)

    def referred_between(self):
        """(start, end) as aware datetimes: the whole of the first and last day, local time."""
        start = datetime.datetime.combine(self.date_from, datetime.time.min)
        end = datetime.datetime.combine(self.date_to, datetime.time.max)
        return timezone.make_aware(start), timezone.make_aware(end)

    def describe(self):
        where = self.service.name if self.service else "all your services"
        return f"{where}, referrals from {self.date_from:%-d %B %Y} to {self.date_to:%-d %B %Y}"


def _date(value, default):
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return default


def report_scope(request):
    """The scope from the query string; anything invalid falls back to the default."""
    today = timezone.localdate()
    services = tuple(manager_services(request.user))
    date_to = _date(request.GET.get("to"), today)
    # Two years by default: 12-month outcomes belong to people referred over a year ago.
    date_from = _date(request.GET.get("from"), date_to - datetime.timedelta(days=DEFAULT_DAYS))
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    chosen = request.GET.get("service", "")
    service = next((s for s in services if str(s.pk) == chosen), None)
    if service is None and len(services) == 1:
        service = services[0]
    return ReportScope(date_from, date_to, service, services)


def manager_services(user):
    """The services whose episodes this manager may see, from their organisation: a query of
    a few rows, where asking the episodes which services they belong to reads all of them."""
    kind, organisation_id = user.organisation_scope()
    services = ProviderService.objects.order_by("name")
    lookup = {"service": "pk", "area": "area_id"}.get(kind)
    if lookup is None:
        return services.none()
    return services.filter(**{lookup: organisation_id})


def episodes_in_scope(user, scope):
    """Episodes visible to the manager, referred within the range, in the chosen service."""
    episodes = Episode.objects.visible_to(user).filter(referred_at__range=scope.referred_between())
    if scope.service:
        episodes = episodes.filter(service=scope.service)
    return episodes
