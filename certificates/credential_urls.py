"""URLs of the machine-readable trust documents: credentials, status lists and the issuer's DID document."""

from django.urls import path

from certificates import credential_views

urlpatterns = [
    path("credentials/<str:code>.json", credential_views.credential_json, name="credential_json"),
    path(
        "credentials/status/<int:list_number>/<slug:purpose>.json",
        credential_views.status_list,
        name="status_list",
    ),
    path(".well-known/did.json", credential_views.did_json, name="did_json"),
]
