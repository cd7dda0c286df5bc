"""Print the current two-factor code of a demo account, so people trying the demo can log in as supervisor or admin."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from demo.accounts import DEMO_TOTP_SECRET, totp_code_now, totp_secret_of


class Command(BaseCommand):
    """Print the code a demo account's authenticator app would show now."""

    help = (
        "Print the current two-factor code for a demo account (one set up by seed_demo with the published demo "
        "secret). Codes change every 30 seconds, and each can be used once."
    )

    def add_arguments(self, parser):
        """The username, and --force for running with DEBUG off."""
        parser.add_argument("username", help="A demo account with two-factor on, e.g. supervisor or admin.")
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args, username: str, force: bool = False, **options):
        """Print the code, or explain why not."""
        if not settings.DEBUG and not force:
            raise CommandError(
                "totp_code is for the demo, so it refuses to run when DEBUG is off. Use --force if you really mean it."
            )
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There's no account called {username!r}.")
        secret = totp_secret_of(user)
        if secret is None:
            raise CommandError(f"{username} hasn't set up two-factor authentication, so there's no code to show.")
        if secret != DEMO_TOTP_SECRET:
            raise CommandError(
                f"{username}'s authenticator isn't the demo one, so its codes stay on their phone. This command only "
                "works for demo accounts set up by seed_demo."
            )
        self.stdout.write(totp_code_now(secret))
