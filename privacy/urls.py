"""URLs for downloading one's data and closing one's account."""

urlpatterns = []
