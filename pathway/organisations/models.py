"""The organisations that own patient data: who may see what is decided by these."""

from django.db import models


class CommissioningArea(models.Model):
    """An Integrated Care Board area that commissions one or more provider services."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class GPPractice(models.Model):
    ods_code = models.CharField("ODS code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    area = models.ForeignKey(CommissioningArea, on_delete=models.PROTECT, related_name="practices")

    class Meta:
        ordering = ["name"]
        verbose_name = "GP practice"

    def __str__(self):
        return f"{self.name} ({self.ods_code})"


class ProviderService(models.Model):
    """An MSK / Triage and Treat service that receives referrals."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    area = models.ForeignKey(CommissioningArea, on_delete=models.PROTECT, related_name="services")
    phone = models.CharField(max_length=30, blank=True)
    duty_clinician_email = models.EmailField(
        blank=True, help_text="Safety alerts (for example PHQ-9 item 9) are sent here the same day."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
