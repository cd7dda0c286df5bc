"""The retention rule for closed accounts, in one place: the privacy page states it and closure applies it."""

from collections.abc import Iterable
from datetime import date

from certificates.eligibility import add_months

RETENTION_YEARS = 6
"""Years a closed account's certificates, and the hours and sign-offs behind them, outlive its last expiry."""


def keep_until(expiry_dates: Iterable[date]) -> date | None:
    """The last day a closed account's certificate records are kept: RETENTION_YEARS after the latest expiry date.

    Revoked, suspended and replaced certificates count by their printed expiry date too, so a revoked certificate
    keeps showing as revoked for as long as a valid one would show as expired. None when there are no certificates.
    """
    latest = max(expiry_dates, default=None)
    return add_months(latest, 12 * RETENTION_YEARS) if latest else None
