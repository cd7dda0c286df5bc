"""The project URLconf: /healthz and the verification API first (the hot paths), app URLs, Wagtail's pages last."""

from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lms import views
from verification.api import api as verification_api

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # The verification API next: nothing below starts with api/, and a lookup is resolved without walking them.
    path("api/v1/", verification_api.urls),
    re_path(r"^api/(?P<rest>.*)$", views.api_not_found, name="api_not_found"),
    # One way to sign in: the site's login (allauth), which asks supervisors and admins for their second factor.
    path("admin/login/", views.sign_in_through_the_site, name="admin_login_elsewhere"),
    path("django-admin/login/", views.sign_in_through_the_site, name="django_admin_login_elsewhere"),
    path("_util/login/", views.sign_in_through_the_site, name="page_privacy_login_elsewhere"),
    path("admin/logout/", views.admin_sign_out, name="admin_sign_out"),  # POST with a CSRF token only
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("", include("dashboard.urls")),
    path("", include("courses.urls")),
    path("", include("practice.urls")),
    path("", include("certificates.urls")),
    path("", include("verification.urls")),
    path("", include("accounts.urls")),
    path("", include("privacy.urls")),
    path("", include("audit.urls")),
    path("", include("certificates.credential_urls")),
]

# Always routed, so the URLconf is the same whatever DEBUG was when it loaded; it serves files only under DEBUG.
urlpatterns.append(re_path(r"^media/(?P<path>.*)$", views.media_in_development, name="media_in_development"))
urlpatterns.append(path("", include(wagtail_urls)))

handler500 = "lms.views.server_error"
