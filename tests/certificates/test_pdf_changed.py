"""A valid credential in a PDF that isn't the one issued for it: never 'valid', since its pages may say anything."""

import io
import json

import pytest
from django.core.management import call_command
from pypdf import PdfReader, PdfWriter

from certificates.credential_check import credential_file_check
from certificates.models import Certificate
from certificates.pdf_storage import certificate_credential_sign, certificate_render
from certificates.status_changes import certificate_revoke
from lms.roles import PROGRAMME_ADMIN
from tests.certificates.credential_kinds import certificate_issued
from tests.factories import UserFactory, build_programme

pytestmark = pytest.mark.django_db

PAGES_CHANGED = (
    "The credential inside is genuine and valid, but this isn't the PDF issued for it: its pages may have been "
    "changed, so trust the details shown here rather than the printed ones."
)


@pytest.fixture
def admin():
    return UserFactory(roles=[PROGRAMME_ADMIN])


@pytest.fixture(autouse=True)
def programme():
    return build_programme()


def rendered() -> Certificate:
    """A new holder's certificate with its PDFs stored, as the holder downloads them."""
    certificate = certificate_issued()
    certificate_render(certificate_id=certificate.pk)
    return certificate


def stored_pdf(certificate: Certificate, paper: str = "a4") -> bytes:
    with certificate.files.get(paper=paper).file.open("rb") as handle:
        return handle.read()


def carrying(pdf: bytes, credential: bytes) -> bytes:
    """The PDF's pages as they are, with `credential` put in place of the credential.json it carried."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for attachment in list(writer.attachment_list):
        attachment.delete()
    writer.add_attachment("credential.json", credential)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def command(path) -> tuple[int, str]:
    """verify_credential's exit status and what it printed."""
    output = io.StringIO()
    try:
        call_command("verify_credential", str(path), stdout=output)
    except SystemExit as exited:
        return exited.code, output.getvalue()
    return 0, output.getvalue()


def test_a_revoked_certificates_pages_carrying_another_valid_credential_are_not_passed_as_valid(admin, tmp_path):
    valid, revoked = rendered(), rendered()
    certificate_revoke(by=admin, certificate=revoked, reason="Hours were not supervised.")
    swapped = carrying(stored_pdf(revoked), certificate_credential_sign(certificate=valid).document.encode())
    assert revoked.holder_name in PdfReader(io.BytesIO(swapped)).pages[0].extract_text()  # the revoked one's pages

    result = credential_file_check(swapped)
    assert (result.outcome, result.trusted, result.headline) == ("pdf_changed", False, PAGES_CHANGED)
    assert (result.certificate, result.holder_name) == (valid, valid.holder_name)  # the details to trust instead
    answer = result.as_dict()
    assert (answer["outcome"], answer["trusted"], answer["certificate_number"]) == ("pdf_changed", False, valid.number)
    assert {
        "label": "PDF",
        "passed": False,
        "detail": "Not byte for byte the PDF this site issued for this certificate: the credential inside is "
        "genuine, but the printed pages may have been changed or come from another certificate.",
    } in answer["findings"]

    path = tmp_path / "certificate.pdf"
    path.write_bytes(swapped)
    status, printed = command(path)
    assert status == 1
    assert printed.startswith(f"PDF_CHANGED: {PAGES_CHANGED}\n  Holder: {valid.holder_name}\n")
    assert "  [NO ] PDF: Not byte for byte the PDF this site issued" in printed
    output = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("verify_credential", str(path), "--json", stdout=output)
    assert json.loads(output.getvalue())["outcome"] == "pdf_changed"


def test_only_the_pdf_issued_is_valid_and_a_changed_copy_keeps_every_other_verdict(admin, tmp_path):
    certificate = rendered()
    for paper in ("a4", "letter"):
        result = credential_file_check(stored_pdf(certificate, paper))
        assert (result.outcome, result.trusted, result.headline) == (
            "valid",
            True,
            "This credential is genuine and valid.",
        )
        assert result.as_dict()["trusted"] is True
        assert result.findings[-1].label == "PDF" and result.findings[-1].passed
    issued, edited = tmp_path / "issued.pdf", tmp_path / "edited.pdf"
    issued.write_bytes(stored_pdf(certificate))
    edited.write_bytes(stored_pdf(certificate) + b"\n% edited after download\n")
    status, printed = command(issued)
    assert (status, printed.splitlines()[0]) == (0, "VALID: This credential is genuine and valid.")
    assert credential_file_check(edited.read_bytes()).outcome == "pdf_changed"
    assert command(edited)[0] == 1

    certificate_revoke(by=admin, certificate=certificate, reason="Hours were not supervised.")
    for path in (issued, edited):
        result = credential_file_check(path.read_bytes())
        assert (result.outcome, result.headline) == ("revoked", "This credential has been revoked.")
        assert command(path)[0] == 1
