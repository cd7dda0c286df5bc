"""The admin form for supervisor assignments: who, where and when stay true to the entries logged under them."""

from django import forms
from django.db.models import Max, Min
from django.utils import timezone
from wagtail.admin.forms import WagtailAdminModelForm

from lms.names import display_name
from lms.roles import SUPERVISOR, role_holders
from practice.models import Organisation, PracticeEntry

FIXED_ONCE_USED = ("trainee", "supervisor", "organisation")


class SupervisorAssignmentForm(WagtailAdminModelForm):
    """Refuse inactive placements, and changes that would move logged entries to another person, place or period."""

    def clean(self):
        """Check the placement is active and that existing entries stay inside the assignment."""
        data = super().clean()
        instance = self.instance
        organisation = data.get("organisation")
        if organisation and not organisation.is_active and organisation.pk != instance.organisation_id:
            self.add_error("organisation", "This placement is inactive, so it can't take new assignments.")
        if not instance.pk:
            return data
        span = PracticeEntry.objects.filter(assignment=instance).aggregate(
            first=Min("performed_on"), last=Max("performed_on")
        )
        if span["first"] is None:
            return data
        for name in FIXED_ONCE_USED:
            chosen = data.get(name)
            if chosen is not None and chosen.pk != getattr(instance, f"{name}_id"):
                self.add_error(
                    name,
                    "Hours have been logged under this assignment, so this can't change. "
                    "End this assignment and add a new one instead.",
                )
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and starts > span["first"]:
            self.add_error("starts_on", f"Hours are logged from {span['first']:%-d %b %Y}; start on or before it.")
        if ends and ends < span["last"]:
            self.add_error("ends_on", f"Hours are logged up to {span['last']:%-d %b %Y}; end on or after it.")
        return data


class SupervisorChoiceField(forms.ModelChoiceField):
    """Supervisors shown with their name and email, so two people of one name can be told apart."""

    def label_from_instance(self, obj) -> str:
        """E.g. 'Sam Lee (sam@example.org)'."""
        return f"{display_name(obj)} ({obj.email or 'no email on record'})"


class SupervisorRequestAssignForm(forms.Form):
    """A programme admin's answer to a request: which supervisor, at which placement, from when."""

    supervisor = SupervisorChoiceField(
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose a supervisor. Search above if they aren't listed."},
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
        label="Placement",
        empty_label="A new one (name it below)",
    )
    new_organisation_name = forms.CharField(
        required=False, max_length=200, label="New placement's name", help_text="Only if it isn't in the list."
    )
    starts_on = forms.DateField(label="Starts on", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, supervisors: list, **kwargs):
        """List the supervisors the search found; accept any active supervisor posted."""
        super().__init__(*args, **kwargs)
        field = self.fields["supervisor"]
        field.queryset = role_holders(SUPERVISOR)
        field.choices = [(person.pk, field.label_from_instance(person)) for person in supervisors]
        self.fields["starts_on"].initial = timezone.localdate()

    def clean(self):
        """A placement from the list, or a new one's name."""
        data = super().clean()
        if not data.get("organisation") and not (data.get("new_organisation_name") or "").strip():
            self.add_error("new_organisation_name", "Choose the placement, or type the name of a new one.")
        return data


class SupervisorRequestCloseForm(forms.Form):
    """Close a request without assigning anyone, saying why."""

    note = forms.CharField(
        max_length=500,
        label="Why close it?",
        help_text="The trainee is emailed this, e.g. “A duplicate of your other request; we're on it there.”",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
