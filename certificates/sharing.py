"""Sharing a certificate: its LinkedIn add-to-profile link and the programme's badge image (SVG and PNG)."""

import io
import textwrap
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont

from certificates.fonts import FontProblem, installed_fonts
from certificates.models import Certificate

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"
BADGE_SIZE = 400  # the SVG's user units; the PNG is drawn at this scale times PNG_SCALE
PNG_SCALE = 1.28  # a 512 px PNG
BADGE_FONTS = ("Noto Sans", "DejaVu Sans")
NAME_LINE_CHARACTERS = 20
NAME_LINES = 3


def linkedin_add_url(certificate: Certificate) -> str:
    """LinkedIn's add-to-profile link, filled in with the credential, issuer, dates, number and verify page."""
    programme = certificate.programme
    parameters = {
        "startTask": "CERTIFICATION_NAME",
        "name": f"{programme.name} ({programme.abbreviation})",
        "organizationName": programme.issuing_body,
        "issueYear": certificate.issued_on.year,
        "issueMonth": certificate.issued_on.month,
        "expirationYear": certificate.expires_on.year,
        "expirationMonth": certificate.expires_on.month,
        "certId": certificate.number,
        "certUrl": certificate.verify_url,
    }
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(parameters, quote_via=quote)}"


def badge_url(abbreviation: str, kind: str) -> str:
    """The public address of a programme's badge image: kind is svg or png."""
    return settings.SITE_URL + reverse(f"badge_{kind}", args=[abbreviation])


def badge_lines(name: str) -> list[str]:
    """The programme's name broken into the badge's lines: at most three, the last shortened with … if need be."""
    lines = textwrap.wrap(name, NAME_LINE_CHARACTERS, break_long_words=True) or [""]
    if len(lines) > NAME_LINES:
        last = textwrap.shorten(" ".join(lines[NAME_LINES - 1 :]), NAME_LINE_CHARACTERS, placeholder="…")
        lines = [*lines[: NAME_LINES - 1], last]
    return lines


def badge_svg(*, name: str, abbreviation: str, issuing_body: str) -> str:
    """The badge as an SVG document, from templates/certificates/badge.svg."""
    lines = badge_lines(name)
    first_line_y = 258 - (len(lines) - 1) * 13
    return render_to_string(
        "certificates/badge.svg",
        {
            "name": name,
            "abbreviation": abbreviation,
            "issuing_body": issuing_body,
            "lines": [(line, first_line_y + number * 27) for number, line in enumerate(lines)],
            "abbreviation_size": _abbreviation_size(abbreviation),
        },
    )


def _abbreviation_size(abbreviation: str) -> int:
    """Big letters for short abbreviations, smaller ones so that twelve still fit inside the ring."""
    return 80 if len(abbreviation) <= 4 else max(30, 340 // len(abbreviation))


@lru_cache(maxsize=64)
def badge_png(*, name: str, abbreviation: str, issuing_body: str) -> bytes:
    """The badge as a PNG, drawn with Pillow to the SVG's design; memoised per process (it depends on nothing else)."""
    scale = PNG_SCALE * 2  # drawn at twice the size, then shrunk: Pillow's shapes have no anti-aliasing
    size = round(BADGE_SIZE * scale)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    def box(radius: float) -> tuple[int, int, int, int]:
        low, high = round((BADGE_SIZE / 2 - radius) * scale), round((BADGE_SIZE / 2 + radius) * scale)
        return (low, low, high, high)

    draw.ellipse(box(196), fill="#063f3d")
    draw.ellipse(box(178), fill="#0a5c59", outline="#f2c14e", width=round(6 * scale))
    draw.ellipse(box(160), outline="#ffffff", width=round(2 * scale))
    centre_x = size / 2
    draw.text(
        (centre_x, 190 * scale),
        abbreviation,
        fill="#ffffff",
        anchor="ms",
        font=_font(_abbreviation_size(abbreviation) * scale, bold=True),
    )
    lines = badge_lines(name)
    first_line_y = 258 - (len(lines) - 1) * 13
    name_font = _font(22 * scale)
    for number, line in enumerate(lines):
        draw.text((centre_x, (first_line_y + number * 27) * scale), line, fill="#ffffff", anchor="ms", font=name_font)
    draw.text((centre_x, 104 * scale), "C E R T I F I E D", fill="#f2c14e", anchor="ms", font=_font(18 * scale))
    final = round(BADGE_SIZE * PNG_SCALE)
    output = io.BytesIO()
    image.resize((final, final), Image.Resampling.LANCZOS).save(output, format="PNG", optimize=True)
    return output.getvalue()


def _font(size: float, *, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The first badge font installed (its bold face if asked and there is one), at this size; else Pillow's own."""
    try:
        fonts = installed_fonts()
    except FontProblem:
        fonts = {}
    for family in BADGE_FONTS:
        if family in fonts:
            path, index = fonts[family]
            stem, _, suffix = path.rpartition(".")
            bold_path = f"{stem.removesuffix('-Regular')}-Bold.{suffix}"
            if bold and Path(bold_path).is_file():
                return ImageFont.truetype(bold_path, round(size))
            return ImageFont.truetype(path, round(size), index=index)
    return ImageFont.load_default(round(size))
