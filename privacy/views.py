"""Views for a person's own data: what the site holds, downloading it, and closing the account."""

from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from lms.access import public, signed_in
from lms.responses import personal_page
from privacy.closure_preview import account_closure
from privacy.export import data_export_zip
from privacy.forms import AccountCloseForm
from privacy.retention import RETENTION_YEARS
from privacy.services import PrivacyError, account_close


@signed_in
@require_safe
def my_data(request):
    """What the site holds about the person, the button to download it and the way to close the account."""
    return personal_page(render(request, "privacy/my_data.html", {"retention_years": RETENTION_YEARS}))


@signed_in
@require_safe
def my_data_export(request):
    """Everything the site holds about the signed-in person, as a ZIP of data.json and their certificate files."""
    filename, mimetype, content = data_export_zip(user=request.user)
    response = HttpResponse(content, content_type=mimetype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return personal_page(response)


@signed_in
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def close_account(request):
    """Explain exactly what closing does; with the password and the typed word, close the account and sign out."""
    closure = account_closure(user=request.user)
    form = AccountCloseForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                account_close(user=request.user, password=form.cleaned_data["password"])
            except PrivacyError as error:
                form.add_error(
                    "password" if error.code in ("wrong_password", "too_many_attempts") else None, error.message
                )
            else:
                logout(request)
                return redirect("account_closed")
        status = 400
    context = {"closure": closure, "form": form, "retention_years": RETENTION_YEARS}
    return personal_page(render(request, "privacy/close_account.html", context, status=status))


@public
@require_safe
def account_closed(request):
    """The page after closing: the account is closed and the person is signed out."""
    return personal_page(render(request, "privacy/account_closed.html", {"retention_years": RETENTION_YEARS}))
