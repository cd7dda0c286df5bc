"""URLs for the audit trails."""

urlpatterns = []
