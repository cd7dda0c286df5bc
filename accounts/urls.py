"""URLs for invitations to staff roles."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
    path("invitations/accept/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]
