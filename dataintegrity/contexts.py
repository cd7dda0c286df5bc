"""JSON-LD context documents from the pinned npm packages, served to pyld from local files and never the network."""

import json
import os
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path

from pyld.jsonld import JsonLdError

CONTEXT_DIR = Path(
    os.environ.get("JSONLD_CONTEXT_DIR") or Path(__file__).resolve().parent.parent / "var" / "jsonld-contexts"
)


class ContextsMissing(RuntimeError):
    """The extracted context files are not there: the npm packages were never installed."""


class UnknownDocument(ValueError):
    """No local document exists for a URL; nothing is ever fetched from the network instead."""


@lru_cache(maxsize=4)
def _index(directory: Path) -> dict[str, str]:
    """Map each context URL to its file name, as written by scripts/extract-contexts.mjs."""
    index_file = directory / "index.json"
    try:
        return json.loads(index_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContextsMissing(
            f"No JSON-LD contexts at {index_file}. Run `make install` (it runs scripts/node-deps.sh), "
            "or point JSONLD_CONTEXT_DIR at a directory made by scripts/extract-contexts.mjs."
        ) from None


@lru_cache(maxsize=64)
def _context_text(directory: Path, url: str) -> str:
    """The raw JSON text of one context file; cached, and parsed afresh by each caller."""
    file_name = _index(directory).get(url)
    if file_name is None:
        raise UnknownDocument(f"No local JSON-LD document for {url!r}; documents are never fetched from the network.")
    try:
        return (directory / file_name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContextsMissing(
            f"{directory / file_name} is listed in index.json but missing. Run `make install` again."
        ) from None


def known_context_urls() -> list[str]:
    """Every context URL available locally, sorted."""
    return sorted(_index(CONTEXT_DIR))


def local_context(url: str) -> dict:
    """The parsed context document for a URL (a fresh copy each call, so callers may change it)."""
    return json.loads(_context_text(CONTEXT_DIR, url))


def document_loader(extra: Mapping[str, dict] | None = None) -> Callable[..., dict]:
    """A pyld document loader that serves `extra` documents first, then the local contexts, and nothing else."""
    extra_texts = {url: json.dumps(document) for url, document in (extra or {}).items()}

    def load(url: str, options: dict | None = None) -> dict:
        """Return the pyld remote document for a URL, or raise JsonLdError when there is none locally."""
        if url in extra_texts:
            document = json.loads(extra_texts[url])
        else:
            try:
                document = local_context(url)
            except UnknownDocument as error:
                raise JsonLdError(
                    str(error), "jsonld.LoadDocumentError", {"url": url}, code="loading document failed"
                ) from error
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": document}

    return load
