"""API clients, their short-lived access tokens, and what keeps those tokens honest.

A client is an application (a GP system, a care record, an analyst's tool) acting for exactly
one organisation. The service keeps its public key and never a secret it could leak: the
client proves who it is by signing a short JWT with its private key (ADR 0012).
"""

import uuid

from django.db import models
from django.db.models import Q

from pathway.accounts.scoping import OrganisationScope
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
