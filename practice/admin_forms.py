"""The admin form for supervisor assignments: who, where and when stay true to the entries logged under them."""

from django.db.models import Max, Min
from wagtail.admin.forms import WagtailAdminModelForm

from practice.models import PracticeEntry

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
