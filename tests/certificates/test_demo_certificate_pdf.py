"""The demo's certificate as a holder gets it: its artwork, and links and a QR code for the port the site runs on."""

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from demo.certificates import LOGO, SIGNATURE, demo_image
from tests.certificates import test_pdf
from tests.factories import build_programme

pytestmark = pytest.mark.django_db

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artefacts"
SITE = "http://127.0.0.1:8431"
issue, media_root = test_pdf.issue, test_pdf.media_root  # the fixtures that issue and render a certificate for real


def page_png(pdf: bytes, name: str) -> Path:
    """The PDF's first page as a PNG at 150 dpi (poppler's pdftoppm), kept under var/test-artefacts/ to look at."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTEFACTS / name
    subprocess.run(  # noqa: S603 - fixed arguments
        ["pdftoppm", "-png", "-r", "150", "-singlefile", "-", str(target.with_suffix(""))],  # noqa: S607
        input=pdf,
        check=True,
        capture_output=True,
    )
    return target


def test_demo_images_are_uploaded_once():
    first, again = demo_image(*SIGNATURE), demo_image(*SIGNATURE)
    assert first.pk == again.pk
    assert (first.width, first.height) == (900, 260)
    assert (demo_image(*LOGO).width, demo_image(*LOGO).height) == (480, 480)


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg (Debian's zbar-tools) reads the QR code")
def test_the_demo_certificate_has_its_artwork_and_points_at_the_port_the_site_runs_on(issue, settings, mailoutbox):
    settings.SITE_URL = SITE
    programme = build_programme(signature_image=demo_image(*SIGNATURE), issuer_logo=demo_image(*LOGO))
    certificate = issue("María José", last_name="Fernández-Núñez", programme=programme)
    pdf = test_pdf.stored_pdf(certificate)

    page = PdfReader(io.BytesIO(pdf)).pages[0]
    images = sorted((xobject["/Width"], xobject["/Height"]) for xobject in test_pdf._xobjects(page["/Resources"]))
    assert images == [(480, 480), (900, 260)]  # the issuer's logo and the signature

    png = page_png(pdf, "demo-certificate-8431.png")
    decoded = subprocess.run(  # noqa: S603 - fixed arguments
        ["zbarimg", "--quiet", "--raw", str(png)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    assert decoded.stdout.strip() == f"{SITE}/verify/{certificate.display_code}/"

    credential = json.loads(certificate.credential.document)
    assert credential["id"] == f"{SITE}/credentials/{certificate.display_code}.json"
    assert credential["issuer"]["url"] == SITE
    (issued_email,) = [message for message in mailoutbox if certificate.number in message.body]
    assert f"{SITE}/verify/{certificate.display_code}/" in issued_email.body
    assert "127.0.0.1:8000" not in issued_email.body


def test_a_logo_that_cannot_be_read_fails_rendering_and_says_which_image(issue):
    logo = demo_image(*LOGO)
    Path(logo.file.path).write_bytes(b"not a picture")
    certificate = issue("Jordan Ellis", programme=build_programme(issuer_logo=logo))
    assert certificate.rendering == certificate.Rendering.FAILED
    assert "issuer logo “Peer Support Certification Board logo (demo)”" in certificate.render_error
    assert "Upload a PNG or JPEG logo" in certificate.render_error
