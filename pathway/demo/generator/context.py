"""What every part of one generator run shares: the seeded random source, ids, the clock."""

import datetime
import zoneinfo

from django.conf import settings

from pathway.demo.generator.answers import Scorer

LOCAL = zoneinfo.ZoneInfo(settings.TIME_ZONE)
# Times are kept in UTC (as Django stores them): comparing datetimes with the same tzinfo
# object is much faster than converting between zones millions of times.
UTC = datetime.UTC
HOUR = datetime.timedelta(hours=1)


class Ids:
    """Explicit ids, allocated from the first free one of each table (see RowWriter.next_ids).

    Parallel workers share the id space by interleaving: worker k of n takes first + k,
    first + k + n, first + k + 2n, ... so their rows never collide and ids still rise with
    time across the whole region (each worker lives the same years at the same pace).
    """

    def __init__(self, first, *, offset=0, step=1):
        self._next = {model: value + offset for model, value in first.items()}
        self._step = step

    def take(self, model):
        value = self._next[model]
        self._next[model] = value + self._step
        return value

    def first_free(self):
        return dict(self._next)


class Context:
    def __init__(self, *, rng, writer, ids, region, now, nhs_numbers):
        self.rng = rng
        self.writer = writer
        self.ids = ids
        self.region = region
        self.now = now
        self.nhs_numbers = nhs_numbers
        self.scorer = Scorer()
        self.add = writer.add
        self.link_expiry = datetime.timedelta(days=settings.PROM_LINK_EXPIRY_DAYS)
        self.reminder_days = list(settings.PROM_REMINDER_DAYS)
        self.episodes = 0
        self.referrals = 0

    def at(self, day, hour, minute=0):
        """An aware datetime on a local date and clock time (clinics keep local hours)."""
        local = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL)
        return local.astimezone(UTC)

    def working_time(self, when, days):
        """A clinic slot `days` after `when`, moved off the weekend, between 08:30 and 16:30."""
        day = (when + datetime.timedelta(days=days)).astimezone(LOCAL).date()
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        slot = int(self.rng.random() * 17)  # half-hour slots
        return self.at(day, 8 + (slot + 1) // 2, 30 if slot % 2 == 0 else 0)

    def later(self, when, low_days, high_days):
        """A moment a whole number of days (uniform) and some minutes after `when`."""
        random = self.rng.random
        return when + datetime.timedelta(
            days=low_days + int(random() * (high_days - low_days + 1)),
            minutes=5 + int(random() * 296),
        )
