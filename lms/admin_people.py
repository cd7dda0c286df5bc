"""People in the Wagtail admin's lists and detail pages by their names, not their usernames."""

from django.contrib.auth import get_user_model
from django.utils.text import capfirst
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import InspectView

from lms.names import display_name


def person_column(field_name: str, model) -> Column:
    """A list column naming the person in `field_name` (their full name; the username only if they have none)."""
    label = capfirst(model._meta.get_field(field_name).verbose_name)
    return Column(field_name, label=label, accessor=lambda row: display_name(getattr(row, field_name)))


class PeopleByNameInspectView(InspectView):
    """A record's detail page that names each person with their full name and email address."""

    def get_field_display_value(self, field_name, field):
        """A person's name and address; any other field as Wagtail shows it."""
        if getattr(field, "related_model", None) is get_user_model() and not field.many_to_many:
            person = getattr(self.object, field_name)
            if person is None:
                return "-"
            return f"{display_name(person)} ({person.email})" if person.email else display_name(person)
        return super().get_field_display_value(field_name, field)
