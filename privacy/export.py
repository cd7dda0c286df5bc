"""A person's own data for download: everything the site holds about them, as data.json in a ZIP with their files.

Each app registers the sections it reads (lms/personal_data.py), in its AppConfig.ready(); SECTION_ORDER below
fixes their order in data.json. Every model with a foreign key or one-to-one to the user model (history models
included) must be in a section or left out with the reason, and a test walks the models to hold that true as they
change.
"""

import io
import json
import zipfile

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from lms.personal_data import ExportSection, export_sections, not_exported, people_of

# The keys of data.json in the order a person reads them; each app registers the section behind its keys.
SECTION_ORDER = (
    "account",
    "invitations",
    "two_factor_authentication",
    "courses",
    "quizzes",
    "practice",
    "supervising",
    "certificates",
    "verifying",
    "site_admin",
)

# Models about people that no app owns (Wagtail's, Django's, this app's own), left out with the reason.
SITE_NOT_EXPORTED: dict[str, str] = {
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


def sections() -> list[ExportSection]:
    """The registered sections in SECTION_ORDER; a section registered or ordered but not both is a mistake."""
    registered = export_sections()
    if set(registered) != set(SECTION_ORDER):
        raise ImproperlyConfigured(
            f"Export sections registered {sorted(registered)} differ from SECTION_ORDER {sorted(SECTION_ORDER)}."
        )
    return [registered[key] for key in SECTION_ORDER]


def exported_models() -> set[str]:
    """The labels of every model the export reads."""
    return {label for section in sections() for label in section.models}


def not_exported_models() -> dict[str, str]:
    """Every model about people that the export leaves out, by label, with the reason."""
    return {**not_exported(), **SITE_NOT_EXPORTED}


# The export --------------------------------------------------------------------------------------------------


def user_data(*, user: AbstractBaseUser) -> dict:
    """Everything the site holds about the user, as plain data for data.json (no password, secret or token hash).

    The query count depends on the number of sections, never on how many entries, attempts or certificates
    there are.
    """
    people = people_of(user)
    return {
        "about": {
            "site": settings.WAGTAIL_SITE_NAME,
            "site_url": settings.SITE_URL,
            "generated_at": timezone.now(),
            "description": "Everything this site holds about you. Certificate PDFs and signed credentials are in "
            "the certificates/ and credentials/ folders of this ZIP. Your password, two-factor secrets and the "
            "fingerprints of tokens are never included.",
        },
        **{section.key: section.read(user, people) for section in sections()},
    }


def data_export_zip(*, user: AbstractBaseUser) -> tuple[str, str, bytes]:
    """The user's data as a ZIP: data.json and every file the sections add (certificate PDFs, credentials).

    Returns (filename, mimetype, bytes). A file missing from storage is listed in data.json as missing.
    """
    data = user_data(user=user)
    buffer = io.BytesIO()
    missing = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for section in sections():
            for file in section.files(user) if section.files else ():
                try:
                    archive.writestr(file.name, file.read())
                except FileNotFoundError:
                    missing.append(file.name)
        data["about"]["files_missing_from_storage"] = missing
        archive.writestr("data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2) + "\n")
    filename = f"my-data-{timezone.localdate():%Y-%m-%d}.zip"
    return filename, "application/zip", buffer.getvalue()
