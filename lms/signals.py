"""The kernel's signals: what the domain apps announce, so the apps above them can act without being imported."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.dispatch import Signal

progress_recorded = Signal()  # sent with user=: a lesson, a quiz pass, approved hours or an ethics attestation


def progress_recorded_on_commit(*, user: AbstractBaseUser) -> None:
    """Once the current transaction commits, announce that the user recorded progress towards a programme."""
    transaction.on_commit(lambda: progress_recorded.send(sender=None, user=user))
