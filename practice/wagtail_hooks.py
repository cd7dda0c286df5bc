"""Wagtail admin: placements, supervisor profiles and assignments; entries and batches to read; reopening."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.widgets import ListingButton
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

import lms.ids  # noqa: F401 (registers the <id:…> path converter the URLs below use)
from lms.admin_people import PeopleByNameInspectView, person_column
from lms.admin_policies import ReadOnlyPolicy
from lms.roles import PROGRAMME_ADMIN, has_role
from practice.admin_forms import SupervisorAssignmentForm
from practice.admin_views import REOPEN, EntryReopenView, SupervisorRequestAssignView, SupervisorRequestListView
from practice.models import (
    Batch,
    Organisation,
    PracticeEntry,
    SupervisionSession,
    SupervisorAssignment,
    SupervisorProfile,
)

register_permission_policy(PracticeEntry, ReadOnlyPolicy(PracticeEntry))
register_permission_policy(SupervisionSession, ReadOnlyPolicy(SupervisionSession), exact_class=True)
register_permission_policy(Batch, ReadOnlyPolicy(Batch))


class OrganisationViewSet(SnippetViewSet):
    """Placements."""

    model = Organisation
    icon = "site"
    menu_label = "Organisations"
    list_display = ["name", "location", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "location"]


class SupervisorProfileViewSet(SnippetViewSet):
    """Supervisors' qualifications."""

    model = SupervisorProfile
    icon = "user"
    menu_label = "Supervisor profiles"
    list_display = ["supervisor_name", "qualification", "credential_number", "jurisdiction"]
    list_filter = ["jurisdiction"]
    search_fields = ["qualification", "credential_number", "jurisdiction"]

    def get_queryset(self, request):
        """Join the supervisor."""
        return SupervisorProfile.objects.select_related("user")


class SupervisorAssignmentViewSet(SnippetViewSet):
    """Who supervises whom, where, and when."""

    model = SupervisorAssignment
    icon = "group"
    menu_label = "Assignments"
    list_display = [
        "trainee_name",
        person_column("supervisor", SupervisorAssignment),
        "organisation",
        "starts_on",
        "ends_on",
    ]
    list_filter = ["organisation", "starts_on"]
    edit_handler = ObjectList(
        [FieldPanel(name) for name in ("trainee", "supervisor", "organisation", "starts_on", "ends_on")],
        base_form_class=SupervisorAssignmentForm,
    )

    def get_queryset(self, request):
        """Join the people and the organisation."""
        return SupervisorAssignment.objects.select_related("trainee", "supervisor", "organisation")


class PracticeEntryViewSet(SnippetViewSet):
    """Practice entries, read-only: they change through the trainee's and supervisor's pages."""

    model = PracticeEntry
    icon = "time"
    menu_label = "Practice entries"
    list_display = [
        "trainee_name",
        "performed_on",
        "hours",
        "activity_type",
        "contact",
        "status",
        "assignment",
    ]
    list_filter = ["status", "activity_type", "contact", "setting", "assignment__organisation", "performed_on"]
    inspect_view_enabled = True
    inspect_view_class = PeopleByNameInspectView
    inspect_view_fields = [
        "trainee",
        "assignment",
        "performed_on",
        "start_time",
        "minutes",
        "activity_type",
        "contact",
        "domains",
        "setting",
        "delivery",
        "reflection",
        "status",
        "return_comment",
        "attestation",
        "batch",
    ]

    def get_queryset(self, request):
        """Practice only, with what the list shows joined."""
        return PracticeEntry.objects.filter(kind=PracticeEntry.Kind.PRACTICE).select_related(
            "trainee", "assignment__organisation", "assignment__supervisor"
        )


class SupervisionSessionViewSet(SnippetViewSet):
    """Supervision sessions, read-only."""

    model = SupervisionSession
    icon = "group"
    menu_label = "Supervision sessions"
    list_display = [
        "trainee_name",
        "performed_on",
        "hours",
        "session_format",
        "delivery",
        "status",
        "assignment",
    ]
    list_filter = ["status", "session_format", "delivery", "assignment__organisation", "performed_on"]
    inspect_view_enabled = True
    inspect_view_class = PeopleByNameInspectView
    inspect_view_fields = [
        "trainee",
        "assignment",
        "performed_on",
        "start_time",
        "minutes",
        "session_format",
        "delivery",
        "topics",
        "status",
        "return_comment",
        "attestation",
        "batch",
    ]

    def get_queryset(self, request):
        """Join what the list shows."""
        return SupervisionSession.objects.select_related(
            "trainee", "assignment__organisation", "assignment__supervisor"
        )


class BatchViewSet(SnippetViewSet):
    """Review batches, read-only."""

    model = Batch
    icon = "tasks"
    menu_label = "Review batches"
    list_display = ["trainee_name", "assignment", "submitted_at", "status"]
    list_filter = ["status", "assignment__organisation", "submitted_at"]
    inspect_view_enabled = True
    inspect_view_class = PeopleByNameInspectView

    def get_queryset(self, request):
        """Join what the list shows."""
        return Batch.objects.select_related("trainee", "assignment__organisation", "assignment__supervisor")


class PracticeGroup(SnippetViewSetGroup):
    """The Practice menu."""

    menu_label = "Practice"
    menu_icon = "time"
    menu_order = 320
    items = (
        OrganisationViewSet,
        SupervisorAssignmentViewSet,
        SupervisorProfileViewSet,
        PracticeEntryViewSet,
        SupervisionSessionViewSet,
        BatchViewSet,
    )


register_snippet(PracticeGroup)


@hooks.register("register_admin_urls")
def practice_admin_urls():
    """Mount the reopen form and the supervisor requests under /admin/practice/."""
    return [
        path("practice/entries/<id:entry_id>/reopen/", EntryReopenView.as_view(), name="practice_entry_reopen"),
        path("practice/supervisor-requests/", SupervisorRequestListView.as_view(), name="practice_supervisor_requests"),
        path(
            "practice/supervisor-requests/<id:request_id>/",
            SupervisorRequestAssignView.as_view(),
            name="practice_supervisor_request_assign",
        ),
    ]


class SupervisorRequestsMenuItem(MenuItem):
    """The Supervisor requests menu entry, shown to programme admins."""

    def is_shown(self, request):
        """Show it to programme admins (and superusers) only."""
        return has_role(request.user, PROGRAMME_ADMIN)


@hooks.register("register_admin_menu_item")
def supervisor_requests_menu_item():
    """Add Supervisor requests to the admin menu."""
    return SupervisorRequestsMenuItem(
        "Supervisor requests",
        reverse("practice_supervisor_requests"),
        name="supervisor-requests",
        icon_name="group",
        order=330,
    )


@hooks.register("register_snippet_listing_buttons")
def reopen_button(snippet, user, next_url=None):
    """Offer 'Reopen' on approved entries to those who may reopen them."""
    if isinstance(snippet, PracticeEntry) and snippet.status == PracticeEntry.Status.APPROVED and user.has_perm(REOPEN):
        yield ListingButton("Reopen", reverse("practice_entry_reopen", args=[snippet.pk]), priority=30)


@hooks.register("register_snippet_listing_buttons")
def audit_trail_button(snippet, user, next_url=None):
    """Offer the trainee's audit trail on their entries, batches and assignments, to programme admins."""
    if isinstance(snippet, PracticeEntry | Batch | SupervisorAssignment) and has_role(user, PROGRAMME_ADMIN):
        yield ListingButton("Trainee's audit trail", reverse("audit_trainee", args=[snippet.trainee_id]), priority=40)


@hooks.register("before_delete_snippet")
def keep_domains_with_entries(request, instances):
    """Refuse to delete a competency domain that logged hours are tagged with: approved records must not change."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from content.models import CompetencyDomain

    used = [
        instance
        for instance in instances
        if isinstance(instance, CompetencyDomain) and instance.practice_entries.exists()
    ]
    if not used:
        return None
    names = ", ".join(domain.name for domain in used)
    messages.error(
        request, f"{names} can't be deleted: practice hours are tagged with it, and they are part of trainees' records."
    )
    return redirect("wagtailsnippets_content_competencydomain:list")
