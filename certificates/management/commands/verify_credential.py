"""Check a credential file or certificate PDF from the command line, using this site's keys and status lists."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from certificates.credential_check import credential_file_check
from certificates.credential_files import CredentialFileError


class Command(BaseCommand):
    help = (
        "Verify a signed credential (.json) or a certificate PDF with its credential inside: its form, the proof, "
        "the signing key, the status lists and the dates. Exit status 0 only when valid (1 for expired, suspended, "
        "revoked, superseded, tampered, malformed, not ours, or a valid credential in a PDF that isn't byte for byte "
        "the one issued: pdf_changed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print the result as JSON.")

    def handle(self, *args, file: Path, as_json: bool = False, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Can't read {file}: {error.strerror}.") from error
        try:
            result = credential_file_check(data)
        except CredentialFileError as error:
            raise CommandError(str(error)) from error
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
        else:
            self.stdout.write(f"{result.outcome.upper()}: {result.headline}")
            if result.holder_name:
                self.stdout.write(f"  Holder: {result.holder_name}")
            if result.credential_name:
                self.stdout.write(f"  Credential: {result.credential_name}")
            if result.certificate is not None:
                self.stdout.write(f"  Certificate: {result.certificate.number}")
            for finding in result.findings:
                mark = "ok " if finding.passed else "NO "
                self.stdout.write(f"  [{mark}] {finding.label}: {finding.detail}")
        if not result.trusted:
            raise SystemExit(1)
