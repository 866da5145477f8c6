from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from pathway.organisations.models import CommissioningArea, GPPractice, ProviderService


class Role(models.TextChoices):
    GP = "gp", "GP"
    TTP = "ttp", "Triage and Treat Practitioner"
    MANAGER = "manager", "Service manager"
    ADMINISTRATOR = "administrator", "Administrator"


class User(AbstractUser):
    """A member of staff. Each role belongs to exactly the organisation that scopes its data."""

    role = models.CharField(max_length=20, choices=Role.choices)
    practice = models.ForeignKey(
        GPPractice, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    service = models.ForeignKey(
        ProviderService, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    area = models.ForeignKey(
        CommissioningArea, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )

    class Meta:
        constraints = [
            # The database refuses a user whose organisation does not fit their role, so no
            # view can ever meet a GP without a practice or a TTP without a service.
            models.CheckConstraint(
                name="user_organisation_fits_role",
                condition=(
                    Q(role=Role.GP, practice__isnull=False, service__isnull=True, area__isnull=True)
                    | Q(
                        role=Role.TTP,
                        service__isnull=False,
                        practice__isnull=True,
                        area__isnull=True,
                    )
                    | (
                        Q(role=Role.MANAGER, practice__isnull=True)
                        & (
                            Q(service__isnull=False, area__isnull=True)
                            | Q(service__isnull=True, area__isnull=False)
                        )
                    )
                    | Q(
                        role=Role.ADMINISTRATOR,
                        practice__isnull=True,
                        service__isnull=True,
                        area__isnull=True,
                    )
                    # createsuperuser makes a user with no role; it is treated as administrator.
                    | Q(role="", practice__isnull=True, service__isnull=True, area__isnull=True)
                ),
            )
        ]

    @property
    def effective_role(self):
        return self.role or Role.ADMINISTRATOR

    @property
    def organisation(self):
        return self.practice or self.service or self.area

    def organisation_scope(self):
        """("practice" | "service" | "area" | "all", organisation id) for scoping queries."""
        if self.practice_id:
            return "practice", self.practice_id
        if self.service_id:
            return "service", self.service_id
        if self.area_id:
            return "area", self.area_id
        return "all", None


class SignedInSession(models.Model):
    """Which session belongs to which member of staff, written when they sign in.

    Deactivating someone must end their sessions at once; Django's session table is keyed by
    an opaque key and holds the user id only inside encoded data, so without this map ending
    one person's sessions would mean decoding every session in the table.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.user} since {self.signed_in_at:%Y-%m-%d %H:%M}"


class AuthenticatorSetUpLink(models.Model):
    """A one-time link, emailed by an administrator, that lets one member of staff set up an
    authenticator app (pathway/accounts/set_up_links.py).

    Two-step sign-in is only worth having if setting up the second step needs more than the
    password: so the app is bound only by someone who has both the password and this link from
    the person's email. Only a hash of the token is kept, so the table cannot be read for
    working links.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Authenticator set-up link for {self.user} until {self.expires_at:%Y-%m-%d %H:%M}"
