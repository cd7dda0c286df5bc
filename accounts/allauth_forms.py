"""allauth's account and two-factor forms in the site's words: plain labels, and no placeholder standing in for one."""

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms

LABELS = {
    "login": "Username or email address",
    "remember": "Keep me logged in on this device",
    "email": "Email address",
    "password2": "Type the password again",
    "oldpassword": "Your current password",
    "password1": "Password",
}
CODE_HELP = "The 6-digit code your authenticator app shows now, or one of your recovery codes."


class PlainLabels:
    """Relabel allauth's fields from LABELS and drop their placeholders, which only repeat the label."""

    labels = LABELS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            if name in self.labels:
                field.label = self.labels[name]


class LoginForm(PlainLabels, account_forms.LoginForm):
    """Log in by username or email address."""


class SignupForm(PlainLabels, account_forms.SignupForm):
    """Sign up: the name for the certificate (accounts.forms.SignupNameForm), then email, username and password."""


class AddEmailForm(PlainLabels, account_forms.AddEmailForm):
    """Add another email address."""


class ChangePasswordForm(PlainLabels, account_forms.ChangePasswordForm):
    """Change a password, knowing the current one."""

    labels = {**LABELS, "password1": "New password", "password2": "Type the new password again"}


class SetPasswordForm(PlainLabels, account_forms.SetPasswordForm):
    """Choose a first password."""


class ResetPasswordForm(PlainLabels, account_forms.ResetPasswordForm):
    """Ask for a password reset link."""


class ResetPasswordKeyForm(PlainLabels, account_forms.ResetPasswordKeyForm):
    """Choose a new password from a reset link."""

    labels = {**LABELS, "password1": "New password", "password2": "Type the new password again"}


class ReauthenticateForm(PlainLabels, account_forms.ReauthenticateForm):
    """Type one's password again before a sensitive change."""

    labels = {"password": "Your password"}


class CodeWithHelp(PlainLabels):
    """The code box of the two-factor forms, saying which codes it takes."""

    labels = {"code": "Code"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = CODE_HELP


class AuthenticateForm(CodeWithHelp, mfa_forms.AuthenticateForm):
    """The second step of logging in: a code from the app, or a recovery code."""


class MfaReauthenticateForm(CodeWithHelp, mfa_forms.ReauthenticateForm):
    """A code again before a sensitive change."""


class ActivateTOTPForm(PlainLabels, totp_forms.ActivateTOTPForm):
    """Turn on the authenticator app by typing its first code."""

    labels = {"code": "6-digit code from the app"}
