"""What closing an account would do, or what stops it."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone

from certificates.models import Certificate
from lms.roles import PROGRAMME_ADMIN, has_role
from practice.models import Batch, SupervisorAssignment
from privacy.retention import keep_until


@dataclass(frozen=True)
class Closure:
    """What closing the account would do, or what stops it: for the confirmation page and the service."""

    is_admin: bool
    current_trainees: int
    waiting_batches: int
    certificates: list[Certificate]
    keep_until: date | None

    @property
    def blocked(self) -> bool:
        """Whether something must happen before the account can be closed here."""
        return self.is_admin or self.supervising

    @property
    def supervising(self) -> bool:
        """Whether the person still supervises someone, or has hours waiting for their review."""
        return bool(self.current_trainees or self.waiting_batches)


def account_closure(*, user: AbstractBaseUser, today: date | None = None) -> Closure:
    """What stands in the way of the user closing their account, and which certificates would be kept until when."""
    today = today or timezone.localdate()
    current = SupervisorAssignment.objects.filter(supervisor=user).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    waiting = Batch.objects.filter(assignment__supervisor=user, status=Batch.Status.SUBMITTED)
    certificates = list(Certificate.objects.filter(holder=user).select_related("programme").order_by("issued_at"))
    return Closure(
        is_admin=bool(user.is_staff or has_role(user, PROGRAMME_ADMIN)),
        current_trainees=current.values("trainee").distinct().count(),
        waiting_batches=waiting.count(),
        certificates=certificates,
        keep_until=keep_until(certificate.expires_on for certificate in certificates),
    )
