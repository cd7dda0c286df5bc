"""URLs for the audit trails."""

from django.urls import path

from audit import views

urlpatterns = [
    path("audit/", views.search, name="audit_search"),
    path("audit/trainees/<int:user_id>/", views.trainee_trail, name="audit_trainee"),
    path("audit/certificates/<int:pk>/", views.certificate_trail, name="audit_certificate"),
]
