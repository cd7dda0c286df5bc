"""The record kept when someone closes their account: when, and until when their certificates' records are kept."""

from django.conf import settings
from django.db import models


class ClosedAccount(models.Model):
    """A closed account: the day it closed, and the day its certificates and the hours behind them may go."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="closed_account")
    closed_at = models.DateTimeField()
    keep_until = models.DateField(
        null=True,
        blank=True,
        help_text="The last day the certificates and their evidence are kept (blank: there were no certificates).",
    )
    purged_at = models.DateTimeField(null=True, blank=True, help_text="When the kept records were deleted.")

    class Meta:
        ordering = ["-closed_at"]
        indexes = [models.Index(fields=["keep_until"], name="closedaccount_keep_until")]

    def __str__(self):
        return f"Account {self.user_id}, closed {self.closed_at:%Y-%m-%d}"
