"""What the accounts app holds about a person, for their data export: the account, invitations, two-factor
authentication and the Wagtail admin.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.base_user import AbstractBaseUser
from wagtail.models import APIToken as WagtailAPIToken
from wagtail.users.models import UserProfile

from accounts.models import Invitation, NameChange
from accounts.selectors import invitations_to
from lms.personal_data import ExportSection, People, export_section_register, not_exported_register


def read_account(user: AbstractBaseUser, people: People) -> dict:
    """The account: names, email addresses, dates, roles and permissions; never the password."""
    return {
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "joined": user.date_joined,
        "last_signed_in": user.last_login,
        "active": user.is_active,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "extra_permissions": sorted(user.user_permissions.values_list("codename", flat=True)),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        "name_corrections": [
            {"when": change.changed_at, "from": change.old_name, "to": change.new_name}
            for change in NameChange.objects.filter(user=user).order_by("changed_at", "pk")
        ],
    }


def read_invitations(user: AbstractBaseUser, people: People) -> dict:
    """Invitations the person received, and those they sent without the invitees' addresses."""
    sent = Invitation.objects.filter(invited_by=user).order_by("created_at", "pk")
    return {
        "received": [
            {
                "email": invitation.email,
                "role": invitation.get_role_display(),
                "organisation": invitation.organisation_name,
                "invited_by": people.who(invitation.invited_by_id),
                "sent_at": invitation.created_at,
                "expires_at": invitation.expires_at,
                "accepted_at": invitation.accepted_at,
                "status": invitation.status_label,
            }
            for invitation in invitations_to(user).order_by("created_at", "pk")
        ],
        "sent": [
            {"role": invitation.get_role_display(), "sent_at": invitation.created_at, "status": invitation.status_label}
            for invitation in sent
        ],
        "note": "Invitations you sent are listed without the invitees' email addresses.",
    }


def read_two_factor(user: AbstractBaseUser, people: People) -> dict:
    """Whether two-factor authentication is on and with which methods; never their secrets."""
    methods = [
        {"type": method.get_type_display(), "added": method.created_at, "last_used": method.last_used_at}
        for method in Authenticator.objects.filter(user=user).only("type", "created_at", "last_used_at", "user_id")
    ]
    return {"enabled": bool(methods), "methods": methods, "note": "The secrets behind these are never exported."}


def read_site_admin(user: AbstractBaseUser, people: People) -> dict:
    """As an editor: Wagtail admin preferences and Wagtail API tokens, without their hashes."""
    profile = UserProfile.objects.filter(user=user).first()
    preferences = None
    if profile is not None:
        preferences = {
            f.name: getattr(profile, f.name)
            for f in UserProfile._meta.concrete_fields
            if f.name not in {"id", "user", "avatar"}
        }
        preferences["has_avatar"] = bool(profile.avatar)
    tokens = WagtailAPIToken.objects.filter(user=user).only("name", "prefix", "created", "last_used_at", "revoked_at")
    return {
        "admin_preferences": preferences,
        "admin_api_tokens": [
            {
                "name": token.name,
                "starts_with": token.prefix,
                "created_at": token.created,
                "last_used_at": token.last_used_at,
                "revoked_at": token.revoked_at,
            }
            for token in tokens
        ],
    }


def personal_data_register() -> None:
    """Tell the export which sections the accounts app gives and which models it leaves out."""
    export_section_register(
        ExportSection(
            "account",
            (
                "auth.User",
                "auth.User_groups",
                "auth.User_user_permissions",
                "account.EmailAddress",
                "accounts.NameChange",
            ),
            read_account,
        )
    )
    export_section_register(ExportSection("invitations", ("accounts.Invitation",), read_invitations))
    export_section_register(ExportSection("two_factor_authentication", ("mfa.Authenticator",), read_two_factor))
    export_section_register(
        ExportSection("site_admin", ("wagtailusers.UserProfile", "wagtailcore.APIToken"), read_site_admin)
    )
    not_exported_register(
        {
            "accounts.HistoricalInvitation": "Earlier states of the invitations under 'invitations' (sent, accepted, "
            "revoked); they hold the link's fingerprint, which is never exported.",
        }
    )
