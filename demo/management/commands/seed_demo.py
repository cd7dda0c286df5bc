"""Load the demo site, curriculum, accounts, practice and certificates; running it again changes nothing."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from courses.models import CoursePage
from demo.accounts import ensure_demo_authenticators
from demo.certificates import HOLDERS, ensure_demo_certificates
from demo.practice import ensure_demo_practice
from demo.site import DEMO_PASSWORD, LoadReport, ensure_demo_progress, ensure_demo_users, load_site
from demo.verification import ensure_demo_verifier


class Command(BaseCommand):
    """Load the demo site, curriculum, accounts, practice and certificates."""

    help = (
        "Load the demo home page, the Peer Specialist Foundations course, the demo accounts, practice logs and "
        "certificates (idempotent). Ends with one line per demo certificate, one of each status: "
        "<status> <code> <username>."
    )

    def add_arguments(self, parser):
        """Add --force for running with DEBUG off."""
        parser.add_argument(
            "--force", action="store_true", help="Run even when DEBUG is off (creates accounts with a known password)."
        )

    def handle(self, *args, force=False, **options):
        """Load everything, report what changed, and list the demo certificates."""
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password, so it refuses to run when DEBUG is off. "
                "Use --force if you really mean it."
            )
        home, report = load_site()
        users = ensure_demo_users(report)
        ensure_demo_authenticators(users=users, report=report)
        for course in CoursePage.objects.live().descendant_of(home):
            ensure_demo_progress(users=users, course=course)
        ensure_demo_practice(users=users, report=report)
        certificates = ensure_demo_certificates(self.stdout, users=users, report=report)
        ensure_demo_verifier(users=users, report=report, certificates=certificates)
        self._print_report(report)
        for certificate in certificates:
            self.stdout.write(f"{certificate.status} {certificate.display_code} {certificate.holder.get_username()}")

    def _print_report(self, report: LoadReport):
        for item in report.created:
            self.stdout.write(f"created {item}")
        for item in report.updated:
            self.stdout.write(f"updated {item}")
        if not report.created and not report.updated:
            self.stdout.write("Demo content is up to date; nothing changed.")
        holders = ", ".join(holder.username for holder in HOLDERS if holder.username != "graduate")
        self.stdout.write(
            f"Demo accounts: trainee, supervisor, verifier, admin, graduate, {holders} (password {DEMO_PASSWORD})."
        )
