"""Forms for accounts: the name asked at sign-up and corrected later, an invitation, and the invitee's new account."""

from django import forms

from accounts.models import Invitation
from accounts.services import NAME_MAX_LENGTH, AccountError, full_name_check, person_name_tidy, user_name_set
from verification.models import VerifierProfile


class PersonNameForm(forms.Form):
    """First and last name, tidied and checked by the same rules as the accounts services keep them."""

    first_name = forms.CharField(
        label="First name",
        max_length=NAME_MAX_LENGTH,
        help_text="Your name is printed on your certificate exactly as you type it here. Add any middle names "
        "you want printed.",
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={
            "required": "Tell us your first name, as it should appear on your certificate.",
            "max_length": f"Keep your first name to {NAME_MAX_LENGTH} characters or fewer.",
        },
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=NAME_MAX_LENGTH,
        help_text="You can correct your name later under Your data, linked at the foot of every page.",
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={
            "required": "Tell us your last name, as it should appear on your certificate.",
            "max_length": f"Keep your last name to {NAME_MAX_LENGTH} characters or fewer.",
        },
    )

    def clean_first_name(self) -> str:
        """The first name, tidied as the service keeps it."""
        return self._tidy("first_name", part="first")

    def clean_last_name(self) -> str:
        """The last name, tidied as the service keeps it."""
        return self._tidy("last_name", part="last")

    def clean(self) -> dict:
        """Both names, checked together: the whole name must fit on the certificate."""
        cleaned = super().clean()
        if cleaned.get("first_name") and cleaned.get("last_name"):
            try:
                full_name_check(cleaned["first_name"], cleaned["last_name"])
            except AccountError as error:
                self.add_error("last_name", forms.ValidationError(error.message, code=error.code))
        return cleaned

    def _tidy(self, field: str, *, part: str) -> str:
        try:
            return person_name_tidy(self.cleaned_data[field], part=part)
        except AccountError as error:
            raise forms.ValidationError(error.message, code=error.code) from None


class SignupNameForm(PersonNameForm):
    """The name to print on the certificate, asked at sign-up; allauth adds email, username and passwords to it."""

    # allauth's sign-up form inherits this class (ACCOUNT_SIGNUP_FORM_CLASS), so the order covers its fields too.
    field_order = ["first_name", "last_name", "email", "username", "password1", "password2"]

    def signup(self, request, user) -> None:
        """Save the name on the new account (allauth calls this once the account exists)."""
        user_name_set(user=user, first_name=self.cleaned_data["first_name"], last_name=self.cleaned_data["last_name"])


class NameChangeForm(PersonNameForm):
    """A signed-in person's own first and last name, started from the name they have now."""

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {"first_name": user.first_name, "last_name": user.last_name})
        super().__init__(*args, **kwargs)
        self.fields["first_name"].help_text = "Add any middle names you want printed on your certificates."
        self.fields["last_name"].help_text = ""


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
