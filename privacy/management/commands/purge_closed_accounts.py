"""Delete closed accounts' certificate records once their retention period has ended; for a daily timer."""

from django.core.management.base import BaseCommand

from privacy.retention import RETENTION_YEARS
from privacy.services import closed_accounts_purge


class Command(BaseCommand):
    """Delete the certificates and evidence kept for closed accounts whose retention period has ended."""

    help = (
        f"Delete the certificates, and the hours and sign-offs behind them, that closed accounts kept: each account's "
        f"are kept until {RETENTION_YEARS} years after its latest certificate expires. Run it daily."
    )

    def handle(self, *args, **options):
        """Purge what is due and say how many accounts that was."""
        purged = closed_accounts_purge()
        self.stdout.write(f"Deleted the kept certificate records of {len(purged)} closed account(s).")
