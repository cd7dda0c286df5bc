"""The fonts a certificate is set in, and a check that they cover every character before rendering."""

import os
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Font:
    """A font family in the certificate's stack and the Debian package that installs it."""

    family: str
    package: str


# In CSS order: Latin, Greek and Cyrillic first, then the scripts people's names are most often written in.
STACK = (
    Font("Noto Serif", "fonts-noto-core"),
    Font("Noto Sans", "fonts-noto-core"),
    Font("Noto Naskh Arabic", "fonts-noto-core"),
    Font("Noto Sans Hebrew", "fonts-noto-core"),
    Font("Noto Sans Devanagari", "fonts-noto-core"),
    Font("Noto Sans Bengali", "fonts-noto-core"),
    Font("Noto Sans Gurmukhi", "fonts-noto-core"),
    Font("Noto Sans Gujarati", "fonts-noto-core"),
    Font("Noto Sans Tamil", "fonts-noto-core"),
    Font("Noto Sans Thai", "fonts-noto-core"),
    Font("Noto Sans Ethiopic", "fonts-noto-core"),
    Font("Noto Sans Armenian", "fonts-noto-core"),
    Font("Noto Sans Georgian", "fonts-noto-core"),
    Font("Noto Serif CJK SC", "fonts-noto-cjk"),
    Font("Noto Sans CJK SC", "fonts-noto-cjk"),
    Font("DejaVu Sans", "fonts-dejavu-core"),
)
# The verification code only: ASCII capitals, digits and hyphens, which every fallback font has.
MONOSPACE = (Font("DejaVu Sans Mono", "fonts-dejavu-core"),)

# Style names fontconfig gives the upright, normal-weight face ("Book" is DejaVu's), best first.
_REGULAR_STYLES = ("Regular", "Book", "Normal", "Roman")


class FontProblem(Exception):
    """No installed font in the stack can show some of the text."""


def css_font_family(stack: tuple[Font, ...] = STACK, generic: str = "serif") -> str:
    """The stack as a CSS font-family value, ending in a generic family."""
    return ", ".join([*(f"'{font.family}'" for font in stack), generic])


def installed_fonts() -> dict[str, tuple[str, int]]:
    """Upright normal-weight font files known to fontconfig: family → (path, index in a collection).

    Read afresh on every call (fc-list takes about 10 ms), so fonts installed while the site runs count
    at the next rendering or retry without a restart.
    """
    try:
        listing = subprocess.run(  # noqa: S603
            ["fc-list", "--format", "%{family[0]}|%{style[0]}|%{index}|%{file}\n"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        raise FontProblem(
            f"Can't list the installed fonts ({error}). Install fontconfig (Debian: fontconfig)."
        ) from error
    ranked: dict[str, tuple[int, str, int]] = {}
    for line in listing.splitlines():
        parts = line.split("|", 3)
        if len(parts) != 4 or parts[1] not in _REGULAR_STYLES:
            continue
        family, style, index, path = parts
        rank = _REGULAR_STYLES.index(style)
        if family not in ranked or rank < ranked[family][0]:
            # A variable font's named instances carry the instance number above the face index.
            ranked[family] = (rank, path, int(index or 0) & 0xFFFF)
    return {family: (path, index) for family, (_, path, index) in ranked.items()}


@lru_cache(maxsize=64)
def _characters(path: str, index: int, modified: int) -> frozenset[int]:
    """The code points a font file maps (cached per file version: `modified` is its mtime)."""
    from fontTools.ttLib import TTFont, TTLibError  # here, not at import: only a PDF render needs it

    try:
        with TTFont(path, fontNumber=index, lazy=True) as font:
            return frozenset(font.getBestCmap() or ())
    except (OSError, TTLibError):
        return frozenset()  # unreadable: treated as covering nothing, so the check names the characters


def _covered(path: str, index: int) -> frozenset[int]:
    try:
        modified = os.stat(path).st_mtime_ns
    except OSError:
        return frozenset()
    return _characters(path, index, modified)


def _needs_glyph(character: str) -> bool:
    return not (character.isspace() or unicodedata.category(character) in {"Cc", "Cf", "Zs", "Zl", "Zp"})


def check_coverage(text: str, stack: tuple[Font, ...] = STACK) -> None:
    """Raise FontProblem naming the characters no installed font in the stack covers, and what to install."""
    wanted = {character for character in text if _needs_glyph(character)}
    if not wanted:
        return
    installed = installed_fonts()
    covered: set[int] = set()
    for font in stack:
        if font.family in installed:
            covered |= _covered(*installed[font.family])
    uncovered = sorted(character for character in wanted if ord(character) not in covered)
    if not uncovered:
        return
    listed = ", ".join(f"{character} (U+{ord(character):04X})" for character in uncovered)
    missing = [font for font in stack if font.family not in installed]
    if missing:
        packages = " ".join(sorted({font.package for font in missing}))
        hint = (
            f" Not installed: {', '.join(font.family for font in missing)}. "
            f"Install the Debian packages {packages} (sudo apt-get install {packages}), then retry."
        )
    else:
        hint = " Every font of the certificate is installed; add one that covers them to certificates/fonts.py."
    raise FontProblem(f"No installed font can show {listed}.{hint}")
