"""allauth adapter: sign-ups become trainees; links and the site name in allauth's emails come from settings."""

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from lms.roles import TRAINEE


@dataclass(frozen=True)
class SiteFromSettings:
    """What allauth's email templates call current_site: the site's name and the host of SITE_URL."""

    name: str
    domain: str


def site_link(path: str) -> str:
    """An absolute link to a path on the site, at its public address (SITE_URL), never the request's Host."""
    return settings.SITE_URL + path


class AccountAdapter(DefaultAccountAdapter):
    """Put every self-registered account in the Trainee group; build emailed links from SITE_URL.

    allauth builds links from the request's Host header, whose port (and, among ALLOWED_HOSTS, host) the sender
    chooses: a reset link could then point at another server on that host.
    """

    def save_user(self, request, user, form, commit=True):
        """Save the new user and give them the trainee role."""
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            user.groups.add(Group.objects.get(name=TRAINEE))
        return user

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        """The link that confirms an email address, at SITE_URL."""
        return site_link(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        """The emailed link that resets a password, at SITE_URL."""
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_link(path.replace("UID-KEY", quote(key)))

    def send_account_already_exists_mail(self, email: str) -> None:
        """Tell the owner of an address someone tried to sign up with where to reset their password, at SITE_URL."""
        context = {
            "signup_url": site_link(reverse("account_signup")),
            "password_reset_url": site_link(reverse("account_reset_password")),
        }
        self.send_mail("account/email/account_already_exists", email, context)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Send an allauth email whose site name, domain and sign-up link come from settings, not the request."""
        context = {
            **context,
            "current_site": SiteFromSettings(
                name=settings.WAGTAIL_SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc
            ),
        }
        if "signup_url" in context:  # the email to an address with no account (allauth's flow builds it from Host)
            context["signup_url"] = site_link(reverse("account_signup"))
        super().send_mail(template_prefix, email, context)
