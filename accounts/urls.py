"""URLs for correcting one's own name, and for invitations to staff roles."""

from django.urls import path

import lms.ids  # noqa: F401 (registers the <id:…> path converter the URLs below use)
from accounts import views

urlpatterns = [
    path("my-data/name/", views.name_change, name="name_change"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<id:pk>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
    path("invitations/accept/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]
