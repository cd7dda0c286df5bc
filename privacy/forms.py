"""The form that confirms closing an account: the current password and a typed confirmation word."""

from django import forms

from privacy.services import CONFIRM_WORD


class AccountCloseForm(forms.Form):
    """The current password, and the confirmation word typed out so nobody closes their account by accident."""

    password = forms.CharField(
        label="Your current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.CharField(
        label=f"Type {CONFIRM_WORD} to confirm",
        max_length=20,
        help_text="Capital or small letters both work. This can't be undone.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )

    def clean_confirm(self):
        """Accept the confirmation word in any case, with spaces around it."""
        typed = self.cleaned_data["confirm"].strip()
        if typed.upper() != CONFIRM_WORD:
            raise forms.ValidationError(f"Type the word {CONFIRM_WORD} to confirm that you want to close your account.")
        return typed
