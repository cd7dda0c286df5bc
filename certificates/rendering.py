"""The certificate PDF: HTML set in the shipped font stack, a vector QR code, rendered by WeasyPrint as PDF/UA."""

import base64
import io
import logging
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import segno
from django.template.loader import render_to_string
from PIL import Image, ImageOps, UnidentifiedImageError

from certificates import fonts
from certificates.models import Certificate, CertificateFile

if TYPE_CHECKING:
    import weasyprint
    import weasyprint.urls

# WeasyPrint is imported where a PDF is made, not with this module: loading it (and the text libraries it finds and
# opens) costs about a second, which every manage.py command, deploy check and web worker would otherwise pay.

CREDENTIAL_FILENAME = "credential.json"
PAGE_SIZES = {CertificateFile.Paper.A4: "A4 landscape", CertificateFile.Paper.LETTER: "letter landscape"}
FRAME_HEIGHTS = {CertificateFile.Paper.A4: "192mm", CertificateFile.Paper.LETTER: "197.9mm"}  # page height less margins
NAME_WIDTH_PT = 560  # the name's measure on the narrower paper (US Letter), in points
NAME_SIZES_PT = (28, 12)  # largest and smallest size of the holder's name
SIGNATURE_MAX_PX = (1200, 400)
LOGO_MAX_PX = (600, 600)


class RenderError(Exception):
    """The certificate can't be rendered; the message says what to fix."""


def _inline_only() -> "weasyprint.urls.URLFetcher":
    """A fetcher that reads data: URIs only: the certificate never loads anything from a network or disk."""
    import weasyprint.urls

    return weasyprint.urls.URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def signature_data_uri(certificate: Certificate) -> str:
    """The programme's signature image, checked and re-encoded as PNG, as a data URI ('' when there is none)."""
    return _image_data_uri(certificate, certificate.programme.signature_image, "signature image", SIGNATURE_MAX_PX)


def logo_data_uri(certificate: Certificate) -> str:
    """The issuing body's logo, checked and re-encoded as PNG, as a data URI ('' when there is none)."""
    return _image_data_uri(certificate, certificate.programme.issuer_logo, "issuer logo", LOGO_MAX_PX)


def _image_data_uri(certificate: Certificate, image, role: str, max_px: tuple[int, int]) -> str:
    if image is None:
        return ""
    try:
        with image.file.open("rb") as stored:
            data = stored.read()
        Image.open(io.BytesIO(data)).verify()
        with Image.open(io.BytesIO(data)) as picture:
            upright = ImageOps.exif_transpose(picture)  # phone scans are often stored sideways with an EXIF turn
            upright.thumbnail(max_px)
            output = io.BytesIO()
            upright.convert("RGBA").save(output, format="PNG", optimize=True)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        reason = "it isn't an image file" if isinstance(error, UnidentifiedImageError) else str(error)
        raise RenderError(
            f"The {role} “{image.title}” of {certificate.programme.name} can't be read: {reason}. "
            f"Upload a PNG or JPEG {role.split()[-1]} in the programme's settings, then retry."
        ) from error
    return "data:image/png;base64," + base64.b64encode(output.getvalue()).decode("ascii")


def qr_data_uri(url: str) -> str:
    """A vector (SVG) QR code for the URL, as a data URI (never a Micro QR, which phones can't read)."""
    return segno.make_qr(url, error="m").svg_data_uri(scale=4, border=0, dark="#1d2b36")


def _ems(text: str) -> float:
    """The text's estimated width in ems of the bold name face: wide East Asian characters a full em, marks none."""
    width = 0.0
    for character in text:
        if unicodedata.combining(character) or unicodedata.category(character) in {"Mn", "Me", "Cf"}:
            continue
        width += 1.0 if unicodedata.east_asian_width(character) in {"W", "F"} else 0.6
    return width


def _two_lines(name: str) -> tuple[str, str] | None:
    """The most even split of the name into two lines: at a space, or after a hyphen if that's clearly more even."""
    best, best_score = None, None
    for position, character in enumerate(name):
        if character == " ":
            first, second, penalty = name[:position], name[position + 1 :], 1.0
        elif character in "-\u2010" and 0 < position < len(name) - 1 and name[position + 1] != " ":
            first, second, penalty = name[: position + 1], name[position + 1 :], 1.1
        else:
            continue
        if not first.strip() or not second.strip():
            continue
        score = max(_ems(first), _ems(second)) * penalty
        if best_score is None or score < best_score:
            best, best_score = (first.strip(), second.strip()), score
    return best


def holder_name_layout(name: str) -> tuple[str, list[str]]:
    """The font size of the holder's name and its lines.

    One line in 28 pt, or down to 24 pt when that makes it fit; a longer name is split where it makes two even
    lines (at a space, or after the hyphen of a double-barrelled name when that is clearly more even) in up to
    24 pt; a name too long even for that wraps on its own in a size that keeps it to a few lines. Widths are
    estimated from the characters: close enough to choose a size, and the template still wraps any line rather
    than let it overflow.
    """
    largest, smallest = NAME_SIZES_PT
    ems = _ems(name)
    one_line = int(NAME_WIDTH_PT / ems) if ems else largest
    if one_line >= largest - 4:
        return f"{min(largest, one_line)}pt", [name]
    lines = _two_lines(name)
    if lines:
        size = min(largest - 4, int(NAME_WIDTH_PT / max(_ems(line) for line in lines)))
        if size >= 16:
            return f"{size}pt", list(lines)
    return f"{max(smallest, min(largest - 4, int(1.9 * NAME_WIDTH_PT / ems))):d}pt", [name]


def verify_page(certificate: Certificate) -> str:
    """The verification page as printed for typing: the certificate's URL without its code (and without https)."""
    page = certificate.verify_url.removesuffix(f"{certificate.display_code}/")
    return page.removeprefix("https://")


def certificate_html(certificate: Certificate, paper: str) -> str:
    """The certificate as HTML ready for WeasyPrint."""
    name_size, name_lines = holder_name_layout(certificate.holder_name)
    return render_to_string(
        "certificates/certificate_pdf.html",
        {
            "certificate": certificate,
            "programme": certificate.programme,
            "page_size": PAGE_SIZES[paper],
            "frame_height": FRAME_HEIGHTS[paper],
            "font_family": fonts.css_font_family(),
            "code_font_family": fonts.css_font_family(fonts.MONOSPACE, "monospace"),
            "name_size": name_size,
            "name_lines": name_lines,
            "signature": signature_data_uri(certificate),
            "logo": logo_data_uri(certificate),
            "qr": qr_data_uri(certificate.verify_url),
            "verify_page": verify_page(certificate),
        },
    )


class _ErrorCollector(logging.Handler):
    """Collects what WeasyPrint logs rather than raises, in this thread: errors (an image it couldn't draw, a
    missing alt text) and the warning for a character drawn as a missing-glyph box."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        message = record.getMessage()
        if record.levelno >= logging.ERROR or message.startswith(".notdef glyph"):
            self.messages.append(message)


@contextmanager
def _weasyprint_errors() -> Iterator[list[str]]:
    logger = logging.getLogger("weasyprint")
    level = logger.level
    if not logger.isEnabledFor(logging.WARNING):  # LOG_LEVEL=ERROR must not hide a missing glyph
        logger.setLevel(logging.WARNING)
    collector = _ErrorCollector()
    logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)
        logger.setLevel(level)


def credential_attachment(credential: str) -> "weasyprint.Attachment":
    """The signed credential as a file inside the PDF, so the PDF alone can be checked, offline if need be."""
    import weasyprint

    return weasyprint.Attachment(
        string=credential,
        url_fetcher=_inline_only(),
        name=CREDENTIAL_FILENAME,
        description="Signed Open Badges 3.0 credential of this certificate (JSON, eddsa-rdfc-2022 proof)",
        relationship="Data",
    )


def certificate_pdf(certificate: Certificate, paper: str, *, credential: str | None = None) -> bytes:
    """Render the certificate on A4 or US Letter (landscape) as tagged PDF/UA, or raise RenderError.

    `credential`, the signed credential's JSON text, is embedded as the attachment credential.json.

    Raises RenderError when a font for some character of the text is missing, the signature image can't be
    read, or WeasyPrint reports an error or a missing glyph (a PDF with a box for a letter, a missing part or
    without its accessibility tags is never stored).
    """
    programme = certificate.programme
    try:
        fonts.check_coverage(
            " ".join(
                [
                    certificate.holder_name,
                    programme.name,
                    programme.abbreviation,
                    programme.issuing_body,
                    programme.signatory_name,
                    programme.signatory_title,
                    verify_page(certificate),
                ]
            )
        )
    except fonts.FontProblem as error:
        raise RenderError(str(error)) from error
    import weasyprint

    html = certificate_html(certificate, paper)
    with _weasyprint_errors() as errors:
        document = weasyprint.HTML(string=html, url_fetcher=_inline_only())
        pdf = document.write_pdf(
            pdf_variant="pdf/ua-1",
            pdf_identifier=certificate.code.encode("ascii"),
            attachments=[credential_attachment(credential)] if credential else [],
        )
    if errors:
        raise RenderError(f"The PDF of {certificate.number} came out incomplete: {'; '.join(errors)}")
    return pdf
