"""Invitations to staff roles (an emailed, single-use link to join), and the record of each correction to a name."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, VERIFIER

INVITATION_LIFETIME = timedelta(days=7)


def invitation_expiry():
    """When an invitation made now stops working."""
    return timezone.now() + INVITATION_LIFETIME


class Invitation(models.Model):
    """An emailed invitation to make an account with a staff role; only the SHA-256 of its link's token is kept."""

    class Role(models.TextChoices):
        SUPERVISOR = SUPERVISOR, "Supervisor"
        VERIFIER = VERIFIER, "Verifier"
        PROGRAMME_ADMIN = PROGRAMME_ADMIN, "Programme admin"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be accepted"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    email = models.EmailField(help_text="Where the invitation went; the new account gets this address, verified.")
    role = models.CharField(max_length=30, choices=Role.choices)
    organisation_name = models.CharField(
        max_length=200, blank=True, help_text="For verifiers: the organisation they check certificates for."
    )
    organisation_kind = models.CharField(max_length=10, blank=True, help_text="For verifiers: employer, board, other.")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitation_accepted",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    token_digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the link's token, in hex.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["email"], name="invitation_email")]

    def __str__(self):
        return f"{self.get_role_display()} invitation for {self.email}"

    def status_at(self, when) -> str:
        """The invitation's status at a moment: accepted and revoked stay so; a pending one expires."""
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= when:
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def status(self) -> str:
        """The invitation's status now."""
        return self.status_at(timezone.now())

    @property
    def status_label(self) -> str:
        """The status in words."""
        return self.Status(self.status).label

    @property
    def is_pending(self) -> bool:
        """Whether the link still works."""
        return self.status == self.Status.PENDING


class NameChange(models.Model):
    """A person corrected their own name: the name before and after, and the certificates left to be reissued."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="name_changes")
    changed_at = models.DateTimeField(default=timezone.now)
    old_first_name = models.CharField(max_length=150, blank=True)
    old_last_name = models.CharField(max_length=150, blank=True)
    new_first_name = models.CharField(max_length=150)
    new_last_name = models.CharField(max_length=150)
    reissue_asked_for = models.JSONField(
        default=list,
        blank=True,
        help_text="Numbers of the live certificates under another name that the programme team was asked to reissue.",
    )

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"Name of user {self.user_id} changed on {self.changed_at:%Y-%m-%d}"

    @property
    def old_name(self) -> str:
        """The full name before the change."""
        return " ".join(part for part in (self.old_first_name, self.old_last_name) if part)

    @property
    def new_name(self) -> str:
        """The full name after the change."""
        return f"{self.new_first_name} {self.new_last_name}"
