"""Print the emails the site wrote to its mail folder in development (EMAIL_URL=file://…, var/mail/ by default)."""

import email
import email.policy
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SEPARATOR = "\n" + "-" * 79 + "\n"  # what Django's file backend writes after each message


@dataclass(frozen=True)
class StoredMail:
    """One email as Django's file backend wrote it, and the file it is in."""

    path: Path
    message: EmailMessage

    @property
    def text(self) -> str:
        """The plain-text body, decoded."""
        part = self.message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else ""


def stored_mail(folder: Path) -> list[StoredMail]:
    """Every email in the folder, oldest first (files in the order written, messages in file order)."""
    found = []
    for path in sorted(folder.glob("*.log"), key=lambda path: (path.stat().st_mtime, path.name)):
        for chunk in path.read_text(encoding="utf-8", errors="replace").split(SEPARATOR):
            if chunk.strip():
                found.append(StoredMail(path, email.message_from_string(chunk, policy=email.policy.default)))
    return found


class Command(BaseCommand):
    help = "Print the latest emails written to the development mail folder (var/mail/), or list them with --list."

    def add_arguments(self, parser):
        parser.add_argument("--count", "-n", type=int, help="How many of the latest emails (1, or 20 with --list).")
        parser.add_argument(
            "--list", action="store_true", dest="as_list", help="One line per email: when, to whom, subject."
        )
        parser.add_argument("--to", default="", help="Only emails to this address (or part of it).")

    def handle(self, *args, count: int | None, as_list: bool, to: str, **options):
        folder = getattr(settings, "EMAIL_FILE_PATH", None)
        if settings.EMAIL_BACKEND != "django.core.mail.backends.filebased.EmailBackend" or not folder:
            raise CommandError(
                f"Email isn't written to files here (EMAIL_BACKEND is {settings.EMAIL_BACKEND}). "
                "In development (DEBUG=1, no EMAIL_URL) it goes to var/mail/; or set EMAIL_URL=file:///some/folder."
            )
        folder = Path(folder)
        messages = [mail for mail in stored_mail(folder) if to.lower() in str(mail.message["To"] or "").lower()]
        if not messages:
            self.stdout.write(f"No emails in {folder} yet" + (f" to {to}." if to else "."))
            return
        latest = messages[-max(count or (20 if as_list else 1), 1) :]
        for mail in latest:
            if as_list:
                self.stdout.write(f"{mail.message['Date']}  to {mail.message['To']}  {mail.message['Subject']}")
                continue
            self.stdout.write(f"From: {mail.message['From']}\nTo: {mail.message['To']}\nDate: {mail.message['Date']}")
            self.stdout.write(f"Subject: {mail.message['Subject']}\nFile: {mail.path}\n\n{mail.text.rstrip()}\n")
            self.stdout.write("-" * 79)
