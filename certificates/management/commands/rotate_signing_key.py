"""Make a new credential signing key; the old ones stay in the DID document so what they signed still verifies."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from certificates.signing import SigningKeyMissing, signing_key_rotate, verification_method_id


class Command(BaseCommand):
    help = (
        "Write a new Ed25519 signing key to SIGNING_KEY_FILE (or --file) and retire the current one, "
        "which stays listed in /.well-known/did.json. The app reads the key file each time it signs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, help="Key file to write (default: SIGNING_KEY_FILE).")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Only create a key when the file doesn't exist yet (what `make run` does for development).",
        )

    def handle(self, *args, file=None, if_missing=False, **options):
        path = file or (Path(settings.SIGNING_KEY_FILE) if settings.SIGNING_KEY_FILE else None)
        if if_missing and (settings.SIGNING_KEY.strip() or (path is not None and path.exists())):
            return
        try:
            record = signing_key_rotate(path=path)
        except SigningKeyMissing as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"New signing key {verification_method_id(record.public_key_multibase)} in {path}.")
        if if_missing:
            self.stderr.write(
                self.style.WARNING(
                    f"This is a development key in {path}. In production, keep the key outside the project, "
                    "readable only by the app, and set SIGNING_KEY_FILE to it."
                )
            )
