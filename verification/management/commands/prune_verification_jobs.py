"""Delete verifiers' bulk CSV checks once their retention period has ended; for a daily timer."""

from django.conf import settings
from django.core.management.base import BaseCommand

from verification.services import bulk_jobs_prune


class Command(BaseCommand):
    """Delete the bulk checks, with their uploaded rows and results, that are past their retention period."""

    help = (
        "Delete verifiers' bulk CSV checks, with their uploaded rows and results, VERIFICATION_JOB_RETENTION_DAYS "
        "days after they finished (or after they were uploaded, for checks that never finished). Run it daily."
    )

    def handle(self, *args, **options):
        """Prune what is due and say how many checks that was."""
        deleted = bulk_jobs_prune()
        days = settings.VERIFICATION_JOB_RETENTION_DAYS
        self.stdout.write(f"Deleted {deleted} bulk check(s) kept for more than {days} days.")
