"""The closers in the order closing an account runs them: each app's registered one, and the site's own.

Each domain app registers its closer (lms/closing.py) in its AppConfig.ready(); CLOSING_ORDER below fixes the
order they run in. The site's own records (Wagtail's, allauth's and Django's, which no app of ours owns) are
closed here, at their place in the same order.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from wagtail.admin.models import EditingSession, FormState
from wagtail.models import APIToken as WagtailAPIToken
from wagtail.models import PageSubscription
from wagtail.users.models import UserProfile

from lms.closing import Closer, ClosingContext, registered_closers

# The closers in the order closing runs them (purging runs them backwards, so certificates go before their evidence).
CLOSING_ORDER = (
    "practice",
    "certificates",
    "supervising",
    "verifying",
    "quizzes",
    "site_admin",
    "invitations",
    "name_changes",
    "account",
)


def _site_admin_forget(context: ClosingContext) -> None:
    """Stop the person's Wagtail API tokens and remove what they set up as an editor."""
    user = context.user
    WagtailAPIToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    for model in (UserProfile, EditingSession, FormState, PageSubscription):
        model.objects.filter(user=user).delete()


def _sessions_delete(user: AbstractBaseUser) -> None:
    """Sign the person out everywhere: delete every stored session that belongs to them."""
    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=mine).delete()


def _user_anonymise(context: ClosingContext) -> None:
    """Make the account an inactive, nameless shell nobody can sign in to, and sign it out everywhere."""
    user = context.user
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    _sessions_delete(user)
    user.username = f"closed-{user.pk}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


SITE_CLOSERS = {
    "site_admin": Closer("site_admin", close=_site_admin_forget),
    "account": Closer("account", close=_user_anonymise),
}
"""The site's own part: records of Wagtail, allauth and Django about the person, which no app of ours owns."""


def closers() -> list[Closer]:
    """Every closer in CLOSING_ORDER; one registered or ordered but not both (or registered twice) is a mistake."""
    registered = registered_closers()
    found = {**registered, **SITE_CLOSERS}
    if set(found) != set(CLOSING_ORDER) or set(registered) & set(SITE_CLOSERS):
        raise ImproperlyConfigured(
            f"Closers registered {sorted(registered)} and the site's own {sorted(SITE_CLOSERS)} differ from "
            f"CLOSING_ORDER {sorted(CLOSING_ORDER)}."
        )
    return [found[key] for key in CLOSING_ORDER]
