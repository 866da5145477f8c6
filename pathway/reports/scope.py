"""Which episodes a report covers: the manager's service or area, a date range, a service."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from pathway.care.models import Episode
from pathway.clinical.dates import date_problem
from pathway.organisations.models import ProviderService

DEFAULT_DAYS = 730
# No referral in any service predates this: a range typed from before it is a slip (0001 for
# 2001), and would have a report count thousands of empty months.
EARLIEST_REPORT_DATE = datetime.date(2000, 1, 1)


@dataclass(frozen=True)
class ReportScope:
    date_from: datetime.date
    date_to: datetime.date
    service: ProviderService | None
    services: tuple  # the services this manager may choose from
    problems: tuple = ()  # (field, why its typed date was not used), shown above the range

    @property
    def chosen_services(self):
        """The chosen service, or every service this manager may choose from."""
        return [self.service] if self.service else list(self.services)

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


def _date(request, name, default, *, label, today, problems):
    """The date typed for `name` if it is a real date in the plausible range; otherwise
    the default, with the reason added to `problems` (nothing typed is silently changed)."""
    value = request.GET.get(name)
    if not value:
        return default
    try:
        day = datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        problems.append((name, f"{label} must be a real date: showing the default instead"))
        return default
    problem = date_problem(day, label=label, earliest=EARLIEST_REPORT_DATE, latest=today)
    if problem:
        problems.append((name, f"{problem}: showing the default instead"))
        return default
    return day


def report_scope(request):
    """The scope from the query string; a date that is not a real, plausible date falls back
    to the default, and the page says so."""
    today = timezone.localdate()
    services = tuple(manager_services(request.user))
    problems = []
    date_to = _date(request, "to", today, label="Referred to", today=today, problems=problems)
    # Two years by default: 12-month outcomes belong to people referred over a year ago.
    date_from = _date(
        request,
        "from",
        max(date_to - datetime.timedelta(days=DEFAULT_DAYS), EARLIEST_REPORT_DATE),
        label="Referred from",
        today=today,
        problems=problems,
    )
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    chosen = request.GET.get("service", "")
    service = next((s for s in services if str(s.pk) == chosen), None)
    if service is None and len(services) == 1:
        service = services[0]
    return ReportScope(date_from, date_to, service, services, tuple(problems))


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
