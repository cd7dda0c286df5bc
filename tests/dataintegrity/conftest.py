"""Fixtures for the dataintegrity tests: the W3C eddsa-rdfc-2022 vectors and a loader knowing their example context."""

import json
from pathlib import Path

import pytest

from dataintegrity.contexts import document_loader
from dataintegrity.multikey import public_key_from_multibase

DATA = Path(__file__).parent / "data"
EXAMPLES_CONTEXT_URL = "https://www.w3.org/ns/credentials/examples/v2"
EXAMPLES_CONTEXT = {"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}}


def vector_text(name: str) -> str:
    """One W3C test vector file (from the vc-di-eddsa Recommendation) as text."""
    return (DATA / name).read_text(encoding="utf-8")


def vector_json(name: str) -> dict:
    """One W3C test vector JSON file, parsed."""
    return json.loads(vector_text(name))


def resolve_did_key(verification_method: str):
    """The public key of a did:key verification method, read from the multibase after its '#'."""
    did, _, fragment = verification_method.partition("#")
    if not did.startswith("did:key:") or fragment != did.removeprefix("did:key:"):
        return None
    return public_key_from_multibase(fragment)


@pytest.fixture
def examples_loader():
    """A document loader that also knows the W3C examples context the test vectors use."""
    return document_loader({EXAMPLES_CONTEXT_URL: EXAMPLES_CONTEXT})
