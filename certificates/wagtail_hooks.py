"""Wagtail admin: programmes to define, certificates and ethics attestations to read, and certificate actions."""

from django.db.models import Count
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.widgets import Button
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

import lms.ids  # noqa: F401 (registers the <id:…> path converter the URLs below use)
from certificates.admin_views import (
    CertificateInspectView,
    CertificateReinstateView,
    CertificateReissueView,
    CertificateRenderRetryView,
    CertificateRevokeView,
    CertificateSuspendView,
    action_buttons,
    is_programme_admin,
)
from certificates.admin_zip import ProgrammeCertificatesZipView
from certificates.models import Certificate, EthicsAttestation, Programme
from lms.admin_people import PeopleByNameInspectView, person_column
from lms.admin_policies import ReadOnlyPolicy
from lms.security import admin_csp_script

# Certificates and attestations change only through the certificate services, which check the rules,
# email the holder and keep the history; nobody (superusers included) adds, edits or deletes them here.
register_permission_policy(Certificate, ReadOnlyPolicy(Certificate))
register_permission_policy(EthicsAttestation, ReadOnlyPolicy(EthicsAttestation))


class ProgrammeViewSet(SnippetViewSet):
    """Certification programmes and their requirements, defined by programme admins."""

    model = Programme
    icon = "list-ul"
    menu_label = "Programmes"
    list_display = [
        "name",
        "abbreviation",
        BooleanColumn("is_active", label="Active", sort_key="is_active"),
        Column("certificate_count", label="Certificates", sort_key="certificate_count"),
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "abbreviation"]

    def get_queryset(self, request):
        """Count each programme's certificates."""
        return Programme.objects.annotate(certificate_count=Count("certificates"))


class CertificateViewSet(SnippetViewSet):
    """Issued certificates, read-only: they change through the Suspend, Revoke, Reissue… pages."""

    model = Certificate
    icon = "doc-full"
    menu_label = "Certificates"
    list_display = [
        "number",
        "holder_name",
        "programme",
        Column("status_label", label="Status"),
        "issued_on",
        "expires_on",
        "rendering",
    ]
    list_filter = ["programme", "state", "rendering", "issued_on"]
    search_fields = ["number", "holder_name"]
    inspect_view_enabled = True
    inspect_view_class = CertificateInspectView
    inspect_template_name = "certificates/admin/certificate_inspect.html"

    def get_queryset(self, request):
        """Join the programme."""
        return Certificate.objects.select_related("programme")


class EthicsAttestationViewSet(SnippetViewSet):
    """Signed ethics attestations, read-only."""

    model = EthicsAttestation
    icon = "clipboard-list"
    menu_label = "Ethics attestations"
    list_display = ["signed_name", person_column("user", EthicsAttestation), "programme", "signed_at"]
    list_filter = ["programme", "signed_at"]
    search_fields = ["signed_name"]
    inspect_view_enabled = True
    inspect_view_class = PeopleByNameInspectView
    inspect_view_fields = ["signed_name", "user", "programme", "signed_at", "statement"]

    def get_queryset(self, request):
        """Join the person and the programme."""
        return EthicsAttestation.objects.select_related("user", "programme")


class CertificatesGroup(SnippetViewSetGroup):
    """The Certificates menu."""

    menu_label = "Certificates"
    menu_icon = "doc-full-inverse"
    menu_order = 330
    items = (ProgrammeViewSet, CertificateViewSet, EthicsAttestationViewSet)


register_snippet(CertificatesGroup)


@hooks.register("register_admin_urls")
def certificates_admin_urls():
    """Mount the certificate actions under /admin/certificates/<id>/… and the ZIP download beside them."""
    return [
        path(
            "certificates/<id:certificate_id>/suspend/",
            CertificateSuspendView.as_view(),
            name="certificates_admin_suspend",
        ),
        path(
            "certificates/<id:certificate_id>/reinstate/",
            CertificateReinstateView.as_view(),
            name="certificates_admin_reinstate",
        ),
        path(
            "certificates/<id:certificate_id>/revoke/",
            CertificateRevokeView.as_view(),
            name="certificates_admin_revoke",
        ),
        path(
            "certificates/<id:certificate_id>/reissue/",
            CertificateReissueView.as_view(),
            name="certificates_admin_reissue",
        ),
        path(
            "certificates/<id:certificate_id>/render/",
            CertificateRenderRetryView.as_view(),
            name="certificates_admin_render_retry",
        ),
        path(
            "certificates/programmes/<id:programme_id>/download/",
            ProgrammeCertificatesZipView.as_view(),
            name="certificates_admin_programme_zip",
        ),
    ]


@hooks.register("register_snippet_listing_buttons")
def certificate_listing_buttons(snippet, user, next_url=None):
    """Offer the status actions that apply to a certificate, and a programme's PDFs as a ZIP, to programme admins."""
    if isinstance(snippet, Certificate):
        yield from action_buttons(snippet, user)
    elif isinstance(snippet, Programme) and is_programme_admin(user):
        yield Button(
            "Download certificates (ZIP)",
            reverse("certificates_admin_programme_zip", args=[snippet.pk]),
            icon_name="download",
            priority=40,
        )


# Site-wide, not about certificates: the project package (lms) isn't an installed app, so its one hook lives here.
hooks.register("insert_global_admin_js", admin_csp_script)
