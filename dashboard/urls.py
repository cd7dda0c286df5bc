"""URLs for the trainee dashboard and signing a programme's code of ethics from it."""

from django.urls import path

import lms.ids  # noqa: F401 (registers the <id:…> path converter the URLs below use)
from dashboard import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("certificates/programmes/<id:programme_id>/ethics/", views.ethics_sign, name="ethics_sign"),
]
