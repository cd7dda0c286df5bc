"""What closing an account would do, or what stops it."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from lms.closing import ClosingContext, ClosingStop, KeptCertificate
from lms.roles import PROGRAMME_ADMIN, has_role
from privacy.closers import closers
from privacy.retention import keep_until


@dataclass(frozen=True)
class Closure:
    """What closing the account would do, or what stops it: for the confirmation page and the service."""

    is_admin: bool
    stops: tuple[ClosingStop, ...]
    certificates: list[KeptCertificate]
    keep_until: date | None

    @property
    def blocked(self) -> bool:
        """Whether something must happen before the account can be closed here."""
        return self.is_admin or bool(self.stops)

    def context(self, *, user: AbstractBaseUser, today: date) -> ClosingContext:
        """What the closers need: the evidence cut-off is the latest kept certificate's issue date."""
        return ClosingContext(
            user=user,
            today=today,
            evidence_until=max((c.issued_on for c in self.certificates), default=None),
            kept_programmes=frozenset(c.programme_id for c in self.certificates),
        )


def account_closure(*, user: AbstractBaseUser, today: date | None = None) -> Closure:
    """What stands in the way of the user closing their account, and which certificates would be kept until when."""
    today = today or timezone.localdate()
    ordered = closers()
    stops = tuple(stop for closer in ordered if closer.stops for stop in closer.stops(user, today))
    certificates = [certificate for closer in ordered if closer.kept for certificate in closer.kept(user)]
    return Closure(
        is_admin=bool(user.is_staff or has_role(user, PROGRAMME_ADMIN)),
        stops=stops,
        certificates=certificates,
        keep_until=keep_until(certificate.expires_on for certificate in certificates),
    )
