"""URLs for the public certificate check, verifiers' tokens and bulk checks, and a holder's list of checks.

The fixed paths under verify/ come before verify/<code>/, which would otherwise take them for codes.
"""

from django.urls import path

import lms.ids  # noqa: F401 (registers the <id:…> path converter the URLs below use)
from verification import views

urlpatterns = [
    path("verify/", views.verify_form, name="verify"),
    path("verify/bulk/", views.bulk, name="verify_bulk"),
    path("verify/bulk/<uuid:job_id>/", views.bulk_job, name="verify_bulk_job"),
    path("verify/bulk/<uuid:job_id>/status", views.bulk_job_status, name="verify_bulk_job_status"),
    path("verify/bulk/<uuid:job_id>/results.csv", views.bulk_job_results, name="verify_bulk_job_results"),
    path("verify/bulk/<uuid:job_id>/retry/", views.bulk_job_retry_view, name="verify_bulk_job_retry"),
    path("verify/bulk/<uuid:job_id>/delete/", views.bulk_job_delete_view, name="verify_bulk_job_delete"),
    path("verify/tokens/", views.tokens, name="verify_tokens"),
    path("verify/tokens/<id:pk>/revoke/", views.token_revoke, name="verify_token_revoke"),
    path("verify/<str:code>/", views.verify_certificate, name="verify_certificate"),
    path("certificates/<id:pk>/checks/", views.certificate_checks_view, name="certificate_checks"),
]
