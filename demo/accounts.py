"""Demo two-factor: the `supervisor` and `admin` accounts get an authenticator app with a published secret.

The secret is printed here and in the README, so these accounts are for trying the demo only; `manage.py
totp_code <username>` prints the code the app would show right now.
"""

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.db import transaction

from demo.site import LoadReport

# Base32 for a 20-byte key that spells out what it is. Never use it for a real account.
DEMO_TOTP_SECRET = "DEMOONLYDEMOONLYDEMOONLYDEMOONLY"  # noqa: S105
DEMO_MFA_USERS = ("supervisor", "admin")


def totp_secret_of(user) -> str | None:
    """The user's authenticator-app secret, or None if they have none."""
    authenticator = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first()
    return decrypt(authenticator.data["secret"]) if authenticator else None


def totp_code_now(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app with this secret shows at a moment (now unless given)."""
    return format_hotp_value(hotp_value(secret, int(time.time() if at is None else at) // mfa_settings.TOTP_PERIOD))


@transaction.atomic
def ensure_demo_authenticators(*, users: dict, report: LoadReport) -> None:
    """Give the demo `supervisor` and `admin` an authenticator app with the demo secret, and recovery codes.

    Accounts that already have an authenticator app are left alone.
    """
    for username in DEMO_MFA_USERS:
        user = users[username]
        if Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists():
            continue
        TOTP.activate(user, DEMO_TOTP_SECRET)
        RecoveryCodes.activate(user)  # as allauth's set-up page does, so the demo shows them
        report.created.append(f"two-factor authenticator (demo secret) for {username}")
