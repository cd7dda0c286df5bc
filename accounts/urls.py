"""URLs for invitations to staff roles."""

urlpatterns = []
