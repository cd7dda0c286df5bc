"""The privacy notice and the code of ethics: their source files, which the demo loader turns into site pages."""

from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parent / "pages"
POLICY_PAGES = ("privacy", "code-of-ethics")
"""Slugs of the pages, each with its source in pages/<slug>.yaml (title, intro, body blocks like site.yaml's)."""


def policy_page_path(slug: str) -> Path:
    """The source file of one policy page."""
    return PAGES_DIR / f"{slug}.yaml"
