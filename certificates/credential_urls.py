"""URLs of the machine-readable trust documents: credentials, status lists, badges and the issuer's DID document."""

from django.urls import path, register_converter

from certificates import credential_views


class ListNumberConverter:
    """A status list's number in a URL: 1 to 999,999 (a larger number names no list, so the URL is a 404)."""

    regex = "[1-9][0-9]{0,5}"

    def to_python(self, value: str) -> int:
        """The list number as an int."""
        return int(value)

    def to_url(self, value: int) -> str:
        """The list number as digits."""
        return str(value)


register_converter(ListNumberConverter, "listnumber")

urlpatterns = [
    path("credentials/<str:code>.json", credential_views.credential_json, name="credential_json"),
    path("credentials/status/<listnumber:list_number>.json", credential_views.status_list, name="status_list"),
    path(
        "credentials/status/<int:list_number>/<slug:purpose>.json",
        credential_views.legacy_status_list,
        name="legacy_status_list",
    ),
    path("credentials/badges/<slug:abbreviation>.svg", credential_views.badge_svg_view, name="badge_svg"),
    path("credentials/badges/<slug:abbreviation>.png", credential_views.badge_png_view, name="badge_png"),
    path(".well-known/did.json", credential_views.did_json, name="did_json"),
]
