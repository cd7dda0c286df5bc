"""The overview's report pages in the Wagtail admin, for programme admins: a paginated table, or the CSV."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from overview.reports import Report

PAGE_SIZE = 50


def csv_response(report: Report, *, on) -> HttpResponse:
    """The report's whole list as a CSV download."""
    response = HttpResponse(report.csv(on=on), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report.csv_filename(on=on)}"'
    return response


class ReportView(WagtailAdminTemplateMixin, TemplateView):
    """One overview report: a page of its table, or (?export=csv) the whole list as CSV."""

    report: Report = None
    template_name = "overview/admin/report.html"
    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        """Show a page of the table, or download the whole list."""
        on = timezone.localdate()
        if request.GET.get("export") == "csv":
            return csv_response(self.report, on=on)
        page = Paginator(self.report.rows(on), PAGE_SIZE).get_page(request.GET.get("p"))
        rows = [self.report.cells(row, on) for row in page.object_list]
        return self.render_to_response(self.get_context_data(report=self.report, page=page, rows=rows))

    def get_page_title(self):
        """The report's title."""
        return self.report.title

    def get_header_icon(self):
        """The report's icon."""
        return self.report.icon

    def get_breadcrumbs_items(self):
        """Home › this report."""
        return [*self.breadcrumbs_items, {"url": "", "label": self.report.title}]
