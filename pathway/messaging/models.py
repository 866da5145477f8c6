from django.db import models


class MessageKind(models.TextChoices):
    APPOINTMENT_BOOKED = "appointment_booked", "Appointment booked"
    PROM_INVITATION = "prom_invitation", "Questionnaire invitation"
    PROM_REMINDER = "prom_reminder", "Questionnaire reminder"
    REFERRAL_RECEIVED = "referral_received", "Self-referral received"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class MessageState(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class OutboundMessage(models.Model):
    """A message to a patient, in the database before any provider is called (an outbox).

    `key` is unique per message that must be sent once (for example an appointment and a
    channel), so writing the same message twice is impossible. Bodies are rendered when sent
    and carry only the service name and a link, never clinical details or identifiers.
    """

    key = models.CharField(max_length=120, unique=True)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="messages"
    )
    episode = models.ForeignKey(
        "care.Episode", null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    kind = models.CharField(max_length=20, choices=MessageKind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    due_at = models.DateTimeField()
    state = models.CharField(
        max_length=10, choices=MessageState.choices, default=MessageState.PENDING
    )
    # For questionnaire messages: the time point they invite to.
    prom_timepoint = models.ForeignKey(
        "proms.PromTimepoint",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The lease of the worker sending it: a new token per claim, cleared when the sweep takes a
    # stuck send back, so a slow worker can tell it no longer holds the message.
    claim_token = models.UUIDField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "due_at"], name="message_due"),
            models.Index(fields=["state", "claimed_at"], name="message_claimed"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.channel} ({self.state})"
