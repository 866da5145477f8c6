"""API clients, their short-lived access tokens, and what keeps those tokens honest; and the
bulk exports clients ask for (pathway.api.bulk_export).

A client is an application (a GP system, a care record, an analyst's tool) acting for exactly
one organisation. The service keeps its public key and never a secret it could leak: the
client proves who it is by signing a short JWT with its private key (ADR 0012).
"""

import uuid

from django.db import models
from django.db.models import Q

from pathway.accounts.scoping import OrganisationScope
from pathway.audit.context import USER_AGENT_LENGTH
from pathway.organisations.models import CommissioningArea, GPPractice, ProviderService

API_CLIENT_ROLE = "api client"


def new_client_id():
    return str(uuid.uuid4())


class ApiClient(models.Model):
    # The `iss` and `sub` of the client's assertions: random, so it says nothing of the client.
    client_id = models.CharField(max_length=36, unique=True, default=new_client_id, editable=False)
    name = models.CharField(max_length=100, unique=True)
    practice = models.ForeignKey(
        GPPractice, null=True, blank=True, on_delete=models.PROTECT, related_name="api_clients"
    )
    service = models.ForeignKey(
        ProviderService, null=True, blank=True, on_delete=models.PROTECT, related_name="api_clients"
    )
    area = models.ForeignKey(
        CommissioningArea,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_clients",
    )
    # Space-separated, as OAuth2 writes them: "system/Patient.read system/*.read".
    scopes = models.CharField(max_length=500)
    # PEM of the client's RSA public key: enough to check its signatures, useless to forge one.
    public_key = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # As a member of staff: exactly one organisation, which decides what it may see.
            models.CheckConstraint(
                name="api_client_has_one_organisation",
                condition=Q(practice__isnull=False, service__isnull=True, area__isnull=True)
                | Q(practice__isnull=True, service__isnull=False, area__isnull=True)
                | Q(practice__isnull=True, service__isnull=True, area__isnull=False),
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self):
        return self.revoked_at is None

    @property
    def organisation(self):
        return self.practice or self.service or self.area

    def organisation_scope(self):
        """Which rows the client may see (pathway.accounts.scoping): its one organisation's;
        a revoked client, nothing, even if a check before were missed."""
        if not self.is_active:
            return None
        if self.practice_id:
            return OrganisationScope("practice", self.practice_id)
        if self.service_id:
            return OrganisationScope("service", self.service_id)
        return OrganisationScope("area", self.area_id)

    @property
    def scope_list(self):
        return self.scopes.split()


class AccessToken(models.Model):
    """A bearer token, kept only as its SHA-256: the table cannot be used to call the API."""

    token_hash = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="tokens")
    scopes = models.CharField(max_length=500)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"Token of {self.client} until {self.expires_at:%H:%M:%S}"


class UsedAssertion(models.Model):
    """A client assertion's `jti`, kept until the assertion expires so it works only once."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=200)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "jti"], name="assertion_used_once")
        ]

    def __str__(self):
        return f"{self.client} assertion {self.jti}"


class RequestCount(models.Model):
    """A client's requests in one minute (pathway.api.rate_limit)."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    minute = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "minute"], name="one_request_count_a_minute")
        ]
        indexes = [models.Index(fields=["minute"], name="request_count_age")]

    def __str__(self):
        return f"{self.client}: {self.count} at {self.minute:%H:%M}"


class BulkExport(models.Model):
    """One `$export` a client asked for: what it asked, how far the work has got, and (as
    BulkExportFile rows) the NDJSON files written. The files live in the database, not on a
    disk, so that the worker that writes them and the web process that serves them need share
    nothing but PostgreSQL (ADR 0013). Deleted, files and all, at `expires_at`."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        COMPLETE = "complete", "Complete"
        FAILED = "failed", "Failed"

    # The job's id in its status and file URLs: random, so it says nothing and cannot be guessed.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="bulk_exports")
    # The resource types asked for (_type, or every type served), comma-separated.
    types = models.CharField(max_length=200)
    since = models.DateTimeField(null=True, blank=True)  # _since: rows changed after it only
    request_url = models.TextField()  # the kick-off URL, which the manifest repeats
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    # Each run of the job claims the next attempt; a run whose attempt is no longer the job's
    # (it was thought dead and the job started again) stops at its next chunk.
    attempt = models.PositiveSmallIntegerField(default=0)
    progress = models.CharField(max_length=100, blank=True)  # X-Progress while it runs
    created_at = models.DateTimeField(auto_now_add=True)
    # The instant the export reflects (the manifest's transactionTime): set as a run starts.
    transaction_time = models.DateTimeField(null=True, blank=True)
    # When the running job last finished a chunk: a long silence means its worker died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)
    error = models.CharField(max_length=200, blank=True)  # why it failed: no patient data
    # Where the request came from, for the audit events the worker writes for it.
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=USER_AGENT_LENGTH, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["client", "state"], name="bulk_export_by_client")]

    def __str__(self):
        return f"Bulk export {self.pk} of {self.client_id}: {self.state}"

    @property
    def type_list(self):
        return self.types.split(",")


class BulkExportFile(models.Model):
    """One NDJSON file of an export: resources of one type, up to BULK_EXPORT_FILE_LINES lines,
    held as parts of a chunk each, so neither writing nor serving it holds the file in memory."""

    export = models.ForeignKey(BulkExport, on_delete=models.CASCADE, related_name="files")
    resource_type = models.CharField(max_length=40)
    number = models.PositiveIntegerField()  # 1, 2... within its type
    count = models.PositiveIntegerField(default=0)  # resources (lines) in the file

    class Meta:
        ordering = ["export", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["export", "resource_type", "number"], name="bulk_export_file_once"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return f"{self.resource_type}-{self.number}.ndjson"


class BulkExportPart(models.Model):
    """The lines one chunk of the export wrote to a file, each ending in a newline; a file is
    its parts in order of their ids."""

    file = models.ForeignKey(BulkExportFile, on_delete=models.CASCADE, related_name="parts")
    ndjson = models.TextField()

    def __str__(self):
        return f"Part {self.pk} of {self.file_id}"
