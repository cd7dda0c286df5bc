"""Reading facts from the RDF a document means, not from how its JSON spelled them."""

import pytest

from dataintegrity.contexts import document_loader
from dataintegrity.eddsa_rdfc_2022 import rdf_dataset
from dataintegrity.graph import BLANK, IRI, LITERAL, RDF_TYPE, Graph, GraphError, Term

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
VC = "https://www.w3.org/2018/credentials#"
CREDENTIAL = Term(IRI, "https://lms.example/credentials/1")


def graph(document: dict) -> Graph:
    return Graph(rdf_dataset(document, loader=document_loader()))


PLAIN = {
    "@context": [CREDENTIALS_V2],
    "id": "https://lms.example/credentials/1",
    "type": ["VerifiableCredential"],
    "issuer": "did:web:lms.example",
    "validFrom": "2026-01-01T00:00:00Z",
    "credentialSubject": {"name": "Ada"},
}
# The same statements spelled with keywords, full IRIs and a value object: the graph is the same.
SPELLED_OTHERWISE = {
    "@context": [CREDENTIALS_V2],
    "@id": "https://lms.example/credentials/1",
    "@type": "VerifiableCredential",
    VC + "issuer": {"@id": "did:web:lms.example"},
    "validFrom": {"@value": "2026-01-01T00:00:00Z", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
    "credentialSubject": [{"https://schema.org/name": "Ada"}],
}


@pytest.mark.parametrize("document", [PLAIN, SPELLED_OTHERWISE], ids=["plain", "spelled otherwise"])
def test_the_same_facts_whatever_the_spelling(document):
    read = graph(document)
    assert read.subjects_of_type(VC + "VerifiableCredential") == [CREDENTIAL]
    assert read.one(CREDENTIAL, VC + "issuer", "the issuer", kinds=(IRI,)) == Term(IRI, "did:web:lms.example")
    valid_from = read.one(CREDENTIAL, VC + "validFrom", "validFrom", kinds=(LITERAL,))
    assert (valid_from.value, valid_from.datatype) == (
        "2026-01-01T00:00:00Z",
        "http://www.w3.org/2001/XMLSchema#dateTime",
    )
    subject = read.one(CREDENTIAL, VC + "credentialSubject", "the subject", kinds=(BLANK,))
    assert read.one(subject, "https://schema.org/name", "a name").value == "Ada"
    assert read.types(CREDENTIAL) == {VC + "VerifiableCredential"}
    assert read.optional(CREDENTIAL, VC + "validUntil", "validUntil") is None
    assert read.named_graphs == []


def test_one_refuses_none_two_or_the_wrong_kind():
    read = graph({**PLAIN, "validUntil": "2027-01-01T00:00:00Z", "issuer": ["did:web:a.example", "did:web:b.example"]})
    with pytest.raises(GraphError, match="2 values for the issuer"):
        read.one(CREDENTIAL, VC + "issuer", "the issuer")
    with pytest.raises(GraphError, match="0 values for the evidence"):
        read.one(CREDENTIAL, VC + "evidence", "the evidence")
    with pytest.raises(GraphError, match="validUntil is not of the expected kind"):
        read.one(CREDENTIAL, VC + "validUntil", "validUntil", kinds=(LITERAL,), datatype="plain text")
    with pytest.raises(GraphError, match="type is not of the expected kind"):
        read.one(CREDENTIAL, RDF_TYPE, "type", kinds=(LITERAL,))


def test_statements_in_a_named_graph_are_kept_apart():
    inner = {key: value for key, value in PLAIN.items() if key != "@context"}
    read = graph({"@context": [CREDENTIALS_V2], "@id": "https://lms.example/g", "@graph": [inner]})
    assert read.named_graphs == ["https://lms.example/g"]
    assert read.subjects_of_type(VC + "VerifiableCredential") == []
