"""The local JSON-LD context loader: every context the credentials need, and never the network."""

import pytest
from pyld.jsonld import JsonLdError

from dataintegrity.contexts import (
    ContextsMissing,
    UnknownDocument,
    document_loader,
    known_context_urls,
    local_context,
)

REQUIRED_CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/multikey/v1",
    "https://www.w3.org/ns/did/v1",
    "https://www.w3.org/ns/credentials/status/v1",
]


@pytest.mark.parametrize("url", REQUIRED_CONTEXTS)
def test_required_contexts_are_local(url):
    """Each context the certificates use is installed and is a JSON-LD context document."""
    assert url in known_context_urls()
    assert "@context" in local_context(url)


def test_credentials_v2_defines_the_status_list_terms():
    """In VC 2.0 the Bitstring Status List terms come with credentials/v2 itself."""
    context = local_context("https://www.w3.org/ns/credentials/v2")["@context"]
    assert {"BitstringStatusListCredential", "BitstringStatusListEntry", "DataIntegrityProof"} <= set(context)


def test_local_context_returns_a_fresh_copy():
    """Changing a returned context does not change what the next caller gets."""
    local_context("https://www.w3.org/ns/did/v1")["@context"]["poisoned"] = True
    assert "poisoned" not in local_context("https://www.w3.org/ns/did/v1")["@context"]


def test_unknown_url_is_an_error_not_a_request():
    """local_context raises UnknownDocument, and the pyld loader raises JsonLdError for pyld to report."""
    with pytest.raises(UnknownDocument):
        local_context("https://example.org/not-a-context")
    with pytest.raises(JsonLdError) as caught:
        document_loader()("https://example.org/not-a-context")
    assert isinstance(caught.value.__cause__, UnknownDocument)


def test_loader_serves_extra_documents_first():
    """Documents passed as `extra` win over the local contexts and come back in pyld's remote-document shape."""
    url = "https://www.w3.org/ns/did/v1"
    loader = document_loader({url: {"@context": {"x": "urn:x"}}})
    assert loader(url, {}) == {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": {"x": "urn:x"}},
    }
    assert "@context" in document_loader()(url)["document"]


def test_missing_directory_gives_advice(tmp_path, monkeypatch):
    """Without index.json the error says how to install the contexts."""
    monkeypatch.setattr("dataintegrity.contexts.CONTEXT_DIR", tmp_path)
    with pytest.raises(ContextsMissing, match="make install"):
        local_context("https://www.w3.org/ns/credentials/v2")
