from django.conf import settings
from django.db import models, router
from django.utils import timezone

from pathway.audit import chain
from pathway.audit.context import USER_AGENT_LENGTH, Channel


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    EXPORT = "export", "Exported"
    SIGN_IN = "sign_in", "Signed in"
    # Asked for and not given (an API client asking for what its organisation may not see).
    REFUSED = "refused", "Refused"


def _now():
    # timezone.now looked up when called (not bound at import): a test's patched clock applies.
    return timezone.now()


class AuditEventQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with chain.placing(objs, using=self.db):
            return super().bulk_create(objs, *args, **kwargs)


class AuditEvent(models.Model):
    """One read, change or export of patient data. Written in the same transaction as the work.

    The primary key is the sequence number. Rows are never updated or deleted by the
    application (issue 8 takes that right away from its database role), and each is a link in
    a hash chain (`pathway/audit/chain.py`) so that a change made around those rules shows.
    """

    id = models.BigAutoField(primary_key=True, verbose_name="sequence number")
    # Set before the insert, not by auto_now_add during it: the hash covers it.
    at = models.DateTimeField(default=_now, editable=False, db_index=True)
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
    # Through which door (pathway.audit.context). Not covered by the v1 hash (chain.py): the
    # chain still shows an edited or removed row by the fields it does cover.
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True, db_default="")
    user_agent = models.CharField(max_length=USER_AGENT_LENGTH, blank=True, db_default="")
    # The chain: set by the database's trigger on PostgreSQL (db_default makes the insert
    # return them), in Python on SQLite. Position 0 is "never placed": only a row written
    # around the trigger has it.
    chain = models.SmallIntegerField(db_default=0, editable=False)
    position = models.BigIntegerField(db_default=0, editable=False)
    previous_hash = models.CharField(max_length=64, db_default="", editable=False)
    hash = models.CharField(max_length=64, db_default="", editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["patient", "-id"], name="audit_by_patient")]
        constraints = [
            # Two writers that read the same head fail here rather than fork the chain.
            models.UniqueConstraint(fields=["chain", "position"], name="audit_chain_position")
        ]

    def __str__(self):
        return f"#{self.id} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Audit events are never changed")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with chain.placing([self], using=using):
            super().save(*args, **kwargs)
