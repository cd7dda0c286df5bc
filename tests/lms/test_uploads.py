"""Uploads through the Wagtail admin: images are PNG, JPEG or WebP only, size- and pixel-limited, and re-encoded
without metadata; documents are served as downloads that browsers won't sniff."""

import re
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from PIL import ExifTags, Image, PngImagePlugin
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from lms.roles import PROGRAMME_ADMIN
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SVG_WITH_SCRIPT = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
  <script>alert(document.cookie)</script>
  <rect width="10" height="10" fill="red"/>
</svg>
"""


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Keep uploaded files out of var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin_client():
    """A programme admin (with the authenticator app the site requires before any change) in the Wagtail admin."""
    client = Client()
    client.force_login(UserFactory(roles=[PROGRAMME_ADMIN]))
    return client


def image_bytes(format: str, size=(40, 20), mode="RGB", **save_options) -> bytes:
    """A small picture (two colours, so it isn't trivially uniform) in the given format."""
    image = Image.new(mode, size, "navy")
    image.paste("gold", (0, 0, size[0] // 2, size[1]))
    output = BytesIO()
    image.save(output, format=format, **save_options)
    return output.getvalue()


def upload(client, name: str, content: bytes, title: str = "Signature"):
    """Post a file to the Wagtail admin's "Add an image" form."""
    return client.post(
        "/admin/images/add/",
        {
            "title": title,
            "file": ContentFile(content, name=name),
            "collection": Collection.get_first_root_node().id,
        },
    )


def refusal(response) -> str:
    """The form's error for the file field (the response must be the form shown again)."""
    assert response.status_code == 200, response.status_code
    errors = response.context["form"].errors
    assert "file" in errors, errors
    assert not get_image_model().objects.exists()
    return " ".join(errors["file"])


def stored_image():
    image = get_image_model().objects.get()
    with image.file.open("rb") as file:
        data = file.read()
    return image, data


def test_a_png_is_accepted_and_stored_as_a_png(admin_client):
    response = upload(admin_client, "signature.png", image_bytes("PNG"))
    assert response.status_code == 302
    image, data = stored_image()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert (image.width, image.height) == (40, 20)
    assert image.file_size == len(data)


def test_an_svg_with_a_script_is_refused(admin_client):
    assert "Not a supported image format" in refusal(upload(admin_client, "signature.svg", SVG_WITH_SCRIPT))


def test_an_svg_renamed_png_is_refused(admin_client):
    message = refusal(upload(admin_client, "signature.png", SVG_WITH_SCRIPT))
    assert "does not match the file format" in message or "Upload a valid image" in message


def test_a_png_renamed_jpg_is_refused(admin_client):
    message = refusal(upload(admin_client, "signature.jpg", image_bytes("PNG")))
    assert "Not a valid .jpeg image. The extension does not match the file format (png)" in message


def test_a_png_header_followed_by_garbage_is_refused(admin_client):
    garbage = image_bytes("PNG")[:16] + bytes(range(256)) * 4
    for name in ["signature.jpg", "signature.png"]:
        message = refusal(upload(admin_client, name, garbage))
        assert re.search(
            r"does not match the file format|could not be read as a PNG image|Upload a valid image", message
        )


def test_a_truncated_png_is_refused_with_a_clear_message(admin_client):
    noisy = Image.frombytes("RGB", (64, 64), bytes((i * 7919) % 251 for i in range(64 * 64 * 3)))
    output = BytesIO()
    noisy.save(output, format="PNG")
    truncated = output.getvalue()[: len(output.getvalue()) // 2]
    message = refusal(upload(admin_client, "signature.png", truncated))
    assert "could not be read as a PNG image" in message


def test_a_file_over_the_size_limit_is_refused(admin_client, settings):
    assert settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE == 5 * 1024 * 1024
    padded = image_bytes("PNG") + b"\0" * (5 * 1024 * 1024)  # Pillow stops reading at IEND; the size counts
    assert "This file is too big" in refusal(upload(admin_client, "signature.png", padded))


def test_an_image_over_the_pixel_limit_is_refused(admin_client, settings):
    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40 * 20 - 1
    assert "This file has too many pixels" in refusal(upload(admin_client, "signature.png", image_bytes("PNG")))


def test_gif_is_not_accepted(admin_client):
    assert "Not a supported image format" in refusal(upload(admin_client, "signature.gif", image_bytes("GIF")))


def test_exif_with_a_gps_position_is_removed(admin_client):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = 6  # stored sideways: turn 90° clockwise to show
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.0)
    original = image_bytes("JPEG", exif=exif, comment=b"taken at home")
    with Image.open(BytesIO(original)) as check:  # the test file really carries them
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert check.info.get("comment") == b"taken at home"

    assert upload(admin_client, "signature.jpg", original).status_code == 302
    image, data = stored_image()
    assert b"Exif" not in data and b"PhoneMaker" not in data and b"taken at home" not in data
    with Image.open(BytesIO(data)) as stored:
        assert stored.format == "JPEG"
        assert len(stored.getexif()) == 0
        assert "exif" not in stored.info and "comment" not in stored.info
        assert stored.size == (20, 40)  # turned upright, since the orientation tag is gone
    assert (image.width, image.height) == (20, 40)


def test_png_text_chunks_are_removed_and_transparency_kept(admin_client):
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Dr Someone, 12 Private Road")
    original = image_bytes("PNG", mode="RGBA", pnginfo=info)
    assert upload(admin_client, "signature.png", original).status_code == 302
    _, data = stored_image()
    assert b"Private Road" not in data
    with Image.open(BytesIO(data)) as stored:
        assert stored.mode == "RGBA"
        assert "Author" not in stored.info


def test_webp_is_accepted_and_stays_webp(admin_client):
    assert upload(admin_client, "signature.webp", image_bytes("WEBP")).status_code == 302
    _, data = stored_image()
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("requirements.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"),
        ("notes.txt", b"<html><script>alert(1)</script></html>", "text/plain"),
    ],
)
def test_documents_are_downloads_that_browsers_do_not_sniff(client, name, content, content_type):
    document = get_document_model().objects.create(title=name, file=ContentFile(content, name=name))
    response = client.get(document.url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert b"".join(response.streaming_content) == content
