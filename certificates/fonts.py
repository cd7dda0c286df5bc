"""The fonts a certificate is set in, and a check that they cover every character before rendering."""

import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from fontTools.ttLib import TTCollection, TTFont


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


class FontProblem(Exception):
    """No installed font in the stack can show some of the text."""


def css_font_family(stack: tuple[Font, ...] = STACK) -> str:
    """The stack as a CSS font-family value."""
    return ", ".join(f"'{font.family}'" for font in stack)


@lru_cache(maxsize=1)
def installed_fonts() -> dict[str, tuple[str, int]]:
    """Regular-weight font files known to fontconfig: family → (path, index in a collection)."""
    listing = subprocess.run(  # noqa: S603
        ["fc-list", "--format", "%{family[0]}|%{style[0]}|%{file}|%{index}\n"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {}
    for line in listing.splitlines():
        family, style, path, index = line.split("|")
        if style == "Regular":
            found[family] = (path, int(index or 0))
    return found


@lru_cache(maxsize=64)
def _characters(path: str, index: int) -> frozenset[int]:
    font = TTCollection(path, lazy=True).fonts[index] if path.endswith(".ttc") else TTFont(path, lazy=True)
    return frozenset(font.getBestCmap())


def _needs_glyph(character: str) -> bool:
    return not (character.isspace() or unicodedata.category(character) in {"Cc", "Cf", "Zs"})


def check_coverage(text: str, stack: tuple[Font, ...] = STACK) -> None:
    """Raise FontProblem naming the characters no installed font in the stack covers, and what to install."""
    installed = installed_fonts()
    missing_fonts = [font for font in stack if font.family not in installed]
    covered = set()
    for font in stack:
        if font.family in installed:
            covered |= _characters(*installed[font.family])
    uncovered = sorted({character for character in text if _needs_glyph(character) and ord(character) not in covered})
    if uncovered:
        listed = " ".join(f"{character} (U+{ord(character):04X})" for character in uncovered)
        packages = sorted({font.package for font in missing_fonts})
        hint = (
            f" Not installed: {', '.join(f.family for f in missing_fonts)} (Debian: {' '.join(packages)})."
            if missing_fonts
            else ""
        )
        raise FontProblem(f"No installed font can show {listed}.{hint}")
