"""URLs for a certificate's page, its PDFs and its signed credential."""

from django.urls import path, register_converter

import lms.ids  # noqa: F401 (registers the <id:…> path converter the URLs below use)
from certificates import views


class PaperConverter:
    """A paper size in a download URL: a4 or letter."""

    regex = "a4|letter"

    def to_python(self, value: str) -> str:
        """The paper size as given."""
        return value

    def to_url(self, value: str) -> str:
        """The paper size as given."""
        return value


register_converter(PaperConverter, "paper")

urlpatterns = [
    path("certificates/<id:pk>/", views.certificate_detail, name="certificate_detail"),
    path("certificates/<id:pk>/certificate-<paper:paper>.pdf", views.certificate_download, name="certificate_download"),
    path(
        "certificates/<id:pk>/credential.json",
        views.certificate_credential_download,
        name="certificate_credential_download",
    ),
]
