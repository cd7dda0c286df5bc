"""A person's own data for download: everything the site holds about them, as data.json in a ZIP with their files.

The export is built from SECTIONS, each naming the models it reads. Every model with a foreign key or one-to-one
to the user model (history models included) must be in a section or in NOT_EXPORTED with the reason, and a test
walks the models to hold that true as they change.
"""

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from lms.names import display_name
from practice.models import SupervisorAssignment
from privacy.export_account import read_account, read_invitations, read_site_admin, read_two_factor
from privacy.export_certificates import (
    certificate_file_name,
    certificates_for_export,
    credential_file_name,
    read_certificates,
    read_verifying,
)
from privacy.export_training import read_courses, read_practice, read_quizzes, read_supervising
from privacy.people import People


@dataclass(frozen=True)
class Section:
    """One part of data.json: its key, the models it reads (by label) and the function that reads them."""

    key: str
    models: tuple[str, ...]
    read: Callable[[AbstractBaseUser, People], object]


SECTIONS: tuple[Section, ...] = (
    Section(
        "account",
        ("auth.User", "auth.User_groups", "auth.User_user_permissions", "account.EmailAddress", "accounts.NameChange"),
        read_account,
    ),
    Section("invitations", ("accounts.Invitation",), read_invitations),
    Section("two_factor_authentication", ("mfa.Authenticator",), read_two_factor),
    Section("courses", ("courses.Enrolment", "courses.LessonCompletion"), read_courses),
    Section("quizzes", ("courses.QuizAttempt", "courses.QuizAttemptGrant"), read_quizzes),
    Section(
        "practice",
        (
            "practice.PracticeEntry",
            "practice.SupervisionSession",
            "practice.HistoricalPracticeEntry",
            "practice.Batch",
            "practice.SupervisorAssignment",
            "practice.SupervisorRequest",
        ),
        read_practice,
    ),
    Section("supervising", ("practice.SupervisorProfile", "practice.Attestation"), read_supervising),
    Section(
        "certificates",
        ("certificates.Certificate", "certificates.HistoricalCertificate", "certificates.EthicsAttestation"),
        read_certificates,
    ),
    Section(
        "verifying",
        ("verification.VerifierProfile", "verification.ApiToken", "verification.Lookup", "verification.BulkJob"),
        read_verifying,
    ),
    Section("site_admin", ("wagtailusers.UserProfile", "wagtailcore.APIToken"), read_site_admin),
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
    "practice.HistoricalSupervisorRequest": "Earlier states of the requests for a supervisor under 'practice' "
    "(open, then assigned or closed); the current state, with when and why, is exported.",
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
        for certificate in certificates_for_export(user):
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
