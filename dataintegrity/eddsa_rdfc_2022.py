"""The W3C Data Integrity cryptosuite eddsa-rdfc-2022: RDFC-1.0 canonical N-Quads, SHA-256 and Ed25519."""

import copy
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver
from pyld.jsonld import JsonLdProcessor

from .contexts import ContextsMissing, UnknownDocument
from .multikey import base58btc_decode, base58btc_encode

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
SIGNATURE_LENGTH = 64
MAX_PROOF_VALUE_LENGTH = 100  # 'z' + base58btc of 64 bytes is at most 89 characters; longer is refused unparsed

# XML Schema dateTimeStamp (a dateTime that must carry a time zone), as the spec requires of `created`.
DATE_TIME_STAMP = re.compile(
    r"-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?"
    r"(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)"
)
# What jsonld.js counts as an absolute IRI (a scheme, then no whitespace); blank node labels pass too.
ABSOLUTE_IRI = re.compile(r"([A-Za-z][A-Za-z0-9+\-.]*|_):\S*")

_LITERAL_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_LITERAL_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')
_IRI_NEEDS_ESCAPE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class CanonicalizationError(ValueError):
    """A document cannot be canonicalized safely: invalid JSON-LD, an unknown context, or data that would be lost."""


@dataclass(frozen=True)
class ProofCheck:
    """The outcome of checking one proof: a machine code for programs and a plain-words message for people."""

    verified: bool
    code: str  # verified, no_proof, unsupported_proof, unknown_key, bad_signature, malformed
    message: str
    verification_method: str | None = None
    dataset: dict | None = field(default=None, compare=False, repr=False)  # what a verified proof signed, as RDF


def _escape_literal(value: str) -> str:
    """Escape a literal the way RDFC-1.0's canonical N-Quads does (ECHAR where one exists, else \\uXXXX)."""
    return _LITERAL_NEEDS_ESCAPE.sub(lambda match: _LITERAL_ESCAPES.get(match[0], f"\\u{ord(match[0]):04X}"), value)


def _escape_iri(value: str) -> str:
    """Escape the characters an N-Quads IRI reference may not hold as \\uXXXX."""
    return _IRI_NEEDS_ESCAPE.sub(lambda match: f"\\u{ord(match[0]):04X}", value)


def _serialize_term(term: dict) -> str:
    """One subject, object or graph name in canonical N-Quads form."""
    if term["type"] == "IRI":
        return f"<{_escape_iri(term['value'])}>"
    if term["type"] == "blank node":
        return term["value"]
    literal = f'"{_escape_literal(term["value"])}"'
    if term["datatype"] == _RDF_LANGSTRING:
        return f"{literal}@{term['language']}" if term.get("language") else literal
    if term["datatype"] != _XSD_STRING:
        return f"{literal}^^<{_escape_iri(term['datatype'])}>"
    return literal


def _serialize_quad(quad: dict) -> str:
    """One quad as a canonical N-Quads line, as the RDFC-1.0 specification serializes it."""
    parts = [_serialize_term(quad["subject"]), _serialize_term(quad["predicate"]), _serialize_term(quad["object"])]
    if quad.get("name") and quad["name"].get("value") is not None:
        parts.append(_serialize_term(quad["name"]))
    return " ".join(parts) + " .\n"


class Rdfc10(URDNA2015):
    """pyld's URDNA2015 made exactly RDFC-1.0: its N-Quads escaping, and a cap on deep iterations (poison graphs)."""

    def __init__(self):
        """Start with no deep-iteration budget; it is set once the non-unique blank nodes are known."""
        super().__init__()
        self.remaining_deep_iterations: int | None = None

    def main(self, dataset: dict, options: dict) -> str:
        """Canonical N-Quads of a pyld RDF dataset: pyld labels the blank nodes, the lines are made here."""
        super().main(dataset, {"format": "application/n-quads"})  # relabels self.quads with canonical identifiers
        return "".join(sorted(_serialize_quad(quad) for quad in self.quads))

    def hash_first_degree_quads(self, id_: str) -> str:
        """RDFC-1.0 Hash First Degree Quads, serializing with RDFC-1.0's escaping."""
        info = self.blank_node_info[id_]
        if "hash" not in info:
            nquads = []
            for quad in info["quads"]:
                masked = {
                    key: component if key == "predicate" else self.modify_first_degree_component(id_, component, key)
                    for key, component in quad.items()
                }
                nquads.append(_serialize_quad(masked))
            info["hash"] = self.hash_nquads(sorted(nquads))
        return info["hash"]

    def hash_n_degree_quads(self, id_: str, issuer) -> dict:
        """RDFC-1.0 Hash N-Degree Quads, allowed as many calls as there are non-unique blank nodes (work factor 1)."""
        if self.remaining_deep_iterations is None:
            self.remaining_deep_iterations = sum(len(ids) for ids in self.hash_to_blank_nodes.values())
        if self.remaining_deep_iterations <= 0:
            raise CanonicalizationError("The document's blank nodes are too entangled to canonicalize (poison graph).")
        self.remaining_deep_iterations -= 1
        return super().hash_n_degree_quads(id_, issuer)


class _DroppedTerm(Exception):
    """Raised from pyld's expansion when a property has no definition and would silently vanish."""


def _refuse_dropped_property(expanded_property) -> None:
    """pyld's on_property_dropped hook: refuse, as jsonld.js safe mode does, instead of dropping data unsigned."""
    raise _DroppedTerm(f"the property {expanded_property!r} is not defined by any @context")


def _check_absolute_iris(expanded) -> None:
    """Refuse relative or blank-node IRIs that RDF conversion would drop (jsonld.js safe mode's IRI checks)."""
    if isinstance(expanded, list):
        for item in expanded:
            _check_absolute_iris(item)
        return
    if not isinstance(expanded, dict):
        return
    types = expanded.get("@type", [])
    for type_ in types if isinstance(types, list) else [types]:
        if type_ != "@json" and not (isinstance(type_, str) and ABSOLUTE_IRI.fullmatch(type_)):
            raise CanonicalizationError(f"The type {type_!r} is not an absolute IRI.")
    if "@value" in expanded:
        return
    if "@id" in expanded and not (isinstance(expanded["@id"], str) and ABSOLUTE_IRI.fullmatch(expanded["@id"])):
        raise CanonicalizationError(f"The id {expanded['@id']!r} is not an absolute IRI.")
    for key, value in expanded.items():
        if key.startswith("_:"):
            raise CanonicalizationError(f"The property {key!r} is a blank node, which RDF does not allow.")
        if not key.startswith("@") and not ABSOLUTE_IRI.fullmatch(key):
            raise CanonicalizationError(f"The property {key!r} is not an absolute IRI.")
        if key not in ("@id", "@type"):
            _check_absolute_iris(value)


def rdf_dataset(document: dict, *, loader) -> dict:
    """The RDF dataset a JSON-LD document means (pyld's form), refusing (CanonicalizationError) anything it would drop.

    This is what a proof signs: canonicalization only relabels its blank nodes and sorts its quads.
    """
    options = {
        "base": None,  # as jsonld.js does for canonicalization; pyld resolves against a made-up base given ""
        "documentLoader": loader,
        "contextResolver": ContextResolver({}, loader),  # a private cache: `extra` documents never leak between calls
        "rdfDirection": "i18n-datatype",
        "produceGeneralizedRdf": False,
    }
    processor = JsonLdProcessor(on_property_dropped=_refuse_dropped_property)
    try:
        expanded = processor.expand(document, options)
        _check_absolute_iris(expanded)
        dataset = processor.to_rdf(expanded, options)
        if not any(dataset.values()):
            raise CanonicalizationError("The document holds no linked data to sign.")
        return dataset
    except CanonicalizationError:
        raise
    except Exception as error:  # pyld raises many kinds of error on malformed input
        causes = list(_causes(error))
        missing = next((cause for cause in causes if isinstance(cause, ContextsMissing)), None)
        if missing is not None:
            raise missing from error
        explained = next((cause for cause in causes if isinstance(cause, _DroppedTerm | UnknownDocument)), None)
        reason = _first_line(explained or error)
        raise CanonicalizationError(f"The document is not valid JSON-LD for signing: {reason}.") from error


def canonize_dataset(dataset: dict) -> str:
    """RDFC-1.0 canonical N-Quads of an RDF dataset from rdf_dataset (left unchanged)."""
    try:
        return Rdfc10().main(copy.deepcopy(dataset), {})
    except CanonicalizationError:
        raise
    except Exception as error:  # a dataset pyld made itself; anything odd is still the document's fault
        raise CanonicalizationError(f"The document can't be canonicalized: {_first_line(error)}.") from error


def canonize(document: dict, *, loader) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, refusing (CanonicalizationError) anything it would drop."""
    return canonize_dataset(rdf_dataset(document, loader=loader))


def _causes(error: BaseException):
    """The exception and its chain of causes, outermost first."""
    seen = set()
    while error is not None and id(error) not in seen:
        yield error
        seen.add(id(error))
        error = error.__cause__ or error.__context__


def _first_line(error: BaseException) -> str:
    """A short description of an exception: its first message line, or its class name."""
    text = (error.args[0] if error.args and isinstance(error.args[0], str) else str(error)).strip()
    return text.splitlines()[0].rstrip(".") if text else type(error).__name__


def _hash_data(document_dataset: dict, proof_config: dict, loader) -> bytes:
    """The spec's hashData: SHA-256 of the canonical proof configuration, then of the canonical document."""
    proof_config_hash = hashlib.sha256(_utf8(canonize(proof_config, loader=loader))).digest()
    document_hash = hashlib.sha256(_utf8(canonize_dataset(document_dataset))).digest()
    return proof_config_hash + document_hash


def _utf8(text: str) -> bytes:
    """Canonical N-Quads as UTF-8; text that has no UTF-8 form (a lone surrogate) can't be signed or verified."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalizationError("The document holds text that isn't valid Unicode (a lone surrogate).") from None


def add_proof(
    document: dict,
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str | None = None,
    proof_purpose: str = "assertionMethod",
    loader,
) -> dict:
    """A new document: `document` plus an eddsa-rdfc-2022 DataIntegrityProof signed with `private_key`.

    `created`, when given, must be an XML Schema dateTimeStamp such as 2026-01-31T12:00:00Z. Raises ValueError
    (CanonicalizationError) when the document is not JSON-LD that can be signed without losing data.
    """
    if "proof" in document:
        raise ValueError("The document already has a proof; sign the unsecured document.")
    if created is not None and not DATE_TIME_STAMP.fullmatch(created):
        raise ValueError(f"created must be an XML Schema dateTimeStamp like 2026-01-31T12:00:00Z, not {created!r}.")
    proof = {"type": PROOF_TYPE, "cryptosuite": CRYPTOSUITE}
    if created is not None:
        proof["created"] = created
    proof["verificationMethod"] = verification_method
    proof["proofPurpose"] = proof_purpose
    proof_config = dict(proof)
    if "@context" in document:
        proof_config["@context"] = document["@context"]
    signature = private_key.sign(_hash_data(rdf_dataset(document, loader=loader), proof_config, loader))
    secured = copy.deepcopy(document)
    secured["proof"] = {**proof, "proofValue": "z" + base58btc_encode(signature)}
    return secured


def _context_list(value) -> list:
    """A document's @context as a list."""
    return value if isinstance(value, list) else [value]


def _check_one_proof(
    document: dict, proof: dict, resolve_key: Callable[[str], Ed25519PublicKey | None], loader, expected_purpose: str
) -> ProofCheck:
    """Check a single eddsa-rdfc-2022 proof object against the document without its proof."""
    method = proof.get("verificationMethod")
    method = method if isinstance(method, str) else None
    if proof.get("proofPurpose") != expected_purpose:
        purpose = proof.get("proofPurpose")
        message = f"The proof was made for {purpose!r}, not for {expected_purpose!r}."
        return ProofCheck(False, "unsupported_proof", message, method)
    if method is None:
        return ProofCheck(False, "malformed", "The proof does not name its verification method.", None)
    proof_value = proof.get("proofValue")
    if not isinstance(proof_value, str) or not proof_value.startswith("z"):
        return ProofCheck(False, "malformed", "The proof value is missing or not base58btc multibase.", method)
    if len(proof_value) > MAX_PROOF_VALUE_LENGTH:
        return ProofCheck(False, "malformed", "The proof value is far too long for an Ed25519 signature.", method)
    try:
        signature = base58btc_decode(proof_value[1:])
    except ValueError:
        return ProofCheck(False, "malformed", "The proof value is not valid base58btc.", method)
    if len(signature) != SIGNATURE_LENGTH:
        return ProofCheck(False, "malformed", "The proof value is not a 64-byte Ed25519 signature.", method)
    created = proof.get("created")
    if created is not None and not (isinstance(created, str) and DATE_TIME_STAMP.fullmatch(created)):
        return ProofCheck(False, "malformed", "The proof's creation time is not a valid date and time.", method)

    proof_config = {key: value for key, value in proof.items() if key != "proofValue"}
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    if "@context" in proof_config:
        proof_contexts = _context_list(proof_config["@context"])
        if _context_list(document.get("@context"))[: len(proof_contexts)] != proof_contexts:
            return ProofCheck(False, "malformed", "The proof's @context does not match the document's.", method)
        unsecured["@context"] = proof_config["@context"]
    elif "@context" in document:
        proof_config["@context"] = document["@context"]

    try:
        public_key = resolve_key(method)
    except (ValueError, LookupError):
        public_key = None
    if public_key is None:
        return ProofCheck(False, "unknown_key", f"The signing key {method} is not known here.", method)

    try:
        dataset = rdf_dataset(unsecured, loader=loader)
        hash_data = _hash_data(dataset, proof_config, loader)
    except CanonicalizationError as error:
        return ProofCheck(False, "malformed", str(error), method)
    try:
        public_key.verify(signature, hash_data)
    except InvalidSignature:
        return ProofCheck(
            False, "bad_signature", "The signature does not match: the document was changed after signing.", method
        )
    return ProofCheck(True, "verified", "The signature is valid.", method, dataset)


def verify_proof(
    document: dict,
    *,
    resolve_key: Callable[[str], Ed25519PublicKey | None],
    loader,
    expected_purpose: str = "assertionMethod",
) -> ProofCheck:
    """Check a document's eddsa-rdfc-2022 proof; never raises for bad input, the ProofCheck's code says what failed.

    `resolve_key` maps a verificationMethod URL to its Ed25519 public key, or None (or ValueError) when unknown.
    With several proofs, the result is the first that verifies, else the first failure.
    Only ContextsMissing (a deployment fault, not bad input) is raised.
    """
    if not isinstance(document, dict):
        return ProofCheck(False, "malformed", "The credential is not a JSON object.")
    proofs = document.get("proof")
    if proofs is None:
        return ProofCheck(False, "no_proof", "The credential has no proof (it is not signed).")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    if not proofs or not all(isinstance(proof, dict) for proof in proofs):
        return ProofCheck(False, "malformed", "The credential's proof is not a JSON object.")
    supported = [
        proof for proof in proofs if proof.get("type") == PROOF_TYPE and proof.get("cryptosuite") == CRYPTOSUITE
    ]
    if not supported:
        found = ", ".join(sorted({f"{proof.get('type')} ({proof.get('cryptosuite')})" for proof in proofs}))
        message = f"The credential is signed with {found}; only {PROOF_TYPE} ({CRYPTOSUITE}) signatures are checked."
        return ProofCheck(False, "unsupported_proof", message)
    results = [_check_one_proof(document, proof, resolve_key, loader, expected_purpose) for proof in supported]
    return next((result for result in results if result.verified), results[0])
