"""Sharing a certificate: the holder's copy link, LinkedIn link, badge and signed credential download."""

import io
import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from defusedxml import ElementTree
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from jsonschema import Draft201909Validator
from PIL import Image

from certificates.credential_form import MalformedCredential, check_form
from certificates.credentials import credential_document
from certificates.models import Certificate, CertificateCredential, Programme
from certificates.pdf_storage import certificate_credential_sign
from certificates.sharing import badge_lines, linkedin_add_url
from certificates.status_changes import certificate_revoke
from lms.roles import PROGRAMME_ADMIN
from tests.factories import (
    PASSWORD,
    UserFactory,
    approve_programme_hours,
    build_assignment,
    build_programme,
    issued_certificate,
)

pytestmark = pytest.mark.django_db

SCHEMA_FILE = (
    Path(__file__).resolve().parents[2] / "certificates" / "schemas" / "ob_v3p0_achievementcredential_schema.json"
)
SITE = "https://peer.example.org"


@pytest.fixture
def certificate() -> Certificate:
    """A valid certificate held by Amara Okafor."""
    return issued_certificate(first_name="Amara", last_name="Okafor")


def another_holder_s_certificate() -> Certificate:
    """A certificate of the same programme for another trainee."""
    from certificates.services import certificates_check

    assignment = build_assignment()
    approve_programme_hours(assignment)
    (certificate,) = certificates_check(holder=assignment.trainee)
    return certificate


def signed_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def page_html(client, certificate) -> str:
    response = client.get(reverse("certificate_detail", args=[certificate.pk]))
    assert response.status_code == 200
    return response.content.decode()


def linkedin_href(html: str) -> str:
    (href,) = re.findall(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', html)
    return unescape(href)


# The LinkedIn link -------------------------------------------------------------------------------------------


@override_settings(SITE_URL=SITE)
def test_the_linkedin_link_carries_every_documented_parameter_encoded(certificate):
    programme = certificate.programme
    programme.name, programme.issuing_body = "Peer Support & Recovery Coach", "Board of Peer Work, Zürich"
    programme.save()
    certificate.refresh_from_db()
    url = urlsplit(linkedin_add_url(certificate))
    assert (url.scheme, url.netloc, url.path) == ("https", "www.linkedin.com", "/profile/add")
    assert "+" not in url.query and " " not in url.query and "&Recovery" not in url.query  # spaces %20, & escaped
    parameters = parse_qs(url.query, strict_parsing=True)
    assert parameters == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": [f"Peer Support & Recovery Coach ({programme.abbreviation})"],
        "organizationName": ["Board of Peer Work, Zürich"],
        "issueYear": [str(certificate.issued_on.year)],
        "issueMonth": [str(certificate.issued_on.month)],
        "expirationYear": [str(certificate.expires_on.year)],
        "expirationMonth": [str(certificate.expires_on.month)],
        "certId": [certificate.number],
        "certUrl": [f"{SITE}/verify/{certificate.display_code}/"],
    }


# The holder's page -------------------------------------------------------------------------------------------


@override_settings(SITE_URL=SITE)
def test_the_holder_s_page_offers_copy_linkedin_badge_and_wallet(client, certificate):
    html = page_html(signed_in(client, certificate.holder), certificate)
    verify_url = f"{SITE}/verify/{certificate.display_code}/"
    assert re.search(rf'<input id="verify-link"[^>]*value="{re.escape(verify_url)}" readonly', html)
    assert '<label for="verify-link">Verification link</label>' in html
    assert re.search(r'<button type="button"[^>]*id="copy-verify-link"[^>]*hidden>Copy link</button>', html)
    assert 'id="copy-verify-link-status" class="meta copy-status" aria-live="polite"' in html
    assert re.search(r'<script src="/static/js/share_certificate\.[^"]*js" defer></script>', html) or (
        '<script src="/static/js/share_certificate.js" defer></script>' in html
    )
    assert "<script>" not in html  # the site's CSP allows no inline script
    assert parse_qs(urlsplit(linkedin_href(html)).query)["certId"] == [certificate.number]
    assert ">Add to LinkedIn profile</a>" in html
    abbreviation = certificate.programme.abbreviation
    assert f'<img src="/credentials/badges/{abbreviation}.svg" alt="The {certificate.programme.name} badge' in html
    assert f'href="/credentials/badges/{abbreviation}.png" download="{abbreviation}-badge.png"' in html
    download = reverse("certificate_credential_download", args=[certificate.pk])
    assert f'href="{download}">Download signed credential (.json)</a>' in html


def test_a_programme_admin_sees_the_link_but_no_holder_tools(client, certificate):
    html = page_html(signed_in(client, UserFactory(roles=[PROGRAMME_ADMIN])), certificate)
    assert f"/verify/{certificate.display_code}/" in html
    assert "linkedin.com" not in html and "copy-verify-link" not in html and "credential.json" not in html
    assert "share_certificate" not in html


def test_a_revoked_certificate_offers_no_linkedin_link_or_badge(client, certificate):
    certificate_revoke(by=UserFactory(roles=[PROGRAMME_ADMIN]), certificate=certificate, reason="Hours not supervised.")
    html = page_html(signed_in(client, certificate.holder), certificate)
    assert "linkedin.com" not in html and "/credentials/badges/" not in html
    assert "Adding it to LinkedIn and the badge are offered while the certificate is valid." in html
    assert "Download signed credential (.json)" in html  # the holder's record, whose status list says revoked
    assert ">Copy link</button>" in html


def test_the_holder_s_page_takes_the_same_queries_however_many_certificates_and_checks(client, certificate):
    client = signed_in(client, certificate.holder)
    page_html(client, certificate)  # warm caches (the site's root page, the session)
    with CaptureQueriesContext(connection) as few:
        page_html(client, certificate)
    for _ in range(2):
        another_holder_s_certificate()
    with CaptureQueriesContext(connection) as many:
        page_html(client, certificate)
    assert len(few) == len(many) <= 10, [query["sql"] for query in many.captured_queries]


# The signed credential download ------------------------------------------------------------------------------


def test_the_holder_downloads_the_signed_credential_as_a_json_attachment(client, certificate):
    client = signed_in(client, certificate.holder)
    response = client.get(reverse("certificate_credential_download", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response["Content-Disposition"] == f'attachment; filename="{certificate.number}.json"'
    assert response["Cache-Control"] == "private, no-cache"
    stored = CertificateCredential.objects.get(certificate=certificate).document
    assert response.content.decode() == stored  # byte for byte the signed text, also served publicly
    credential = json.loads(stored)
    assert credential["credentialSubject"]["identifier"][0]["identityHash"] == "Amara Okafor"
    assert credential["proof"][0]["proofValue"]
    check_form(credential)


def test_only_the_holder_downloads_the_credential(client, certificate):
    url = reverse("certificate_credential_download", args=[certificate.pk])
    assert client.get(url)["Location"].startswith("/accounts/login/")
    for someone in (UserFactory(), UserFactory(roles=[PROGRAMME_ADMIN])):
        assert signed_in(client, someone).get(url).status_code == 404
    assert signed_in(client, certificate.holder).post(url).status_code == 405


def test_the_credential_download_takes_a_fixed_number_of_queries(client, certificate):
    client = signed_in(client, certificate.holder)
    url = reverse("certificate_credential_download", args=[certificate.pk])
    client.get(url)  # signs it once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    another_holder_s_certificate()
    with CaptureQueriesContext(connection) as again:
        assert client.get(url).status_code == 200
    assert len(queries) == len(again) == 6, [query["sql"] for query in again.captured_queries]


# The badge ---------------------------------------------------------------------------------------------------


def test_the_badge_svg_names_the_programme_and_is_public(client, certificate, django_assert_num_queries):
    programme = certificate.programme
    programme.name = "Peer <Support> & Recovery"
    programme.save()
    with django_assert_num_queries(1):
        response = client.get(f"/credentials/badges/{programme.abbreviation}.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "public" in response["Cache-Control"] and response["Access-Control-Allow-Origin"] == "*"
    svg = ElementTree.fromstring(response.content)  # well-formed XML, the name escaped
    namespace = "{http://www.w3.org/2000/svg}"
    assert svg.tag == f"{namespace}svg"
    texts = [element.text for element in svg.iter(f"{namespace}text")]
    assert texts == ["CERTIFIED", programme.abbreviation, "Peer <Support> &", "Recovery"]
    assert (
        svg.find(f"{namespace}title").text
        == f"Peer <Support> & Recovery ({programme.abbreviation}), issued by {programme.issuing_body}"
    )
    assert certificate.holder_name not in response.content.decode()


def test_the_badge_png_decodes_as_a_512_pixel_image(client, certificate, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(f"/credentials/badges/{certificate.programme.abbreviation}.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    image.load()
    assert (image.format, image.size) == ("PNG", (512, 512))
    assert image.getpixel((256, 20))[:3] == (0x06, 0x3F, 0x3D)  # the seal's outer ring, not blank
    assert image.getpixel((2, 2))[3] == 0  # transparent corners


def test_an_unknown_programme_has_no_badge(client):
    assert client.get("/credentials/badges/NOPE.svg").status_code == 404
    assert client.get("/credentials/badges/NOPE.png").status_code == 404


def test_a_programme_being_drafted_has_no_badge_until_it_is_live(client):
    programme = build_programme(abbreviation="DRAFT", is_active=False)
    assert client.get("/credentials/badges/DRAFT.svg").status_code == 404
    assert client.get("/credentials/badges/DRAFT.png").status_code == 404
    Programme.objects.filter(pk=programme.pk).update(is_active=True)
    assert client.get("/credentials/badges/DRAFT.svg").status_code == 200


def test_a_programme_switched_off_keeps_the_badge_its_credentials_show(client, certificate):
    Programme.objects.filter(pk=certificate.programme_id).update(is_active=False)
    response = client.get(f"/credentials/badges/{certificate.programme.abbreviation}.svg")
    assert response.status_code == 200 and certificate.programme.name.encode() in response.content


def test_long_names_are_kept_to_three_lines():
    assert badge_lines("Certified Peer Specialist") == ["Certified Peer", "Specialist"]
    lines = badge_lines("Certified Peer Specialist and Recovery Coach for Older Adults in Rural Settings")
    assert len(lines) == 3 and lines[-1].endswith("…") and all(len(line) <= 20 for line in lines)


# The credential names the badge and still passes 1EdTech's schema ---------------------------------------------


@override_settings(SITE_URL=SITE)
def test_new_credentials_name_the_badge_as_the_achievement_image_and_pass_the_schema(certificate):
    validator = Draft201909Validator(
        json.loads(SCHEMA_FILE.read_text(encoding="utf-8")), format_checker=Draft201909Validator.FORMAT_CHECKER
    )
    credential = json.loads(certificate_credential_sign(certificate=certificate).document)
    image = credential["credentialSubject"]["achievement"]["image"]
    assert image == {"id": f"{SITE}/credentials/badges/{certificate.programme.abbreviation}.png", "type": "Image"}
    assert list(validator.iter_errors(credential)) == []
    check_form(credential)
    broken = json.loads(json.dumps(credential))
    broken["credentialSubject"]["achievement"]["image"]["type"] = "Picture"
    assert list(validator.iter_errors(broken))


def test_credentials_signed_before_the_badge_still_have_our_form(certificate):
    credential = json.loads(certificate_credential_sign(certificate=certificate).document)
    del credential["credentialSubject"]["achievement"]["image"]
    try:  # the form allows the missing image; only the round trip or proof could object, and neither reads it
        check_form(credential)
    except MalformedCredential as error:
        pytest.fail(str(error))


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("https://peer.example.org/credentials/badges/CPS.png", "should be a JSON object"),
        ({"id": "https://x.example/b.png", "type": "Image", "caption": "A badge"}, "has fields this site never writes"),
        ({"id": "https://x.example/b.png", "type": ["Image"]}, "isn't what this site writes there"),
    ],
)
def test_other_spellings_of_the_image_are_malformed(certificate, image, message):
    document = credential_document(certificate)
    document["credentialSubject"]["achievement"]["image"] = image
    with pytest.raises(MalformedCredential, match=message):
        check_form({**document, "proof": [{}]})


def test_the_badge_url_uses_the_programme_s_letters(certificate):
    document = credential_document(Certificate.objects.select_related("programme").get(pk=certificate.pk))
    abbreviation = Programme.objects.get().abbreviation
    assert document["credentialSubject"]["achievement"]["image"]["id"].endswith(
        f"/credentials/badges/{abbreviation}.png"
    )
