"""Wagtail admin: the programme overview panel on the admin home, and its four reports under Reports."""

from django.urls import path
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from certificates.eligibility import hours_text
from lms.access import role_required
from lms.names import display_name
from lms.roles import PROGRAMME_ADMIN, has_role
from overview.admin_views import ReportView
from overview.reports import EXPIRING, HOURS_WAITING, NEAR_ELIGIBILITY, REPORTS, WITHOUT_SUPERVISOR
from overview.selectors import EXPIRY_DAYS, NEAR_SHARE_PERCENT, overview_summary


class OverviewPanel(Component):
    """The admin home's summary for programme admins: what is waiting, who needs a supervisor, what expires soon."""

    name = "programme_overview"
    order = 50
    template_name = "overview/admin/panel.html"

    def get_context_data(self, parent_context):
        """The figures and where each one's full list lives."""
        summary = overview_summary(on=timezone.localdate())
        return {
            "summary": summary,
            "waiting_hours": hours_text(summary.waiting.minutes),
            "top_supervisors": [
                (display_name(supervisor), hours_text(supervisor.waiting_minutes))
                for supervisor in summary.top_supervisors
            ],
            "hours_waiting": HOURS_WAITING,
            "without_supervisor": WITHOUT_SUPERVISOR,
            "expiring": EXPIRING,
            "near_eligibility": NEAR_ELIGIBILITY,
            "expiry_days": EXPIRY_DAYS,
            "near_share": NEAR_SHARE_PERCENT,
        }


@hooks.register("construct_homepage_panels")
def add_overview_panel(request, panels):
    """Add the overview to the admin home (its order puts it first), for programme admins only."""
    if has_role(request.user, PROGRAMME_ADMIN):
        panels.append(OverviewPanel())


@hooks.register("register_admin_urls")
def overview_urls():
    """Mount the reports under /admin/overview/<report>/ (?export=csv downloads the whole list)."""
    return [
        path(
            f"overview/{report.slug}/",
            role_required(PROGRAMME_ADMIN)(ReportView.as_view(report=report)),
            name=report.url_name,
        )
        for report in REPORTS
    ]


class OverviewMenuItem(MenuItem):
    """A Reports menu entry shown to programme admins only."""

    def is_shown(self, request):
        """Show it to programme admins (superusers count)."""
        return has_role(request.user, PROGRAMME_ADMIN)


def _menu_item(report, order: int) -> OverviewMenuItem:
    return OverviewMenuItem(report.menu_label, report.url, name=report.slug, icon_name=report.icon, order=order)


@hooks.register("register_reports_menu_item")
def hours_waiting_menu_item():
    """Reports › Hours waiting."""
    return _menu_item(HOURS_WAITING, 11)


@hooks.register("register_reports_menu_item")
def without_supervisor_menu_item():
    """Reports › Without a supervisor."""
    return _menu_item(WITHOUT_SUPERVISOR, 12)


@hooks.register("register_reports_menu_item")
def expiring_menu_item():
    """Reports › Expiring certificates."""
    return _menu_item(EXPIRING, 13)


@hooks.register("register_reports_menu_item")
def near_eligibility_menu_item():
    """Reports › Near eligibility."""
    return _menu_item(NEAR_ELIGIBILITY, 14)
