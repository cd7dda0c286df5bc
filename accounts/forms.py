"""Forms for invitations: a programme admin's invitation, and the invitee's new account."""

from django import forms

from accounts.models import Invitation
from verification.models import VerifierProfile


class InvitationForm(forms.Form):
    """Who to invite, and to which role."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We'll send the invitation here. The link in it works once, for 7 days.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the email address to send the invitation to.",
            "invalid": "Enter a valid email address, like name@example.org.",
        },
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Invitation.Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the role they'll have."},
    )
    organisation_name = forms.CharField(
        label="Organisation (verifiers only)",
        max_length=200,
        required=False,
        help_text="The employer or board this verifier checks certificates for. Holders see this name.",
    )
    organisation_kind = forms.ChoiceField(
        label="Kind of organisation (verifiers only)",
        choices=VerifierProfile.Kind.choices,
        initial=VerifierProfile.Kind.EMPLOYER,
        required=False,
    )


class AcceptInvitationForm(forms.Form):
    """The invitee's name, username and password; the service checks them against the site's rules."""

    first_name = forms.CharField(
        label="First name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": "Tell us your first name."},
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        required=False,
        help_text="Leave this empty if you go by one name.",
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="You'll log in with this or your email address. Letters, digits and @ . + - _ only.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
        error_messages={"required": "Choose a username."},
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        help_text="At least 8 characters, not all digits, and not a common password. A short phrase works well.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Choose a password."},
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the password again, to be sure it's what you meant."},
    )

    def clean(self):
        """The two passwords must match."""
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords don't match. Please type them again.")
        return cleaned
