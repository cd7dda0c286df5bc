"""The daily certificate sweep: expiry reminders, renewals due, missed issues and stuck PDFs; for a daily timer."""

import argparse
from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from certificates.sweeps import (
    certificates_issue_missed,
    certificates_requeue_stale_renderings,
    certificates_send_expiry_reminders,
)

LABELS = {90: "90 days", 30: "30 days", 7: "7 days", 0: "expired"}


def iso_date(text: str) -> date:
    """A --date value: YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} isn't a date; use YYYY-MM-DD, e.g. 2026-03-01.") from None


class Command(BaseCommand):
    """Email holders whose certificate expires in 90, 30 or 7 days or has just expired, once per threshold."""

    help = (
        "Email holders whose certificate expires in 90, 30 or 7 days or has just expired, and renew certificates "
        "whose renewal is due. Each reminder goes out once, so running it twice a day, or again after a missed day, "
        "sends nothing twice. Run it daily."
    )

    def add_arguments(self, parser):
        """Add --date, to run as if it were another day."""
        parser.add_argument(
            "--date",
            dest="day",
            metavar="YYYY-MM-DD",
            type=iso_date,
            help="Run as if today were this day: for testing, or to re-run a day the timer missed. Defaults to "
            "today. After missed days a run for today is enough: each certificate gets the nearest reminder due.",
        )

    def handle(self, *args, day: date | None = None, **options):
        """Send the reminders due and print how many went out per threshold."""
        today = day or timezone.localdate()
        sent = certificates_send_expiry_reminders(today=today)
        total = sum(sent.values())
        counts = ", ".join(f"{LABELS.get(days, f'{days} days')}: {sent[days]}" for days in sorted(sent, reverse=True))
        self.stdout.write(f"{today.isoformat()}: {total} reminder{'' if total == 1 else 's'} sent ({counts}).")
        issued = certificates_issue_missed(today=today)
        if issued:
            self.stdout.write(
                f"Issued {len(issued)} certificate{'' if len(issued) == 1 else 's'} to people already eligible."
            )
        requeued = certificates_requeue_stale_renderings()
        if requeued:
            self.stdout.write(f"Queued {requeued} certificate PDF{'' if requeued == 1 else 's'} for rendering again.")
