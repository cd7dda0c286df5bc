"""Reads for a person's own data: everything the site holds about them, and what stands in the way of closing.

The export is built from SECTIONS, each naming the models it reads. Every model with a foreign key or one-to-one
to the user model (history models included) must be in a section or in NOT_EXPORTED with the reason, and a test
walks the models to hold that true as they change.
"""

import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.models import APIToken as WagtailAPIToken
from wagtail.users.models import UserProfile

from accounts.models import Invitation, NameChange
from certificates.models import Certificate, CertificateFile, EthicsAttestation
from courses.models import AttemptQuestion, Enrolment, LessonCompletion, QuizAttempt, QuizAttemptGrant, QuizPage
from lms.names import display_name
from lms.roles import PROGRAMME_ADMIN, has_role
from practice.models import Attestation, Batch, PracticeEntry, SupervisorAssignment, SupervisorProfile
from privacy.retention import keep_until
from verification.models import ApiToken, BulkJob, Lookup, VerifierProfile

HISTORY_TYPES = {"+": "Created", "~": "Changed", "-": "Deleted"}
CERTIFICATE_FILES = "certificates"
CREDENTIAL_FILES = "credentials"


# Naming the people in someone's records ----------------------------------------------------------------------


@dataclass
class People:
    """Names the people in one person's records: them, their supervisors by name, anyone else by role only."""

    user: AbstractBaseUser
    supervisors: dict[int, str] = field(default_factory=dict)

    def who(self, user_id: int | None) -> str:
        """'You', a supervisor's name, 'Programme staff', or 'System' for automatic changes."""
        if user_id is None:
            return "System"
        if user_id == self.user.pk:
            return "You"
        return self.supervisors.get(user_id, "Programme staff")


def _change(record) -> str:
    """What a history record says happened: its reason, or Created / Changed / Deleted."""
    return record.history_change_reason or HISTORY_TYPES.get(record.history_type, "")


# The sections ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One part of data.json: its key, the models it reads (by label) and the function that reads them."""

    key: str
    models: tuple[str, ...]
    read: Callable[[AbstractBaseUser, People], object]


def _account(user: AbstractBaseUser, people: People) -> dict:
    """The account: names, email addresses, dates, roles and permissions; never the password."""
    return {
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "joined": user.date_joined,
        "last_signed_in": user.last_login,
        "active": user.is_active,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "extra_permissions": sorted(user.user_permissions.values_list("codename", flat=True)),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        "name_corrections": [
            {"when": change.changed_at, "from": change.old_name, "to": change.new_name}
            for change in NameChange.objects.filter(user=user).order_by("changed_at", "pk")
        ],
    }


def email_addresses_of(user: AbstractBaseUser) -> set[str]:
    """Every email address the user has given us, lower-cased."""
    addresses = {email.lower() for email in EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    return {address for address in {*addresses, user.email.lower()} if address}


def invitations_to(user: AbstractBaseUser):
    """Invitations the user accepted, or that were sent to one of their email addresses."""
    to_them = Q(accepted_user=user)
    for address in email_addresses_of(user):
        to_them |= Q(email__iexact=address)
    return Invitation.objects.filter(to_them)


def _invitations(user: AbstractBaseUser, people: People) -> dict:
    """Invitations the person received, and those they sent without the invitees' addresses."""
    sent = Invitation.objects.filter(invited_by=user).order_by("created_at", "pk")
    return {
        "received": [
            {
                "email": invitation.email,
                "role": invitation.get_role_display(),
                "organisation": invitation.organisation_name,
                "invited_by": people.who(invitation.invited_by_id),
                "sent_at": invitation.created_at,
                "expires_at": invitation.expires_at,
                "accepted_at": invitation.accepted_at,
                "status": invitation.status_label,
            }
            for invitation in invitations_to(user).order_by("created_at", "pk")
        ],
        "sent": [
            {"role": invitation.get_role_display(), "sent_at": invitation.created_at, "status": invitation.status_label}
            for invitation in sent
        ],
        "note": "Invitations you sent are listed without the invitees' email addresses.",
    }


def _two_factor(user: AbstractBaseUser, people: People) -> dict:
    """Whether two-factor authentication is on and with which methods; never their secrets."""
    methods = [
        {"type": method.get_type_display(), "added": method.created_at, "last_used": method.last_used_at}
        for method in Authenticator.objects.filter(user=user).only("type", "created_at", "last_used_at", "user_id")
    ]
    return {"enabled": bool(methods), "methods": methods, "note": "The secrets behind these are never exported."}


def _courses(user: AbstractBaseUser, people: People) -> dict:
    """Enrolments and completed lessons."""
    enrolments = Enrolment.objects.filter(user=user).select_related("course")
    completions = LessonCompletion.objects.filter(user=user).select_related("lesson").order_by("completed_at", "pk")
    return {
        "enrolments": [{"course": e.course.title, "enrolled_at": e.enrolled_at} for e in enrolments],
        "lessons_completed": [{"lesson": c.lesson.title, "completed_at": c.completed_at} for c in completions],
    }


def _attempt_question(question: AttemptQuestion, *, show_marks: bool) -> dict:
    """A question as the person saw it, with their answers; never the answer key or the reasoning."""
    chosen = {answer.choice_key for answer in question.answers.all()}
    data = {
        "position": question.position,
        "question": " ".join(strip_tags(question.snapshot.get("stem", "")).split()),
        "your_answers": [choice["text"] for choice in question.snapshot.get("choices", []) if choice["key"] in chosen],
    }
    if show_marks:
        data["score"] = question.score
    return data


def _quizzes(user: AbstractBaseUser, people: People) -> dict:
    """Quiz attempts with the person's answers, and extra attempts granted with the reason."""
    attempts = (
        QuizAttempt.objects.filter(user=user)
        .select_related("quiz")
        .prefetch_related(
            Prefetch("questions", queryset=AttemptQuestion.objects.order_by("position").prefetch_related("answers"))
        )
        .order_by("started_at", "pk")
    )
    grants = QuizAttemptGrant.objects.filter(user=user).select_related("quiz")
    return {
        "attempts": [
            {
                "quiz": attempt.quiz.title,
                "attempt": attempt.number,
                "status": attempt.get_status_display(),
                "started_at": attempt.started_at,
                "submitted_at": attempt.submitted_at,
                "pass_mark": attempt.pass_mark,
                "score_percent": attempt.score,
                "passed": attempt.passed,
                "timed_out": attempt.timed_out,
                "questions": [
                    _attempt_question(
                        question,
                        show_marks=not attempt.is_open and attempt.quiz.review_mode != QuizPage.REVIEW_SCORE,
                    )
                    for question in attempt.questions.all()
                ],
            }
            for attempt in attempts
        ],
        "extra_attempts_granted": [
            {"quiz": grant.quiz.title, "granted_at": grant.granted_at, "reason": grant.reason} for grant in grants
        ],
        "note": "Your answers are included; the quizzes' answer keys and reasoning are not.",
    }


def _entry_history(user: AbstractBaseUser) -> dict[int, list]:
    """Every recorded version of the person's practice entries, deleted ones included, oldest first, by entry id."""
    versions = defaultdict(list)
    records = PracticeEntry.history.filter(trainee_id=user.pk).order_by("history_date", "history_id")
    for record in records:
        versions[record.id].append(record)
    return versions


def _entry(entry: PracticeEntry, versions: list, people: People) -> dict:
    """One practice entry or supervision session with its words, comment, sign-off and history."""
    supervision = entry.kind == PracticeEntry.Kind.SUPERVISION
    data = {
        "id": entry.pk,
        "date": entry.performed_on,
        "start_time": entry.start_time,
        "minutes": entry.minutes,
        "delivery": entry.get_delivery_display(),
        "placement": entry.assignment.organisation.name,
        "supervisor": display_name(entry.assignment.supervisor),
        "status": entry.get_status_display(),
        "review_batch": entry.batch_id,
        "supervisor_comment": entry.return_comment,
        "sign_off": None,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
        "history": [
            {"when": v.history_date, "who": people.who(v.history_user_id), "status": v.status, "change": _change(v)}
            for v in versions
        ],
    }
    if supervision:
        data.update(format=entry.get_session_format_display(), topics=entry.topics)
    else:
        data.update(
            activity=entry.get_activity_type_display(),
            direct_or_indirect=entry.get_contact_display(),
            setting=entry.get_setting_display(),
            competency_domains=[domain.name for domain in entry.domains.all()],
            long_day_confirmed=entry.long_day_confirmed,
            reflection=entry.reflection,
        )
    if entry.attestation_id:
        attestation = entry.attestation
        data["sign_off"] = {
            "signed_by": attestation.signed_name,
            "credentials": attestation.credentials,
            "statement": attestation.statement,
            "signed_at": attestation.signed_at,
        }
    return data


def _practice(user: AbstractBaseUser, people: People) -> dict:
    """Placements, entries, sessions, review batches, and deleted entries their history still holds."""
    entries = (
        PracticeEntry.objects.filter(trainee=user)
        .select_related("assignment__organisation", "assignment__supervisor", "attestation")
        .prefetch_related("domains")
        .order_by("performed_on", "start_time", "pk")
    )
    versions = _entry_history(user)
    practice, supervision = [], []
    for entry in entries:
        target = supervision if entry.kind == PracticeEntry.Kind.SUPERVISION else practice
        target.append(_entry(entry, versions.pop(entry.pk, []), people))
    deleted = [
        {
            "id": entry_id,
            "last_recorded": {
                "date": records[-1].performed_on,
                "minutes": records[-1].minutes,
                "kind": records[-1].kind,
                "reflection": records[-1].reflection,
                "topics": records[-1].topics,
            },
            "history": [
                {"when": v.history_date, "who": people.who(v.history_user_id), "change": _change(v)} for v in records
            ],
        }
        for entry_id, records in sorted(versions.items())
    ]
    batches = Batch.objects.filter(trainee=user).select_related("assignment__supervisor").order_by("submitted_at", "pk")
    return {
        "placements": _placements(user),
        "practice_entries": practice,
        "supervision_sessions": supervision,
        "review_batches": [
            {
                "id": batch.pk,
                "sent_to": display_name(batch.assignment.supervisor),
                "submitted_at": batch.submitted_at,
                "status": batch.get_status_display(),
            }
            for batch in batches
        ],
        "deleted_entries_still_in_history": deleted,
        "note": "Your reflections and session topics are your own words, so they are included in full.",
    }


def _placements(user: AbstractBaseUser) -> list[dict]:
    """The person's supervised placements, oldest first."""
    assignments = SupervisorAssignment.objects.filter(trainee=user).select_related("supervisor", "organisation")
    return [
        {
            "placement": assignment.organisation.name,
            "location": assignment.organisation.location,
            "supervisor": display_name(assignment.supervisor),
            "starts_on": assignment.starts_on,
            "ends_on": assignment.ends_on,
        }
        for assignment in assignments.order_by("starts_on", "pk")
    ]


def _supervising(user: AbstractBaseUser, people: People) -> dict:
    """As a supervisor: the profile, the trainees supervised and the sign-offs given."""
    profile = SupervisorProfile.objects.filter(user=user).first()
    assignments = (
        SupervisorAssignment.objects.filter(supervisor=user)
        .select_related("trainee", "organisation")
        .order_by("starts_on", "pk")
    )
    sign_offs = (
        Attestation.objects.filter(supervisor=user).annotate(entry_count=Count("entries")).order_by("signed_at", "pk")
    )
    return {
        "profile": {
            "qualification": profile.qualification,
            "credential_number": profile.credential_number,
            "jurisdiction": profile.jurisdiction,
        }
        if profile
        else None,
        "trainees_supervised": [
            {
                "trainee": display_name(assignment.trainee),
                "placement": assignment.organisation.name,
                "starts_on": assignment.starts_on,
                "ends_on": assignment.ends_on,
            }
            for assignment in assignments
        ],
        "sign_offs_given": [
            {
                "signed_at": sign_off.signed_at,
                "signed_name": sign_off.signed_name,
                "credentials": sign_off.credentials,
                "statement": sign_off.statement,
                "review_batch": sign_off.batch_id,
                "entries_approved_now": sign_off.entry_count,
            }
            for sign_off in sign_offs
        ],
    }


def certificate_file_name(certificate: Certificate, stored: CertificateFile) -> str:
    """Where a certificate's stored PDF goes in the ZIP: certificates/CPS-2026-000123-a4.pdf."""
    return f"{CERTIFICATE_FILES}/{certificate.number}-{stored.paper}.pdf"


def credential_file_name(certificate: Certificate) -> str:
    """Where a certificate's signed credential goes in the ZIP: credentials/CPS-2026-000123.json."""
    return f"{CREDENTIAL_FILES}/{certificate.number}.json"


def _certificates_for_export(user: AbstractBaseUser):
    """The person's certificates with everything the export reads about them, in a fixed number of queries."""
    return (
        Certificate.objects.filter(holder=user)
        .select_related("programme", "replaces", "replaced_by", "credential")
        .prefetch_related(
            Prefetch("files", queryset=CertificateFile.objects.order_by("paper")),
            Prefetch("verification_lookups", queryset=Lookup.objects.order_by("looked_up_at", "pk")),
            "reminders",
        )
        .order_by("issued_at", "pk")
    )


def _certificates(user: AbstractBaseUser, people: People) -> dict:
    """Certificates with evidence, files, reminders, checks and status history; ethics attestations."""
    history = defaultdict(list)
    for record in Certificate.history.filter(holder_id=user.pk).order_by("history_date", "history_id"):
        history[record.id].append(record)
    today = timezone.localdate()
    certificates = []
    for certificate in _certificates_for_export(user):
        credential = getattr(certificate, "credential", None)
        certificates.append(
            {
                "number": certificate.number,
                "verification_code": certificate.display_code,
                "verify_at": certificate.verify_url,
                "credential": certificate.programme.name,
                "issuer": certificate.programme.issuing_body,
                "name_on_certificate": certificate.holder_name,
                "issued_on": certificate.issued_on,
                "valid_from": certificate.period_starts_on,
                "expires_on": certificate.expires_on,
                "status": certificate.status_on(today),
                "status_reason": certificate.state_reason,
                "origin": certificate.get_origin_display(),
                "replaces": certificate.replaces.number if certificate.replaces_id else None,
                "replaced_by": getattr(getattr(certificate, "replaced_by", None), "number", None),
                "evidence": certificate.evidence,
                "files": [
                    {
                        "paper": stored.get_paper_display(),
                        "file": certificate_file_name(certificate, stored),
                        "sha256": stored.sha256,
                        "size": stored.size,
                        "rendered_at": stored.rendered_at,
                    }
                    for stored in certificate.files.all()
                ],
                "signed_credential": credential_file_name(certificate) if credential else None,
                "expiry_reminders_sent": [
                    {"days_before": reminder.days_before, "sent_on": reminder.sent_on}
                    for reminder in certificate.reminders.all()
                ],
                "checked_by_organisations": [
                    {
                        "organisation": lookup.organisation_name,
                        "how": lookup.get_channel_display(),
                        "when": lookup.looked_up_at,
                    }
                    for lookup in certificate.verification_lookups.all()
                ],
                "status_history": [
                    {
                        "when": v.history_date,
                        "who": people.who(v.history_user_id),
                        "status": v.state,
                        "change": _change(v),
                    }
                    for v in history[certificate.pk]
                ],
            }
        )
    attestations = EthicsAttestation.objects.filter(user=user).select_related("programme").order_by("signed_at")
    return {
        "certificates": certificates,
        "ethics_attestations": [
            {
                "programme": attestation.programme.name,
                "statement": attestation.statement,
                "signed_name": attestation.signed_name,
                "signed_at": attestation.signed_at,
            }
            for attestation in attestations
        ],
    }


def _verifying(user: AbstractBaseUser, people: People) -> dict:
    """As a verifier: the organisation, API tokens, checks made and bulk checks in summary."""
    profile = VerifierProfile.objects.filter(user=user).first()
    tokens = ApiToken.objects.filter(user=user).only(
        "name", "prefix", "created_at", "last_used_at", "revoked_at", "user_id"
    )
    checks = Lookup.objects.filter(verifier=user).select_related("certificate").order_by("looked_up_at", "pk")
    jobs = BulkJob.objects.filter(verifier=user).defer("rows", "results", "header").order_by("created_at")
    return {
        "organisation": {"name": profile.organisation_name, "kind": profile.get_kind_display()} if profile else None,
        "api_tokens": [
            {
                "name": token.name,
                "starts_with": token.prefix,
                "created_at": token.created_at,
                "last_used_at": token.last_used_at,
                "revoked_at": token.revoked_at,
            }
            for token in tokens
        ],
        "checks_made": [
            {
                "certificate_number": check.certificate.number,
                "how": check.get_channel_display(),
                "when": check.looked_up_at,
                "for_organisation": check.organisation_name,
            }
            for check in checks
        ],
        "bulk_checks": [
            {
                "file_name": job.file_name,
                "uploaded_at": job.created_at,
                "state": job.get_state_display(),
                "rows": job.total,
                "checked": job.done,
                "results_by_status": job.summary,
                "finished_at": job.finished_at,
            }
            for job in jobs
        ],
        "note": "API tokens are listed by name and first characters; the tokens and their fingerprints are never "
        "exported. Bulk checks are summarised; their rows and results stay on the bulk check pages.",
    }


def _site_admin(user: AbstractBaseUser, people: People) -> dict:
    """As an editor: Wagtail admin preferences and Wagtail API tokens, without their hashes."""
    profile = UserProfile.objects.filter(user=user).first()
    preferences = None
    if profile is not None:
        preferences = {
            f.name: getattr(profile, f.name)
            for f in UserProfile._meta.concrete_fields
            if f.name not in {"id", "user", "avatar"}
        }
        preferences["has_avatar"] = bool(profile.avatar)
    tokens = WagtailAPIToken.objects.filter(user=user).only("name", "prefix", "created", "last_used_at", "revoked_at")
    return {
        "admin_preferences": preferences,
        "admin_api_tokens": [
            {
                "name": token.name,
                "starts_with": token.prefix,
                "created_at": token.created,
                "last_used_at": token.last_used_at,
                "revoked_at": token.revoked_at,
            }
            for token in tokens
        ],
    }


SECTIONS: tuple[Section, ...] = (
    Section(
        "account",
        ("auth.User", "auth.User_groups", "auth.User_user_permissions", "account.EmailAddress", "accounts.NameChange"),
        _account,
    ),
    Section("invitations", ("accounts.Invitation",), _invitations),
    Section("two_factor_authentication", ("mfa.Authenticator",), _two_factor),
    Section("courses", ("courses.Enrolment", "courses.LessonCompletion"), _courses),
    Section("quizzes", ("courses.QuizAttempt", "courses.QuizAttemptGrant"), _quizzes),
    Section(
        "practice",
        (
            "practice.PracticeEntry",
            "practice.SupervisionSession",
            "practice.HistoricalPracticeEntry",
            "practice.Batch",
            "practice.SupervisorAssignment",
        ),
        _practice,
    ),
    Section("supervising", ("practice.SupervisorProfile", "practice.Attestation"), _supervising),
    Section(
        "certificates",
        ("certificates.Certificate", "certificates.HistoricalCertificate", "certificates.EthicsAttestation"),
        _certificates,
    ),
    Section(
        "verifying",
        ("verification.VerifierProfile", "verification.ApiToken", "verification.Lookup", "verification.BulkJob"),
        _verifying,
    ),
    Section("site_admin", ("wagtailusers.UserProfile", "wagtailcore.APIToken"), _site_admin),
)

NOT_EXPORTED: dict[str, str] = {
    "accounts.HistoricalInvitation": "Earlier states of the invitations under 'invitations' (sent, accepted, "
    "revoked); they hold the link's fingerprint, which is never exported.",
    "courses.HistoricalEnrolment": "Earlier versions of the enrolments under 'courses'; an enrolment never changes.",
    "courses.HistoricalQuizAttempt": "Earlier states of the attempts under 'quizzes'; the final state is exported.",
    "practice.HistoricalOrganisation": "Staff edits to placements' names and places: about the placement, not you.",
    "practice.HistoricalSupervisorProfile": "Earlier versions of the supervisor profile under 'supervising'.",
    "practice.HistoricalSupervisorAssignment": "Earlier versions of the placements under 'practice' and "
    "'supervising' (an end date added, say); the current ones are exported.",
    "practice.HistoricalBatch": "Status changes of review batches; their current status is exported, and each "
    "entry's full history is exported with the entry.",
    "certificates.HistoricalProgramme": "Staff edits to a programme's rules: about the programme, not the editor.",
    "verification.HistoricalVerifierProfile": "Earlier organisation names of a verifier account; the current one is "
    "exported.",
    "verification.HistoricalApiToken": "Earlier states of the API tokens under 'verifying'; they hold the tokens' "
    "fingerprints, which are never exported.",
    "wagtailcore.Page": "Site pages a staff member created or has locked for editing: the site's content.",
    "wagtailcore.Revision": "Saved drafts of site pages and snippets: the site's content.",
    "wagtailcore.PageLogEntry": "The Wagtail admin's log of staff actions on pages: the site's audit trail.",
    "wagtailcore.ModelLogEntry": "The Wagtail admin's log of staff actions on other records: the site's audit trail.",
    "wagtailcore.Comment": "Editors' comments on draft pages in the Wagtail admin: editorial notes on site content.",
    "wagtailcore.CommentReply": "Replies to editors' comments on draft pages: editorial notes on site content.",
    "wagtailcore.PageSubscription": "Whether an editor is emailed about comments on a page: an admin setting.",
    "wagtailcore.WorkflowState": "Moderation of page changes (who asked for approval): the site's publishing workflow.",
    "wagtailcore.TaskState": "Moderation steps of page changes (who approved them): the site's publishing workflow.",
    "wagtailcore.UploadedFile": "Files part-way through being uploaded in the admin, deleted once used.",
    "wagtaildocs.Document": "Documents uploaded to the site's content by staff: the site's content.",
    "wagtailimages.Image": "Images uploaded to the site's content by staff: the site's content.",
    "wagtailadmin.EditingSession": "Who has a page open in the editor right now; kept for minutes.",
    "wagtailadmin.FormState": "Unsaved admin forms kept for a short while so editors don't lose work.",
    "admin.LogEntry": "The Django admin's log of staff actions: the site's audit trail.",
    "privacy.ClosedAccount": "Made only when an account is closed, after which nobody can sign in to download it.",
}


def exported_models() -> set[str]:
    """The labels of every model the export reads."""
    return {label for section in SECTIONS for label in section.models}


# The export --------------------------------------------------------------------------------------------------


def user_data(*, user: AbstractBaseUser) -> dict:
    """Everything the site holds about the user, as plain data for data.json (no password, secret or token hash).

    The query count depends on the number of sections, never on how many entries, attempts or certificates
    there are.
    """
    supervisors = SupervisorAssignment.objects.filter(trainee=user).select_related("supervisor")
    people = People(user=user, supervisors={a.supervisor_id: display_name(a.supervisor) for a in supervisors})
    return {
        "about": {
            "site": settings.WAGTAIL_SITE_NAME,
            "site_url": settings.SITE_URL,
            "generated_at": timezone.now(),
            "description": "Everything this site holds about you. Certificate PDFs and signed credentials are in "
            "the certificates/ and credentials/ folders of this ZIP. Your password, two-factor secrets and the "
            "fingerprints of tokens are never included.",
        },
        **{section.key: section.read(user, people) for section in SECTIONS},
    }


def data_export_zip(*, user: AbstractBaseUser) -> tuple[str, str, bytes]:
    """The user's data as a ZIP: data.json, each stored certificate PDF and each signed credential.

    Returns (filename, mimetype, bytes). A PDF missing from storage is listed in data.json as missing.
    """
    data = user_data(user=user)
    buffer = io.BytesIO()
    missing = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for certificate in _certificates_for_export(user):
            for stored in certificate.files.all():
                name = certificate_file_name(certificate, stored)
                try:
                    with stored.file.storage.open(stored.file.name, "rb") as handle:
                        archive.writestr(name, handle.read())
                except FileNotFoundError:
                    missing.append(name)
            credential = getattr(certificate, "credential", None)
            if credential is not None:
                archive.writestr(credential_file_name(certificate), credential.document)
        data["about"]["files_missing_from_storage"] = missing
        archive.writestr("data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2) + "\n")
    filename = f"my-data-{timezone.localdate():%Y-%m-%d}.zip"
    return filename, "application/zip", buffer.getvalue()


# Closing an account ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Closure:
    """What closing the account would do, or what stops it: for the confirmation page and the service."""

    is_admin: bool
    current_trainees: int
    waiting_batches: int
    certificates: list[Certificate]
    keep_until: date | None

    @property
    def blocked(self) -> bool:
        """Whether something must happen before the account can be closed here."""
        return self.is_admin or self.supervising

    @property
    def supervising(self) -> bool:
        """Whether the person still supervises someone, or has hours waiting for their review."""
        return bool(self.current_trainees or self.waiting_batches)


def account_closure(*, user: AbstractBaseUser, today: date | None = None) -> Closure:
    """What stands in the way of the user closing their account, and which certificates would be kept until when."""
    today = today or timezone.localdate()
    current = SupervisorAssignment.objects.filter(supervisor=user).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    waiting = Batch.objects.filter(assignment__supervisor=user, status=Batch.Status.SUBMITTED)
    certificates = list(Certificate.objects.filter(holder=user).select_related("programme").order_by("issued_at"))
    return Closure(
        is_admin=bool(user.is_staff or has_role(user, PROGRAMME_ADMIN)),
        current_trainees=current.values("trainee").distinct().count(),
        waiting_batches=waiting.count(),
        certificates=certificates,
        keep_until=keep_until(certificate.expires_on for certificate in certificates),
    )
