from django.db import models


class Heartbeat(models.Model):
    """The last time a periodic task really ran: proves worker and beat are alive."""

    name = models.CharField(max_length=50, primary_key=True)
    last_run_at = models.DateTimeField()
    runs = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.name} at {self.last_run_at:%Y-%m-%d %H:%M:%S}"
