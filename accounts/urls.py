"""URLs for correcting one's own name, and for invitations to staff roles."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("my-data/name/", views.name_change, name="name_change"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
    path("invitations/accept/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]
