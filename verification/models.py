"""Verifier organisations, their API tokens, the log of their certificate checks, and bulk CSV checks."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords
from wagtail.admin.panels import FieldPanel

from lms.roles import VERIFIER


class VerifierProfile(models.Model):
    """The organisation a verifier account checks certificates for: an employer or a certification board."""

    class Kind(models.TextChoices):
        EMPLOYER = "employer", "Employer"
        BOARD = "board", "Certification or licensing board"
        OTHER = "other", "Other organisation"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="verifier_profile",
        limit_choices_to={"groups__name": VERIFIER},
        help_text="A verifier account.",
    )
    organisation_name = models.CharField(
        max_length=200, help_text="Certificate holders see this name when this account checks their certificate."
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.EMPLOYER)
    history = HistoricalRecords()

    panels = [FieldPanel("user"), FieldPanel("organisation_name"), FieldPanel("kind")]

    class Meta:
        ordering = ["organisation_name"]
        verbose_name = "verifier organisation"

    def __str__(self):
        return f"{self.organisation_name} ({self.user.get_username()})"


class ApiToken(models.Model):
    """A verifier's key for the verification API: only its SHA-256 is kept, with a short prefix to recognise it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verification_tokens")
    name = models.CharField(max_length=100, help_text="What it's for, e.g. 'HR system'.")
    prefix = models.CharField(max_length=16, help_text="The token's first characters, to tell tokens apart.")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token, in hex.")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        """Whether the token still works."""
        return self.revoked_at is None


class Lookup(models.Model):
    """One check of a certificate by a signed-in verifier: for which organisation, how and when (write-once)."""

    class Channel(models.TextChoices):
        PAGE = "page", "On the verification page"
        API = "api", "From their own system, through the API"
        BULK = "bulk", "In a CSV file of codes"
        FILE = "file", "From a certificate file"

    certificate = models.ForeignKey(
        "certificates.Certificate", on_delete=models.CASCADE, related_name="verification_lookups"
    )
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="verification_lookups"
    )
    organisation_name = models.CharField(max_length=200, blank=True, help_text="The verifier's organisation then.")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    looked_up_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-looked_up_at", "-pk"]
        indexes = [models.Index(fields=["certificate", "-looked_up_at"], name="lookup_certificate_time")]

    def __str__(self):
        return f"{self.organisation_name or 'A verifier'} · {self.get_channel_display()} · {self.looked_up_at:%Y-%m-%d}"


class BulkJob(models.Model):
    """A verifier's CSV of codes, checked in the background: the rows, progress, and results once done."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Checking"
        DONE = "done", "Done"
        FAILED = "failed", "Stopped by an error"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    verifier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verification_jobs")
    file_name = models.CharField(max_length=255)
    header = models.JSONField(default=list, help_text="The column names: the file's header row, or made up.")
    code_column = models.PositiveSmallIntegerField(default=0)
    rows = models.JSONField(default=list, help_text="The uploaded rows, blank rows left out.")
    results = models.JSONField(default=list, help_text="One list of result cells per row checked so far.")
    summary = models.JSONField(default=dict, help_text="How many rows got each status.")
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(
        default=timezone.now, help_text="When the check last started: at upload, or when it was run again."
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    paused_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="While the organisation's lookup allowance is used up: when checking goes on.",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["verifier", "-created_at"], name="bulkjob_verifier_time")]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def percent(self) -> int:
        """How far through the rows the check is, 0–100."""
        return 100 if not self.total else self.done * 100 // self.total

    @property
    def is_finished(self) -> bool:
        """Whether the check has stopped, done or failed."""
        return self.state in (self.State.DONE, self.State.FAILED)
