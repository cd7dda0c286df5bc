"""Authentication backends: allauth's, refusing absurdly long usernames and emails before any query."""

from allauth.account.auth_backends import AuthenticationBackend

# No username (150) or email address (254) is longer; anything longer can't match and isn't looked up.
LONGEST_LOGIN = 254


class BoundedAuthenticationBackend(AuthenticationBackend):
    """allauth's backend (username or email), refusing identifiers longer than any account can have.

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
