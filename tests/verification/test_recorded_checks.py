"""A verifier's check by page is recorded for the holder only when they press the button (a POST with a CSRF token).

Opening a check page is never recorded: a link in an email or on another site could otherwise plant a "checked by"
entry in a holder's list in a verifier's name.
"""

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from certificates.codes import format_code, new_code
from lms.roles import PROGRAMME_ADMIN
from tests.factories import UserFactory
from tests.verification.conftest import make_verifier
from verification.models import Lookup

pytestmark = pytest.mark.django_db

BUTTON = "Record this check for Northfield Health Board"


def csrf_client(user=None) -> Client:
    """A client that checks CSRF tokens as browsers' requests are, signed in as `user` if given."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def record_form(html: str) -> str | None:
    """The form on a check page that records the check, if there is one."""
    match = re.search(r'<form method="post" action="[^"]*" class="record-check">.*?</form>', html, re.S)
    return match[0] if match else None


def test_opening_the_page_records_nothing_even_for_a_verifier(certificate, verifier):
    client = csrf_client(verifier)
    assert client.get(f"/verify/{certificate.display_code}/").status_code == 200
    assert client.head(f"/verify/{certificate.display_code}/").status_code == 200
    assert client.get("/verify/", {"code": certificate.code.lower()}, follow=True).status_code == 200
    assert not Lookup.objects.exists()


def test_the_verifier_records_the_check_with_the_button(certificate, verifier):
    client = csrf_client(verifier)
    url = f"/verify/{certificate.display_code}/"
    html = client.get(url).content.decode()
    form = record_form(html)
    assert form is not None and f'action="{url}"' in form and 'name="csrfmiddlewaretoken"' in form
    assert f'<button type="submit" class="button">{BUTTON}</button>' in form
    assert "Robin Asante will see that Northfield Health Board checked this certificate" in html

    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == url
    (lookup,) = Lookup.objects.all()
    assert (lookup.certificate, lookup.verifier, lookup.organisation_name, lookup.channel) == (
        certificate,
        verifier,
        "Northfield Health Board",
        Lookup.Channel.PAGE,
    )
    html = client.get(url).content.decode()
    assert "Recorded: Robin Asante will see that Northfield Health Board checked this certificate today." in html
    assert Lookup.objects.count() == 1  # showing the page again records nothing more


def test_a_post_without_the_csrf_token_records_nothing(certificate, verifier):
    client = csrf_client(verifier)
    for data in ({}, {"csrfmiddlewaretoken": "forged" * 8}):
        assert client.post(f"/verify/{certificate.display_code}/", data).status_code == 403
    assert not Lookup.objects.exists()


def test_a_verifier_without_an_organisation_is_told_how_holders_see_them(certificate):
    client = csrf_client(make_verifier(organisation=None))
    html = client.get(f"/verify/{certificate.display_code}/").content.decode()
    assert '<button type="submit" class="button">Record this check</button>' in record_form(html)
    assert "Robin Asante will see that your organisation checked this certificate" in html
    assert "Your account isn't linked to an organisation yet" in html


def test_only_verifiers_see_the_button_or_may_record(certificate):
    url = f"/verify/{certificate.display_code}/"
    for user in (None, UserFactory(), UserFactory(roles=[PROGRAMME_ADMIN]), certificate.holder):
        client = csrf_client(user)
        html = client.get(url).content.decode()
        assert record_form(html) is None and "Record this check" not in html
        client.get("/verify/")  # a page with a form sets the CSRF cookie
        token = client.cookies[settings.CSRF_COOKIE_NAME].value
        response = client.post(url, {"csrfmiddlewaretoken": token})
        if user is None:
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code == 403
    assert not Lookup.objects.exists()


def test_recording_an_unknown_or_untidy_code(certificate, verifier):
    client = Client()
    client.force_login(verifier)
    assert client.post(f"/verify/{format_code(new_code())}/").status_code == 404
    untidy = certificate.code.lower()
    assert client.post(f"/verify/{untidy}/")["Location"] == f"/verify/{certificate.display_code}/"
    assert not Lookup.objects.exists()


def test_a_file_check_is_recorded_only_from_our_own_form(certificate, verifier):
    """Anyone may POST a file to check (scripts too), but another site can't plant a check in a verifier's name."""
    client = csrf_client(verifier)
    document = Client().get(f"/credentials/{certificate.code}.json").content  # signed on first fetch
    forged = client.post(
        "/verify/", {"file": SimpleUploadedFile("c.json", document)}, HTTP_ORIGIN="https://evil.example"
    )
    assert forged.status_code == 200 and "genuine and valid" in forged.content.decode()  # answered, as for anyone
    assert not Lookup.objects.exists()  # but nothing recorded in the verifier's name
    client.get("/verify/")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    client.post("/verify/", {"file": SimpleUploadedFile("c.json", document), "csrfmiddlewaretoken": token})
    (lookup,) = Lookup.objects.all()
    assert (lookup.verifier, lookup.channel) == (verifier, Lookup.Channel.FILE)
