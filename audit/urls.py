"""URLs for the audit trails."""

from django.urls import path

import lms.ids  # noqa: F401 (registers the <id:…> path converter the URLs below use)
from audit import views

urlpatterns = [
    path("audit/", views.search, name="audit_search"),
    path("audit/trainees/<id:user_id>/", views.trainee_trail, name="audit_trainee"),
    path("audit/certificates/<id:pk>/", views.certificate_trail, name="audit_certificate"),
]
