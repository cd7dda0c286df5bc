"""Reading the credential out of an uploaded PDF: bombs, filters our PDFs never use and broken files, safely."""

import io
import json
import tracemalloc
import zlib
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import DependencyError, DeprecationError, LimitReachedError, PdfReadError

from certificates.credential_check import credential_file_check
from certificates.credential_files import CredentialFileError, credential_from_bytes
from certificates.pdf_storage import certificate_credential_sign, certificate_render
from tests.certificates.hostile_pdfs import (
    attached,
    bomb,
    credential_pdf,
    deflated,
    object_stream_bomb,
    pdf,
    xref_stream_chain,
)
from tests.factories import issued_certificate

pytestmark = pytest.mark.django_db

UNREADABLE = "This PDF can't be read."
TOO_LARGE = "This credential is far larger than any this site issues"
NOT_OUR_WAY = "stored in a way this site's PDFs never use"
# Reading any of these files stays far below what inflating its contents would take (they hold 8 to 20 MB).
FEW_MB = 4 * 1024 * 1024


@pytest.fixture
def credential() -> bytes:
    """A genuine signed credential, as our PDFs carry it."""
    certificate = issued_certificate(first_name="Robin", last_name="Asante")
    return certificate_credential_sign(certificate=certificate).document.encode()


def refused_using(check: Callable[[], object], message: str) -> int:
    """Check that `check` raises CredentialFileError matching `message`; return the peak memory it allocated."""
    tracemalloc.start()
    try:
        with pytest.raises(CredentialFileError, match=message):
            check()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_our_rendered_pdfs_carry_the_one_credential_the_way_the_check_reads_it(client):
    certificate = issued_certificate(first_name="Robin", last_name="Asante")
    certificate_render(certificate_id=certificate.pk)
    served = json.loads(client.get(f"/credentials/{certificate.display_code}.json").content)
    for stored in certificate.files.all():
        with stored.file.open("rb") as handle:
            data = handle.read()
        reader = PdfReader(io.BytesIO(data))
        (attachment,) = reader.attachment_list
        stream = attachment._embedded_file  # what the check reads: the stream's stored bytes, one /FlateDecode
        assert (attachment.name, stream["/Filter"], "/DecodeParms" in stream) == (
            "credential.json",
            "/FlateDecode",
            False,
        )
        assert len({number for number, _ in reader.xref_objStm.values()}) == 1
        assert credential_from_bytes(data) == served
        assert credential_file_check(data).outcome == "valid", stored.paper


@pytest.mark.parametrize(
    "entries",
    [b"", b"/Filter /FlateDecode", b"/Filter [/FlateDecode]", b"/Filter /FlateDecode /DecodeParms null"],
)
def test_a_credential_stored_plainly_or_deflated_once_is_read(credential, entries):
    stored = deflated(credential) if b"Flate" in entries else credential
    assert credential_from_bytes(credential_pdf(entries, stored)) == json.loads(credential)


def test_a_pdf_written_by_pypdf_is_read(credential):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_attachment("credential.json", credential)
    output = io.BytesIO()
    writer.write(output)
    assert credential_from_bytes(output.getvalue()) == json.loads(credential)


def test_the_testers_bomb_is_refused_without_inflating_anything():
    data = bomb(files=10, size=8_000_000)  # 10 files named credential.json, each 8 MB inflated: 4 KB in all
    assert len(data) < 5_000
    assert refused_using(lambda: credential_from_bytes(data), "far more files than a certificate") < FEW_MB


def test_two_credentials_in_one_pdf_are_refused_without_inflating_either(credential):
    data = attached(
        (b"credential.json", b"/Filter [/FlateDecode /FlateDecode]", deflated(b"\0" * 20_000_000, 2)),
        (b"credential.json", b"", credential),
    )
    assert refused_using(lambda: credential_from_bytes(data), "more than one credential.json") < FEW_MB


def test_a_credential_that_inflates_past_the_limit_is_cut_off_as_it_inflates():
    data = credential_pdf(b"/Filter /FlateDecode", deflated(b"\0" * 20_000_000))
    assert len(data) < 25_000
    assert refused_using(lambda: credential_from_bytes(data), TOO_LARGE) < FEW_MB


def test_a_credential_stored_with_bytes_hidden_after_it_is_refused(credential):
    data = credential_pdf(b"/Filter /FlateDecode", deflated(credential) + bytes(range(256)) * 200)
    with pytest.raises(CredentialFileError, match=TOO_LARGE):
        credential_from_bytes(data)


def test_a_credential_cut_short_is_unreadable(credential):
    with pytest.raises(CredentialFileError, match=UNREADABLE):
        credential_from_bytes(credential_pdf(b"/Filter /FlateDecode", deflated(credential)[:-40]))


def test_more_files_than_a_certificate_carries_are_refused(credential):
    files = [(b"notes-%d.txt" % number, b"", b"hello") for number in range(8)]
    assert credential_from_bytes(attached(*files[:7], (b"credential.json", b"", credential))) == json.loads(credential)
    with pytest.raises(CredentialFileError, match="far more files than a certificate"):
        credential_from_bytes(attached(*files, (b"credential.json", b"", credential)))


# Each stored the way the tester's files stored it; none is how our PDFs store a credential.
FILTERS_OURS_NEVER_USE = {
    "two /FlateDecode (the bomb)": (b"/Filter [/FlateDecode /FlateDecode]", deflated(b"{}", 2)),
    "unknown (pypdf: NotImplementedError)": (b"/Filter /Foo", b"abc"),
    "a dictionary for a filter": (b"/Filter [<< /A 1 >>]", b"abc"),
    "/JBIG2Decode (pypdf: DependencyError)": (b"/Filter /JBIG2Decode", b"abc"),
    "/AHx (pypdf: DeprecationError)": (b"/Filter /AHx", b"zz"),
    "/ASCIIHexDecode": (b"/Filter /ASCIIHexDecode", b"7b7d>"),
    "/ASCII85Decode": (b"/Filter /ASCII85Decode", b"~~~~"),
    "/LZWDecode": (b"/Filter /LZWDecode", b"\xff\xff\xff\xff"),
    "/RunLengthDecode": (b"/Filter /RunLengthDecode", b"\x81"),
    "/DCTDecode": (b"/Filter /DCTDecode", b"abc"),
    "/JPXDecode": (b"/Filter /JPXDecode", b"abc"),
    "/CCITTFaxDecode": (b"/Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns 8 >>", b"abc"),
    "/Crypt": (b"/Filter /Crypt", b"abc"),
    "/FlateDecode with a predictor": (
        b"/Filter /FlateDecode /DecodeParms << /Predictor 15 /Columns 100000000 >>",
        deflated(b"x" * 100),
    ),
    "/FlateDecode with a number for /DecodeParms": (b"/Filter /FlateDecode /DecodeParms 5", deflated(b"x")),
    "/FlateDecode then /ASCIIHexDecode": (b"/Filter [/FlateDecode /ASCIIHexDecode]", deflated(b"7b7d>")),
    "a number for a filter": (b"/Filter 5", b"{}"),
}


@pytest.mark.parametrize(("entries", "stored"), FILTERS_OURS_NEVER_USE.values(), ids=FILTERS_OURS_NEVER_USE.keys())
def test_filters_our_pdfs_never_use_are_refused_before_decoding(entries, stored):
    with pytest.raises(CredentialFileError, match=NOT_OUR_WAY):
        credential_from_bytes(credential_pdf(entries, stored))


def test_a_genuine_credential_in_a_filter_our_pdfs_never_use_is_refused(credential):
    with pytest.raises(CredentialFileError, match=NOT_OUR_WAY):
        credential_from_bytes(credential_pdf(b"/Filter /ASCIIHexDecode", credential.hex().encode() + b">"))


CATALOG = b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>"
PAGES = b"<< /Type /Pages /Kids [] /Count 0 >>"


@pytest.mark.parametrize(
    "data",
    [
        credential_pdf(b"", b"abc").replace(b"/Length 3", b"/Length -3"),
        credential_pdf(b"", b"{}").replace(b"/Names [(credential.json) 4 0 R]", b"/Names [/credential.json 4 0 R]"),
        credential_pdf(b"", b"{}").replace(b"/EF << /F 5 0 R >>", b"/EF << /F 5 >>"),
        credential_pdf(b"", b"{}").replace(b"/EF << /F 5 0 R >>", b"/EF 7"),
        pdf([CATALOG, PAGES, b"<< /Kids [3 0 R] >>"]),  # a list of files that is its own part
        pdf([CATALOG, PAGES, *(b"<< /Kids [%d 0 R] >>" % (n + 1) for n in range(3, 3000)), b"<< /Names [] >>"]),
        pdf([CATALOG, PAGES, b"<< /Names [%s] >>" % b" ".join(b"(f%d) 4 0 R" % n for n in range(2000)), b"<< >>"]),
        credential_pdf(b"", b"{}").replace(b"/Root 1 0 R", b"/Root 1 0 R /Encrypt << /Filter /Standard /V 9 >>"),
    ],
    ids=["negative length", "name not a string", "file not a stream", "EF not a dictionary", "kids loop",
         "kids 3,000 deep", "2,000 names", "encrypted"],
)  # fmt: skip
def test_broken_pdf_structures_end_in_a_plain_message(data):
    with pytest.raises(CredentialFileError):
        credential_from_bytes(data)


@pytest.mark.parametrize(
    "error",
    [
        DependencyError("jbig2dec is not installed"),
        DeprecationError("/AHx was removed"),
        NotImplementedError("Unsupported filter /Foo"),
        zlib.error("Error -3 while decompressing data"),
        LimitReachedError("Limit reached"),
        PdfReadError("Trailer cannot be read"),
        AssertionError(),  # nobody foresaw it: refused too, and logged
    ],
    ids=type,
)
def test_any_error_from_reading_a_pdf_is_a_plain_message(monkeypatch, credential, error):
    def raise_it(reader):
        raise error

    monkeypatch.setattr(PdfReader, "attachment_list", property(raise_it))
    with pytest.raises(CredentialFileError, match=UNREADABLE):
        credential_file_check(credential_pdf(b"", credential))


def test_the_command_says_what_is_wrong_with_a_pdf_without_a_traceback(tmp_path):
    path = tmp_path / "certificate.pdf"
    for data, message in [
        (credential_pdf(b"/Filter /Foo", b"abc"), NOT_OUR_WAY),
        (credential_pdf(b"/Filter /AHx", b"zz"), NOT_OUR_WAY),
        (bomb(files=40, size=1_000_000), "far more files than a certificate"),
    ]:
        path.write_bytes(data)
        with pytest.raises(CommandError, match=message):
            call_command("verify_credential", str(path), stdout=io.StringIO())


def test_pypdfs_own_inflating_of_object_streams_is_capped():
    data = object_stream_bomb(kids=2, size=10_000_000)  # the list of files in streams inflating to 10 MB each
    assert len(data) < 5_000
    assert refused_using(lambda: credential_from_bytes(data), UNREADABLE) < FEW_MB


def test_a_pdf_with_more_object_streams_than_ours_could_have_is_refused():
    assert refused_using(lambda: credential_from_bytes(object_stream_bomb(kids=17, size=200_000)), UNREADABLE) < FEW_MB


def test_a_chain_of_cross_reference_streams_is_followed_only_a_little_way():
    data = xref_stream_chain(count=100, size=200_000)  # 20 MB if every one were inflated and kept
    assert refused_using(lambda: credential_from_bytes(data), "no signed credential inside") < FEW_MB
