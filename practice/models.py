"""Placements, supervisors, practice and supervision entries, review batches and attestations."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from content.models import CompetencyDomain
from lms.names import display_name, name_of
from practice.skills import SKILL_CHOICES, SKILLS


class Organisation(models.Model):
    """A placement where trainees practise: a peer-run service, a clinic, a warm line."""

    name = models.CharField(max_length=200, unique=True)
    location = models.CharField(max_length=200, blank=True, help_text="Town or region, for telling places apart.")
    is_active = models.BooleanField(default=True, help_text="Inactive placements can't take new assignments.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class SupervisorProfile(models.Model):
    """What a supervisor's attestation rests on: their qualification, credential number and jurisdiction."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervisor_profile")
    qualification = models.CharField(max_length=200, help_text="For example: Certified Peer Specialist Supervisor.")
    credential_number = models.CharField(max_length=100)
    jurisdiction = models.CharField(max_length=100, help_text="The state, province or country that issued it.")
    history = HistoricalRecords()
    supervisor_name = name_of("user", "Supervisor")

    def __str__(self):
        return f"{display_name(self.user)}, {self.qualification} ({self.jurisdiction} {self.credential_number})"


class SupervisorAssignment(models.Model):
    """A supervisor supervising one trainee within an organisation, for a period."""

    wagtail_reference_index_ignore = True  # a person's record, not content (lms/reference_index.py)

    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervisees",
        limit_choices_to={"groups__name": "Supervisor"},
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervisor_assignments",
        limit_choices_to={"groups__name": "Trainee"},
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="assignments")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Leave blank while the assignment is ongoing.")
    history = HistoricalRecords()
    trainee_name = name_of("trainee", "Trainee")

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="assignment_ends_after_start"
            ),
            models.CheckConstraint(condition=~Q(supervisor=F("trainee")), name="assignment_not_self_supervised"),
        ]

    def __str__(self):
        return f"{display_name(self.supervisor)} at {self.organisation}"

    @property
    def period(self) -> str:
        """The period in words, e.g. '3 Mar 2026 – ongoing'."""
        ends = f"{self.ends_on:%-d %b %Y}" if self.ends_on else "ongoing"
        return f"{self.starts_on:%-d %b %Y} – {ends}"


class Batch(models.Model):
    """Entries a trainee sent to one supervisor to review together."""

    wagtail_reference_index_ignore = True  # a person's record, not content (lms/reference_index.py)

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for review"
        WITHDRAWN = "withdrawn", "Withdrawn"
        REVIEWED = "reviewed", "Reviewed"

    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practice_batches")
    assignment = models.ForeignKey(SupervisorAssignment, on_delete=models.PROTECT, related_name="batches")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField()
    history = HistoricalRecords()
    trainee_name = name_of("trainee", "Trainee")

    class Meta:
        verbose_name_plural = "batches"
        ordering = ["submitted_at", "pk"]
        indexes = [models.Index(fields=["status", "submitted_at"]), models.Index(fields=["assignment", "status"])]

    def __str__(self):
        return f"Batch {self.pk} from {display_name(self.trainee)} ({self.submitted_at:%-d %b %Y})"


class Attestation(models.Model):
    """A supervisor's signed statement that they supervised the hours of the entries pointing to it."""

    STATEMENT = "I supervised these hours, and to the best of my knowledge this record of them is accurate."

    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attestations")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="attestations")
    statement = models.TextField()
    signed_name = models.CharField(max_length=300)
    credentials = models.CharField(max_length=500, blank=True, help_text="Qualification and credential at signing.")
    signed_at = models.DateTimeField()
    group_session = models.ForeignKey(
        "GroupSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attestations",
        help_text="Signed when the supervisor logged this group session, rather than on review.",
    )

    class Meta:
        ordering = ["signed_at"]

    def __str__(self):
        return f"{self.signed_name}, {self.signed_at:%-d %b %Y %H:%M}"


class PracticeEntry(models.Model):
    """One block of practice, or one supervision session, that a trainee logged; reviewed by their supervisor."""

    wagtail_reference_index_ignore = True  # a person's record, not content (lms/reference_index.py)

    class Kind(models.TextChoices):
        PRACTICE = "practice", "Practice"
        SUPERVISION = "supervision", "Supervision session"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned"
        APPROVED = "approved", "Approved"
        TO_CONFIRM = "to_confirm", "To confirm"
        DECLINED = "declined", "Declined"

    class ActivityType(models.TextChoices):
        INDIVIDUAL = "individual", "Individual peer support"
        GROUP = "group", "Group facilitation"
        ADVOCACY = "advocacy", "Advocacy and system navigation"
        OUTREACH = "outreach", "Outreach"
        DOCUMENTATION = "documentation", "Documentation and other indirect work"
        TRAINING = "training", "Training"
        SKILLS_CHECK = "skills_check", "Skills check (observed role-play)"

    class Contact(models.TextChoices):
        DIRECT = "direct", "Direct (with people supported)"
        INDIRECT = "indirect", "Indirect"

    class Setting(models.TextChoices):
        COMMUNITY = "community", "Community"
        PEER_RUN = "peer_run", "Peer-run service"
        INPATIENT = "inpatient", "Inpatient"
        CRISIS = "crisis", "Crisis service"
        RESIDENTIAL = "residential", "Residential"
        TELEHEALTH = "telehealth", "Telehealth or warm line"
        OTHER = "other", "Other"

    class Delivery(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        REMOTE = "remote", "Remote"

    class SessionFormat(models.TextChoices):
        INDIVIDUAL = "individual", "Individual"
        GROUP = "group", "Group"

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practice_entries")
    assignment = models.ForeignKey(SupervisorAssignment, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PRACTICE)
    performed_on = models.DateField("date")
    start_time = models.TimeField(null=True, blank=True)
    minutes = models.PositiveIntegerField()
    long_day_confirmed = models.BooleanField(default=False)
    activity_type = models.CharField(max_length=20, choices=ActivityType.choices, blank=True)
    contact = models.CharField("direct or indirect", max_length=10, choices=Contact.choices, blank=True)
    skill = models.CharField(
        max_length=20, choices=SKILL_CHOICES, blank=True, help_text="The skill a skills check role-play showed."
    )
    domains = models.ManyToManyField(CompetencyDomain, blank=True, related_name="practice_entries")
    setting = models.CharField(max_length=20, choices=Setting.choices, blank=True)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)
    session_format = models.CharField("individual or group", max_length=20, choices=SessionFormat.choices, blank=True)
    reflection = models.TextField(blank=True)
    topics = models.TextField(blank=True)
    privacy_confirmation = models.CharField(
        max_length=500,
        blank=True,
        help_text="What the privacy check flagged and the trainee's reason it is not a person they support.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    batch = models.ForeignKey(Batch, on_delete=models.SET_NULL, null=True, blank=True, related_name="entries")
    return_comment = models.TextField(blank=True)
    attestation = models.ForeignKey(
        Attestation, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    group_session = models.ForeignKey(
        "GroupSession", on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    decline_reason = models.CharField(
        max_length=300, blank=True, help_text="Why the trainee said they were not at the group session."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=["domains"])
    trainee_name = name_of("trainee", "Trainee")

    class Meta:
        verbose_name_plural = "practice entries"
        permissions = [("reopen_practiceentry", "Can reopen an approved practice entry")]
        ordering = ["-performed_on", "-start_time", "-pk"]
        indexes = [
            models.Index(fields=["trainee", "performed_on"]),
            models.Index(fields=["trainee", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0, minutes__lte=24 * 60), name="entry_minutes_0_to_24h"),
            models.CheckConstraint(
                condition=Q(kind="supervision") | (~Q(activity_type="") & ~Q(contact="")),
                name="practice_entry_has_activity",
            ),
            models.CheckConstraint(
                condition=Q(kind="practice") | ~Q(session_format=""), name="supervision_entry_has_format"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(attestation__isnull=False), name="approved_entry_is_attested"
            ),
            models.CheckConstraint(
                condition=~Q(status="to_confirm") | Q(attestation__isnull=False, group_session__isnull=False),
                name="entry_to_confirm_is_an_attested_group_session",
            ),
            models.CheckConstraint(
                condition=(Q(activity_type="skills_check") & ~Q(skill=""))
                | (~Q(activity_type="skills_check") & Q(skill="")),
                name="skill_set_only_for_skills_checks",
            ),
            models.CheckConstraint(
                condition=~Q(activity_type="skills_check") | Q(contact="indirect", group_session__isnull=True),
                name="skills_check_is_indirect_and_not_a_group_session",
            ),
            models.UniqueConstraint(
                fields=["group_session", "trainee"],
                condition=Q(group_session__isnull=False),
                name="one_entry_per_trainee_per_group_session",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.performed_on:%-d %b %Y}, {self.hours:g} h"

    @property
    def hours(self) -> float:
        """The duration in hours."""
        return self.minutes / 60

    @property
    def is_editable(self) -> bool:
        """Whether the trainee may still change or delete it."""
        return self.status in self.EDITABLE

    @property
    def is_skills_check(self) -> bool:
        """Whether it is an observed role-play of one skill, signed off with a rubric."""
        return self.activity_type == self.ActivityType.SKILLS_CHECK

    @property
    def skill_label(self) -> str:
        """The skill a skills check showed, in words ('' for other entries)."""
        return SKILLS[self.skill].label if self.skill else ""

    @property
    def free_text(self) -> str:
        """The text a person wrote: the reflection, or the topics of a supervision session."""
        return self.topics if self.kind == self.Kind.SUPERVISION else self.reflection


class SkillsCheckSignOff(models.Model):
    """A supervisor's rubric for one skills check they approved: the criteria they saw, under which rubric, and when."""

    entry = models.ForeignKey(PracticeEntry, on_delete=models.PROTECT, related_name="skills_sign_offs")
    attestation = models.ForeignKey(Attestation, on_delete=models.PROTECT, related_name="skills_sign_offs")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="skills_sign_offs_given"
    )
    skill = models.CharField(max_length=20, choices=SKILL_CHOICES)
    rubric_version = models.CharField(max_length=20)
    criteria_shown = models.JSONField(help_text="The text of every criterion the supervisor ticked, as it read then.")
    signed_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "attestation"], name="one_skills_sign_off_per_approval")
        ]

    def __str__(self):
        return f"{SKILLS[self.skill].label} skills check signed off {self.signed_at:%-d %b %Y}"


class SupervisionSessionManager(models.Manager):
    """Only the supervision sessions."""

    def get_queryset(self):
        """Filter to supervision entries."""
        return super().get_queryset().filter(kind=PracticeEntry.Kind.SUPERVISION)


class SupervisionSession(PracticeEntry):
    """Supervision sessions: the same table and workflow as practice entries, listed on their own in the admin."""

    objects = SupervisionSessionManager()

    class Meta:
        proxy = True


class GroupSession(models.Model):
    """A supervision session a supervisor ran for several trainees at once; each trainee confirms their own entry."""

    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="group_sessions")
    performed_on = models.DateField("date")
    start_time = models.TimeField(null=True, blank=True)
    minutes = models.PositiveIntegerField()
    delivery = models.CharField(max_length=20, choices=PracticeEntry.Delivery.choices)
    topics = models.TextField()
    privacy_confirmation = models.CharField(
        max_length=500, blank=True, help_text="What the privacy check flagged and the supervisor's reason."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-performed_on", "-start_time", "-pk"]
        indexes = [models.Index(fields=["supervisor", "performed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0, minutes__lte=24 * 60), name="group_session_minutes_0_to_24h"
            ),
        ]

    def __str__(self):
        return f"Group supervision on {self.performed_on:%-d %b %Y}, {self.minutes / 60:g} h"


class SupervisorRequest(models.Model):
    """A trainee without a supervisor asking a programme admin to set one up."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ASSIGNED = "assigned", "Supervisor assigned"
        CLOSED = "closed", "Closed"

    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervisor_requests")
    placement = models.CharField("placement or organisation", max_length=200, blank=True)
    supervisor_name = models.CharField(max_length=200, blank=True)
    supervisor_email = models.EmailField(blank=True)
    help_me_find = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution_note = models.CharField(max_length=500, blank=True)
    assignment = models.ForeignKey(
        SupervisorAssignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee"], condition=Q(status="open"), name="one_open_supervisor_request_per_trainee"
            )
        ]

    def __str__(self):
        return f"Supervisor request from {display_name(self.trainee)} ({self.created_at:%-d %b %Y})"


class SupervisorInvitation(models.Model):
    """A supervisor asking, by email, someone they supervise at a placement to link up on the site.

    Accepting creates the SupervisorAssignment; an open invitation stops working when it expires.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired"

    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervisor_invitations_sent"
    )
    email = models.EmailField(help_text="Where the invitation went, lower-cased; only a verified address matches.")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="invitations")
    starts_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervisor_invitations_answered",
        help_text="Who accepted or declined it.",
    )
    assignment = models.ForeignKey(
        SupervisorAssignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["email", "status"]),
            models.Index(fields=["supervisor", "status", "expires_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["supervisor", "email"], condition=Q(status="open"), name="one_open_invitation_per_email"
            ),
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="invitation_expires_later"),
        ]

    def __str__(self):
        return f"Invitation from {display_name(self.supervisor)} to {self.email} at {self.organisation}"

    def status_at(self, when) -> str:
        """The status at a moment: an open invitation past its expiry has expired."""
        if self.status == self.Status.OPEN and self.expires_at <= when:
            return self.Status.EXPIRED
        return self.status

    @property
    def current_status(self) -> str:
        """The status now."""
        return self.status_at(timezone.now())

    @property
    def current_status_label(self) -> str:
        """The status now, in words."""
        return self.Status(self.current_status).label

    @property
    def is_open(self) -> bool:
        """Whether it can still be accepted, declined or withdrawn."""
        return self.current_status == self.Status.OPEN
