"""Which name is printed on a certificate: at issue, at renewal, at a reissue, and after the holder corrects it.

The one place for the printed-name policy. Certificates sits below accounts, so it never reads a person's name
corrections itself: accounts registers where they come from (AccountsConfig.ready) and calls the rules here.
"""

from collections.abc import Callable
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser

from certificates.models import Certificate
from certificates.selectors import live_certificates
from lms.names import display_name

FULL_NAME_MAX_LENGTH = 300  # the full name printed and signed: Certificate.holder_name, the signed names

NameCorrectedSince = Callable[[AbstractBaseUser, datetime], bool]
_name_corrected_since: NameCorrectedSince | None = None


def name_corrections_source_register(source: NameCorrectedSince) -> None:
    """Say how to learn whether a person corrected their own name after a moment (called once, by accounts)."""
    global _name_corrected_since
    _name_corrected_since = source


def holder_name_tidy(value: str) -> str:
    """A name as it will be printed: trimmed, inner spaces made single (empty when nothing is left)."""
    return " ".join((value or "").split())


def first_issue_holder_name(holder: AbstractBaseUser) -> str:
    """The name a first certificate carries: the holder's name as it stands (as committed) at issue."""
    return display_name(holder)


def renewal_holder_name(*, old: Certificate, holder: AbstractBaseUser) -> str:
    """The holder's name if they corrected it since the old certificate was issued, else the name on the old one."""
    corrected = _name_corrected_since is not None and _name_corrected_since(holder, old.issued_at)
    return display_name(holder) if corrected else old.holder_name


def certificates_to_reissue_for(*, holder: AbstractBaseUser, name: str) -> list[Certificate]:
    """The holder's live certificates printed with another name than `name`: a correction asks for their reissue."""
    return [certificate for certificate in live_certificates(holder=holder) if certificate.holder_name != name]
