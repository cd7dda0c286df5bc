"""URLs for a certificate's page, its PDFs and its signed credential, and the public certification pages."""

from django.urls import path, register_converter

import lms.ids  # noqa: F401 (registers the <id:…> path converter the URLs below use)
from certificates import programme_views, views


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
    path("certification/", programme_views.certification, name="certification"),
    path("certification/<slug:abbreviation>/", programme_views.certification_programme, name="certification_programme"),
    path("certificates/<id:pk>/", views.certificate_detail, name="certificate_detail"),
    path("certificates/<id:pk>/certificate-<paper:paper>.pdf", views.certificate_download, name="certificate_download"),
    path(
        "certificates/<id:pk>/credential.json",
        views.certificate_credential_download,
        name="certificate_credential_download",
    ),
]
