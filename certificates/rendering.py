"""The certificate PDF: HTML set in the shipped font stack, a vector QR code, rendered by WeasyPrint as PDF/UA."""

import base64
import io

import segno
import weasyprint
import weasyprint.urls
from django.template.loader import render_to_string
from PIL import Image, UnidentifiedImageError

from certificates import fonts
from certificates.models import Certificate, CertificateFile

PAGE_SIZES = {CertificateFile.Paper.A4: "A4 landscape", CertificateFile.Paper.LETTER: "letter landscape"}
FRAME_HEIGHTS = {CertificateFile.Paper.A4: "192mm", CertificateFile.Paper.LETTER: "197.9mm"}  # page height less margins


class RenderError(Exception):
    """The certificate can't be rendered; the message says what to fix."""


def _inline_only() -> weasyprint.urls.URLFetcher:
    """A fetcher that reads data: URIs only: the certificate never loads anything from a network or disk."""
    return weasyprint.urls.URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def signature_data_uri(certificate: Certificate) -> str:
    """The programme's signature image, checked and re-encoded as PNG, as a data URI ('' when there is none)."""
    image = certificate.programme.signature_image
    if image is None:
        return ""
    try:
        with image.file.open("rb") as stored:
            data = stored.read()
        Image.open(io.BytesIO(data)).verify()
        with Image.open(io.BytesIO(data)) as picture:
            picture.thumbnail((1200, 400))
            output = io.BytesIO()
            picture.convert("RGBA").save(output, format="PNG")
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as error:
        raise RenderError(
            f"The signature image “{image.title}” of {certificate.programme.name} can't be read ({error}). "
            "Upload a PNG or JPEG signature in the programme's settings, then retry."
        ) from error
    return "data:image/png;base64," + base64.b64encode(output.getvalue()).decode("ascii")


def qr_data_uri(url: str) -> str:
    """A vector (SVG) QR code for the URL, as a data URI."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#1d2b36")


def certificate_html(certificate: Certificate, paper: str) -> str:
    """The certificate as HTML ready for WeasyPrint."""
    return render_to_string(
        "certificates/certificate_pdf.html",
        {
            "certificate": certificate,
            "programme": certificate.programme,
            "page_size": PAGE_SIZES[paper],
            "frame_height": FRAME_HEIGHTS[paper],
            "font_family": fonts.css_font_family(),
            "signature": signature_data_uri(certificate),
            "qr": qr_data_uri(certificate.verify_url),
        },
    )


def certificate_pdf(certificate: Certificate, paper: str) -> bytes:
    """Render the certificate on A4 or US Letter (landscape) as tagged PDF/UA, or raise RenderError."""
    programme = certificate.programme
    try:
        fonts.check_coverage(
            " ".join(
                [
                    certificate.holder_name,
                    programme.name,
                    programme.issuing_body,
                    programme.signatory_name,
                    programme.signatory_title,
                ]
            )
        )
    except fonts.FontProblem as error:
        raise RenderError(str(error)) from error
    html = certificate_html(certificate, paper)
    document = weasyprint.HTML(string=html, url_fetcher=_inline_only())
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=certificate.code.encode("ascii"))
