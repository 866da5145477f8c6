from django.db import models


class OutcomeSummary(models.Model):
    """The outcomes report of one manager scope, computed ahead by a Celery task.

    At half a million episodes the report takes far too long to compute per request; the page
    serves this row for the default scope instead, and says when it was computed and from which
    data. One row per scope (updated in place), so the table stays as small as the number of
    services and areas. The date range is stored, not keyed: the default range moves with the
    calendar, and a row computed for yesterday's range is simply not served today.
    """

    # "<organisation kind>:<id>/service:<id or all>": whose episodes and which service.
    scope_key = models.CharField(max_length=100, unique=True)
    organisation_kind = models.CharField(max_length=10)  # "service" or "area"
    organisation_id = models.PositiveIntegerField()
    service = models.ForeignKey(
        "organisations.ProviderService", null=True, blank=True, on_delete=models.CASCADE
    )
    date_from = models.DateField()
    date_to = models.DateField()
    # The EQ-5D value set of the index figures: a row on another set than the current setting
    # is never shown (hazard "wrong value set in a report").
    value_set = models.CharField(max_length=30)
    report = models.JSONField()  # the tables and charts, as outcome_summary.report_to_json
    computed_at = models.DateTimeField()
    # How far the data went when computed, so a stale summary shows as such.
    responses_count = models.PositiveIntegerField()
    latest_response_id = models.PositiveBigIntegerField(null=True, blank=True)
    latest_response_completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "outcome summaries"

    def __str__(self):
        return f"Outcomes {self.scope_key} computed {self.computed_at:%Y-%m-%d %H:%M}"
