from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    EXPORT = "export", "Exported"
    SIGN_IN = "sign_in", "Signed in"


class AuditEvent(models.Model):
    """One read, change or export of patient data. Written in the same transaction as the work.

    The primary key is the sequence number. Rows are never updated or deleted by the
    application (issue 8 takes that right away from its database role).
    """

    id = models.BigAutoField(primary_key=True, verbose_name="sequence number")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=20, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    # No database constraint: the trail must outlive a record destroyed under retention rules.
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["patient", "-id"], name="audit_by_patient")]

    def __str__(self):
        return f"#{self.id} {self.action} {self.object_type}:{self.object_id}"
