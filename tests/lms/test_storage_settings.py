"""Where files are kept: local folders by default, an S3-compatible bucket with MEDIA_STORAGE=s3.

The settings are read in a fresh interpreter with the environment given (as a server starts). Then certificate
files are kept in a storage with no local paths at all, as a bucket has none, and everything that reads or writes
them still works: rendering, the holder's download, the data export, the file check, the admin's ZIP, the purge.
"""

import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.images import ImageFile
from django.core.files.storage import InMemoryStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw
from wagtail.images import get_image_model

from certificates.admin_zip import write_certificates_zip
from certificates.models import Certificate, CertificateFile
from privacy.models import ClosedAccount
from privacy.services import account_close, closed_accounts_purge
from tests.factories import PASSWORD, UserFactory, approve_programme_hours, build_assignment, build_programme

ROOT = Path(__file__).resolve().parents[2]
OFFLINE_AWS = {  # fixed test credentials and no config files or instance metadata: URLs are signed offline
    "AWS_ACCESS_KEY_ID": "test-access-key",
    "AWS_SECRET_ACCESS_KEY": "test-secret-key",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
REPORT = """
import json
import django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
media, certificates = storages["default"], storages["certificates"]
print(json.dumps({
    "storages": {alias: settings.STORAGES[alias] for alias in ("default", "certificates")},
    "img_src": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],
    "cache": settings.CACHES["default"]["LOCATION"],
    "static_root": str(settings.STATIC_ROOT),
    "media_url": media.url("original_images/signature.png"),
    "certificate_url": certificates.url("certificates/2026/CPS-2026-000001-a4.pdf"),
}))
"""


def settings_report(env: dict) -> dict:
    """Start an interpreter with these environment variables and report the storage settings it ends up with."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MEDIA_", "DJANGO_", "DEBUG"))}
    result = subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", REPORT],
        cwd=ROOT,
        env={
            **clean,
            "LMS_READ_DOTENV": "0",
            "SECRET_KEY": "x" * 50,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def settings_error(env: dict) -> str:
    """The error a server would stop with when starting with these environment variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MEDIA_", "DJANGO_", "DEBUG"))}
    result = subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env={**clean, "LMS_READ_DOTENV": "0", "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    return result.stderr


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# Settings -------------------------------------------------------------------------------------------------------


def test_local_folders_by_default(tmp_path):
    report = settings_report(
        {
            "MEDIA_ROOT": str(tmp_path / "media"),
            "CERTIFICATE_ROOT": str(tmp_path / "certificates"),
            "STATIC_ROOT": str(tmp_path / "static"),
        }
    )
    assert report["storages"] == {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "certificates": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "certificates")},
        },
    }
    assert report["media_url"] == "/media/original_images/signature.png"
    assert report["img_src"] == ["'self'", "data:"]
    assert report["cache"] == "lms_cache"  # the database every server shares (tests/lms/test_cache_settings.py)
    assert report["static_root"] == str(tmp_path / "static")


def test_an_s3_compatible_bucket_keeps_everything_private():
    report = settings_report(
        {
            **OFFLINE_AWS,
            "MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": "lms-files",
            "AWS_S3_ENDPOINT_URL": "https://objects.example.org:9000",
            "AWS_S3_REGION_NAME": "eu-central",
        }
    )
    shared = {
        "bucket_name": "lms-files",
        "endpoint_url": "https://objects.example.org:9000",
        "region_name": "eu-central",
        "default_acl": None,  # no public-read: the bucket's own (private) policy applies
        "file_overwrite": False,  # a second file of the same name gets a new name, as on disk
    }
    assert report["storages"] == {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**shared, "location": "media"}},
        "certificates": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**shared, "querystring_auth": False}},
    }
    # Certificate PDFs have plain, unsigned addresses under certificates/: the private bucket refuses them to
    # anyone but the site, which serves them through its download view.
    assert report["certificate_url"] == (
        "https://objects.example.org:9000/lms-files/certificates/2026/CPS-2026-000001-a4.pdf"
    )
    # Images (the admin's thumbnails) come from the bucket by signed, expiring addresses, which the policy allows.
    assert report["media_url"].startswith("https://objects.example.org:9000/lms-files/media/original_images/")
    assert "Signature=" in report["media_url"] or "X-Amz-Signature=" in report["media_url"]
    assert origin(report["media_url"]) in report["img_src"]


def test_amazon_s3_media_addresses_are_allowed_by_the_policy():
    report = settings_report(
        {
            **OFFLINE_AWS,
            "MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": "lms-files",
            "AWS_S3_REGION_NAME": "eu-west-2",
        }
    )
    assert report["storages"]["default"]["OPTIONS"]["endpoint_url"] is None
    assert origin(report["media_url"]) in report["img_src"]
    assert "https://objects.example.org:9000" not in report["img_src"]


def test_certificates_may_have_a_bucket_of_their_own():
    report = settings_report(
        {
            **OFFLINE_AWS,
            "MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": "lms-media",
            "AWS_CERTIFICATES_BUCKET_NAME": "lms-certificates",
        }
    )
    assert report["storages"]["default"]["OPTIONS"]["bucket_name"] == "lms-media"
    assert report["storages"]["certificates"]["OPTIONS"]["bucket_name"] == "lms-certificates"
    assert "lms-certificates" in report["certificate_url"]


def test_s3_without_a_bucket_is_refused():
    error = settings_error({"MEDIA_STORAGE": "s3"})
    assert "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME, the bucket to keep files in." in error


def test_an_unknown_storage_kind_is_refused():
    assert "MEDIA_STORAGE must be local or s3, not 'ftp'." in settings_error({"MEDIA_STORAGE": "ftp"})


# Certificate files without local paths ------------------------------------------------------------------------------


class NoLocalPathStorage(InMemoryStorage):
    """Files in memory with no path on disk, like a bucket: anything asking for a local path fails loudly."""

    def path(self, name):
        """There is no local path; code that needs one wouldn't work on S3 either."""
        raise NotImplementedError(f"{name} has no local path in this storage")

    def _relative_path(self, name):
        """The in-memory tree's own key for a name (what InMemoryStorage uses path() for internally)."""
        return os.path.relpath(InMemoryStorage.path(self, name), self.location)


@pytest.fixture
def bucket(monkeypatch, settings):
    """Certificate PDFs and Wagtail images each in a storage without local paths, for this test."""
    storage = NoLocalPathStorage()
    monkeypatch.setattr(CertificateFile._meta.get_field("file"), "storage", storage)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.NoLocalPathStorage"}}
    return storage


def signature_image():
    """A Wagtail image holding a signature (kept in the default storage)."""
    picture = Image.new("RGBA", (600, 160), (255, 255, 255, 0))
    ImageDraw.Draw(picture).line([(20, 120), (120, 40), (200, 130), (300, 50)], fill="#14205a", width=6)
    output = io.BytesIO()
    picture.save(output, format="PNG")
    return get_image_model().objects.create(
        title="Signature", file=ImageFile(io.BytesIO(output.getvalue()), name="signature.png")
    )


@pytest.fixture
def certificate(bucket, django_capture_on_commit_callbacks) -> Certificate:
    """A certificate issued and rendered while files live in the bucket."""
    programme = build_programme(signature_image=signature_image())
    trainee = UserFactory(first_name="Noor", last_name="Haddad")
    with django_capture_on_commit_callbacks(execute=True):
        approve_programme_hours(build_assignment(trainee=trainee))
    return Certificate.objects.get(holder=trainee, programme=programme)


def stored(bucket: NoLocalPathStorage, certificate: Certificate, paper: str) -> bytes:
    with bucket.open(certificate.files.get(paper=paper).file.name, "rb") as handle:
        return handle.read()


@pytest.mark.django_db
def test_rendering_stores_both_papers_in_the_bucket(bucket, certificate):
    assert certificate.rendering == Certificate.Rendering.READY, certificate.render_error
    names = sorted(certificate.files.values_list("file", flat=True))
    year = timezone.localdate().year
    assert names == [
        f"certificates/{year}/{certificate.number}-a4.pdf",
        f"certificates/{year}/{certificate.number}-letter.pdf",
    ]
    assert all(bucket.exists(name) for name in names)
    with pytest.raises(NotImplementedError):
        certificate.files.first().file.path  # noqa: B018 - as on S3, there is no local file to point at
    assert stored(bucket, certificate, "a4").startswith(b"%PDF-")
    # The signature printed on it was read from the default storage, which has no local paths either.
    assert isinstance(default_storage, NoLocalPathStorage)
    assert default_storage.exists(certificate.programme.signature_image.file.name)


@pytest.mark.django_db
def test_the_holder_downloads_the_bytes_in_the_bucket(client, bucket, certificate):
    assert client.login(username=certificate.holder.username, password=PASSWORD)
    response = client.get(f"/certificates/{certificate.pk}/certificate-letter.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored(bucket, certificate, "letter")


@pytest.mark.django_db
def test_the_data_export_includes_the_pdfs_from_the_bucket(client, bucket, certificate):
    assert client.login(username=certificate.holder.username, password=PASSWORD)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/my-data/export.zip").content))
    pdfs = {name: archive.read(name) for name in archive.namelist() if name.endswith(".pdf")}
    assert sorted(pdfs.values()) == sorted([stored(bucket, certificate, "a4"), stored(bucket, certificate, "letter")])
    assert json.loads(archive.read("data.json"))["about"]["files_missing_from_storage"] == []


@pytest.mark.django_db
def test_the_file_check_recognises_a_pdf_from_the_bucket(client, bucket, certificate):
    pdf = SimpleUploadedFile("certificate.pdf", stored(bucket, certificate, "a4"))
    result = client.post("/verify/", {"file": pdf}, HTTP_ACCEPT="application/json").json()
    assert (result["outcome"], result["holder_name"]) == ("valid", "Noor Haddad")
    assert {"label": "PDF", "passed": True, "detail": "Byte for byte the PDF this site issued."} in result["findings"]


@pytest.mark.django_db
def test_the_programme_zip_copies_pdfs_from_the_bucket(bucket, certificate):
    target = io.BytesIO()
    write_certificates_zip(target, [certificate], "a4", certificate.programme)
    archive = zipfile.ZipFile(target)
    assert archive.read(f"{certificate.number}.pdf") == stored(bucket, certificate, "a4")
    assert "1 of 1 certificates included." in archive.read("README.txt").decode()


@pytest.mark.django_db
def test_purging_a_closed_account_deletes_its_pdfs_from_the_bucket(
    bucket, certificate, django_capture_on_commit_callbacks
):
    names = list(certificate.files.values_list("file", flat=True))
    closed = account_close(user=certificate.holder, password=PASSWORD)
    assert isinstance(closed, ClosedAccount) and closed.keep_until is not None
    assert all(bucket.exists(name) for name in names)  # kept while the certificate must stay verifiable
    with django_capture_on_commit_callbacks(execute=True):
        (purged,) = closed_accounts_purge(today=closed.keep_until + timedelta(days=1))
    assert purged.purged_at is not None
    assert not any(bucket.exists(name) for name in names)
