"""The one authentication backend: allauth's (username or email), bounded, hashing a password once per attempt."""

from allauth.account import app_settings
from allauth.account.app_settings import LoginMethod
from allauth.account.auth_backends import AuthenticationBackend
from allauth.account.internal.userkit import filter_users_by_email, get_user_by_username
from django.contrib.auth.base_user import AbstractBaseUser

# No username (150) or email address (254) is longer; anything longer can't match and isn't looked up.
LONGEST_LOGIN = 254


class BoundedAuthenticationBackend(AuthenticationBackend):
    """allauth's backend (username or email), refusing identifiers longer than any account can have.

    It is the site's only backend (settings.AUTHENTICATION_BACKENDS): it inherits Django's ModelBackend, so
    permissions (the Wagtail and Django admins') still come from users, groups and their permissions.

    Each attempt runs the password hasher exactly once, right or wrong, for a known account or not: the login is
    matched to at most one account (an address's confirmed owner, else the oldest account holding it unconfirmed,
    else the account of that username), whose password alone is checked; with no account, a dummy hash keeps
    the time the same. allauth's own backend would check every account the login could name, and once more
    when the form passes it as both email and username.

    A case-insensitive lookup of a 100,000-character name fails inside SQLite ("LIKE pattern too complex") and
    wastes the database's time elsewhere; Django's login forms don't enforce their own maxlength.
    """

    def authenticate(self, request, **credentials):
        """Authenticate as allauth does, unless the username or email is too long to belong to anyone."""
        for name in ("username", "email"):
            value = credentials.get(name)
            if isinstance(value, str) and len(value) > LONGEST_LOGIN:
                return None
        return super().authenticate(request, **credentials)

    def _authenticate(self, request, **credentials) -> AbstractBaseUser | None:
        """Check the password of the one account the login names, if any (allauth's base runs the dummy hash)."""
        user = self._account_named(email=credentials.get("email"), username=credentials.get("username"))
        return self._check_password(user, credentials.get("password") or "")

    @staticmethod
    def _account_named(*, email: str | None, username: str | None) -> AbstractBaseUser | None:
        """The account a login names, as allauth would try them: by email address first, then by username."""
        for address in (email, username):
            if address and "@" in address and LoginMethod.EMAIL in app_settings.LOGIN_METHODS:
                users = filter_users_by_email(address, prefer_verified=True, for_login=True)
                if users:
                    return min(users, key=lambda user: user.pk)
        if username and LoginMethod.USERNAME in app_settings.LOGIN_METHODS:
            return get_user_by_username(username)
        return None
