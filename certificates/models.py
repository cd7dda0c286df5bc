"""Certification programmes with their requirements, ethics attestations, and the certificates they issue."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from simple_history.models import HistoricalRecords
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from certificates.codes import format_code
from content.models import CompetencyDomain
from practice.models import PracticeEntry

HOURS = {"max_digits": 7, "decimal_places": 2, "default": 0, "validators": [MinValueValidator(0)]}


def certificate_storage():
    """The storage that keeps certificate PDFs (private: served only through the download view)."""
    return storages["certificates"]


class Programme(ClusterableModel):
    """A certification programme: what a trainee must do to earn its credential, and how long it lasts."""

    name = models.CharField(max_length=200, unique=True, help_text="For example: Certified Peer Specialist.")
    abbreviation = models.CharField(
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^[A-Z][A-Z0-9]{1,11}$", "Use 2 to 12 capital letters or digits, e.g. CPS.")],
        help_text="The credential's letters. Certificate numbers start with it: CPS-2026-000123.",
    )
    description = models.TextField(blank=True, help_text="One or two sentences shown to trainees.")
    is_active = models.BooleanField(default=True, help_text="Inactive programmes issue no new certificates.")
    issuing_body = models.CharField(max_length=200)
    signatory_name = models.CharField(max_length=200)
    signatory_title = models.CharField(max_length=200)
    signature_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A scan of the signature, printed above the signatory's name. PNG or JPEG.",
    )
    issuer_logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The issuing body's logo, printed at the top of the certificate. PNG or JPEG.",
    )
    required_courses = ParentalManyToManyField(
        "courses.CoursePage", blank=True, help_text="Every lesson completed and every quiz in them passed."
    )
    required_quizzes = ParentalManyToManyField("courses.QuizPage", blank=True, help_text="Quizzes to pass.")
    practice_hours = models.DecimalField("minimum practice hours", **HOURS, help_text="Approved practice hours.")
    supervision_hours = models.DecimalField("minimum supervision hours", **HOURS)
    supervision_ratio_hours = models.DecimalField(
        "supervision hours", **HOURS, help_text="Hours of supervision needed…"
    )
    supervision_ratio_per = models.DecimalField(
        "per practice hours", **HOURS, help_text="…for every this many practice hours. 0 means no ratio."
    )
    direct_share_percent = models.PositiveSmallIntegerField(
        "minimum direct share (%)",
        default=0,
        validators=[MaxValueValidator(100)],
        help_text="The share of practice hours spent directly with people supported.",
    )
    skills_checks_required = models.PositiveSmallIntegerField(
        "observed skills checks",
        default=0,
        validators=[MaxValueValidator(4)],
        help_text="How many different skills (of listening, validation, boundary-setting and crisis hand-off) a "
        "trainee must pass in a role-play their supervisor observes. 0 to 4.",
    )
    hours_window_months = models.PositiveSmallIntegerField(
        "hours window (months)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Count only hours from the last this many months. Blank counts hours of any date.",
    )
    ethics_attestation_required = models.BooleanField(default=True)
    ethics_code_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The page with the code of ethics trainees agree to.",
    )
    ethics_statement = models.TextField(
        default=(
            "I have read the code of ethics. I agree to practise by it and to raise questions about it in supervision."
        )
    )
    validity_months = models.PositiveSmallIntegerField(default=24, validators=[MinValueValidator(1)])
    renewal_ce_hours = models.DecimalField(
        "continuing-education hours to renew",
        **HOURS,
        help_text="Approved training hours logged within the certificate's validity period. 0: no automatic renewal.",
    )
    renewal_opens_days = models.PositiveSmallIntegerField(
        "renewal opens (days before expiry)", default=90, help_text="Certificates renew no earlier than this."
    )
    history = HistoricalRecords()

    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("abbreviation"), FieldPanel("description"), FieldPanel("is_active")],
            heading="Credential",
        ),
        MultiFieldPanel(
            [
                FieldPanel("issuing_body"),
                FieldPanel("issuer_logo"),
                FieldRowPanel([FieldPanel("signatory_name"), FieldPanel("signatory_title")]),
                FieldPanel("signature_image"),
            ],
            heading="Issuer and signatory",
        ),
        MultiFieldPanel([FieldPanel("required_courses"), FieldPanel("required_quizzes")], heading="Training"),
        MultiFieldPanel(
            [
                FieldPanel("practice_hours"),
                FieldPanel("direct_share_percent"),
                FieldPanel("supervision_hours"),
                FieldRowPanel([FieldPanel("supervision_ratio_hours"), FieldPanel("supervision_ratio_per")]),
                FieldPanel("skills_checks_required"),
                FieldPanel("hours_window_months"),
            ],
            heading="Supervised practice",
        ),
        InlinePanel("domain_hours", heading="Minimum hours per competency domain", label="Domain"),
        InlinePanel("activity_hours", heading="Minimum hours per activity", label="Activity"),
        MultiFieldPanel(
            [FieldPanel("ethics_attestation_required"), FieldPanel("ethics_code_page"), FieldPanel("ethics_statement")],
            heading="Code of ethics",
        ),
        MultiFieldPanel(
            [FieldPanel("validity_months"), FieldPanel("renewal_ce_hours"), FieldPanel("renewal_opens_days")],
            heading="Validity and renewal",
        ),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.abbreviation})"

    def clean(self):
        """Certificate numbers carry the abbreviation, so it can't change once certificates exist."""
        if self.pk and self.certificates.exists():
            stored = Programme.objects.filter(pk=self.pk).values_list("abbreviation", flat=True).first()
            if stored and stored != self.abbreviation:
                raise ValidationError(
                    {"abbreviation": f"Certificates numbered {stored}-… exist, so the abbreviation stays {stored}."}
                )


class ProgrammeDomainHours(Orderable):
    """The approved practice hours a programme needs in one competency domain."""

    programme = ParentalKey(Programme, on_delete=models.CASCADE, related_name="domain_hours")
    domain = models.ForeignKey(CompetencyDomain, on_delete=models.PROTECT, related_name="+")
    hours = models.DecimalField(**{**HOURS, "default": None})

    panels = [FieldRowPanel([FieldPanel("domain"), FieldPanel("hours")])]

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["programme", "domain"], name="one_minimum_per_domain")]

    def __str__(self):
        return f"{self.domain}: {self.hours} h"


class ProgrammeActivityHours(Orderable):
    """The approved practice hours a programme needs in one kind of activity."""

    programme = ParentalKey(Programme, on_delete=models.CASCADE, related_name="activity_hours")
    activity_type = models.CharField(max_length=20, choices=PracticeEntry.ActivityType.choices)
    hours = models.DecimalField(**{**HOURS, "default": None})

    panels = [FieldRowPanel([FieldPanel("activity_type"), FieldPanel("hours")])]

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["programme", "activity_type"], name="one_minimum_per_activity")]

    def __str__(self):
        return f"{self.get_activity_type_display()}: {self.hours} h"


class EthicsAttestation(models.Model):
    """A trainee's signed agreement to a programme's code of ethics (write-once)."""

    wagtail_reference_index_ignore = True  # a person's record, not content (lms/reference_index.py)

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="ethics_attestations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ethics_attestations")
    statement = models.TextField(help_text="The statement as it stood when signed.")
    signed_name = models.CharField(max_length=300)
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "user"], name="one_ethics_attestation")]

    def __str__(self):
        return f"{self.signed_name} · {self.programme.abbreviation} code of ethics"


class Certificate(models.Model):
    """A credential issued to one person: its number, code, dates, evidence, status and stored PDFs."""

    wagtail_reference_index_ignore = True  # a person's record, not content (lms/reference_index.py)

    class State(models.TextChoices):
        VALID = "valid", "Valid"
        SUSPENDED = "suspended", "Suspended"
        REVOKED = "revoked", "Revoked"
        SUPERSEDED = "superseded", "Superseded"

    class Origin(models.TextChoices):
        FIRST = "first", "First certificate"
        RENEWAL = "renewal", "Renewal"
        REISSUE = "reissue", "Reissue"

    class Rendering(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Rendering failed"

    EXPIRED = "expired"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="certificates")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates")
    holder_name = models.CharField(max_length=300, help_text="The holder's name as it stood at issue.")
    number = models.CharField(max_length=40, unique=True)
    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField()
    code = models.CharField(max_length=28, unique=True, help_text="The verification code, without separators.")
    issued_on = models.DateField()
    period_starts_on = models.DateField(
        help_text="The first day of the validity period (kept by a reissue); continuing education counts from here."
    )
    expires_on = models.DateField(help_text="The last day it is valid.")
    issued_at = models.DateTimeField(default=timezone.now)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.FIRST)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    state = models.CharField(max_length=12, choices=State.choices, default=State.VALID)
    state_reason = models.TextField(blank=True, help_text="Why it was suspended, revoked or superseded.")
    state_changed_at = models.DateTimeField(null=True, blank=True)
    evidence = models.JSONField(default=dict, help_text="What the certificate rests on, as it stood at issue.")
    rendering = models.CharField(max_length=10, choices=Rendering.choices, default=Rendering.PENDING)
    render_error = models.TextField(blank=True)
    status_index = models.PositiveIntegerField(
        null=True,
        blank=True,
        unique=True,
        help_text="Its random place in the published status lists (Bitstring Status List): list and entry.",
    )
    history = HistoricalRecords(excluded_fields=["evidence"])

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "programme"],
                condition=Q(replaces__isnull=True),
                name="one_first_certificate_per_programme",
            ),
            models.UniqueConstraint(fields=["programme", "year", "serial"], name="one_certificate_per_number"),
            models.CheckConstraint(condition=Q(expires_on__gte=models.F("issued_on")), name="expires_after_issue"),
        ]
        indexes = [models.Index(fields=["state", "expires_on"])]

    def __str__(self):
        return f"{self.number} · {self.holder_name}"

    def status_on(self, today: date) -> str:
        """valid, expired, suspended, revoked or superseded on the given day."""
        if self.state == self.State.VALID and today > self.expires_on:
            return self.EXPIRED
        return self.state

    @property
    def status(self) -> str:
        """valid, expired, suspended, revoked or superseded today."""
        return self.status_on(timezone.localdate())

    @property
    def status_label(self) -> str:
        """The status in words."""
        return "Expired" if self.status == self.EXPIRED else self.State(self.status).label

    @property
    def display_code(self) -> str:
        """The verification code in groups of four, as printed."""
        return format_code(self.code)

    @property
    def verify_url(self) -> str:
        """The public page that checks this certificate."""
        return f"{settings.SITE_URL}/verify/{self.display_code}/"


class CertificateFile(models.Model):
    """One rendered PDF of a certificate, stored once with its SHA-256 and never re-rendered."""

    class Paper(models.TextChoices):
        A4 = "a4", "A4"
        LETTER = "letter", "US Letter"

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="files")
    paper = models.CharField(max_length=6, choices=Paper.choices)
    file = models.FileField(storage=certificate_storage, upload_to="certificates/%Y/", max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    rendered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["certificate", "paper"], name="one_file_per_paper")]

    def __str__(self):
        return f"{self.certificate.number} ({self.get_paper_display()})"


class ExpiryReminder(models.Model):
    """A reminder sent once per certificate and threshold (days before expiry; 0 once it has expired)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["certificate", "days_before"], name="one_reminder_per_threshold")
        ]

    def __str__(self):
        return f"{self.certificate.number}: {self.days_before} days"


class SigningKey(models.Model):
    """A public key that signs or has signed credentials; still listed in the DID document once retired."""

    public_key_multibase = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True, help_text="When a newer key took over signing.")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        state = f"retired {self.retired_at:%Y-%m-%d}" if self.retired_at else "current"
        return f"{self.public_key_multibase[:16]}… ({state})"


class CertificateCredential(models.Model):
    """The certificate's signed Open Badges 3.0 credential, kept as the exact JSON text that was signed."""

    certificate = models.OneToOneField(Certificate, on_delete=models.CASCADE, related_name="credential")
    document = models.TextField(help_text="The signed credential, byte for byte as served and embedded in the PDF.")
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="credentials")
    signed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Credential of {self.certificate.number}"
