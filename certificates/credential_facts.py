"""What a verified credential says, read from the RDF its proof signed: never from the JSON keys that spelled it."""

from dataclasses import dataclass
from datetime import UTC, datetime

from dataintegrity.graph import BLANK, IRI, LITERAL, XSD_STRING, Graph, GraphError, Term

CREDENTIALS = "https://www.w3.org/2018/credentials#"
OPEN_BADGES = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
STATUS = "https://www.w3.org/ns/credentials/status#"
SCHEMA_NAME = "https://schema.org/name"
XSD_DATE_TIME = "http://www.w3.org/2001/XMLSchema#dateTime"
XSD_INTEGER = "https://www.w3.org/2001/XMLSchema#integer"  # sic: the VC 2.0 context types statusSize with https
NAME_TYPES = ("name", "ext:name")  # OB 3.0's identityType for a name; ext:name in credentials signed before it
MAX_INDEX_DIGITS = 9  # far more than any list of ours has places; longer is refused unparsed


class UnreadableFacts(ValueError):
    """The signed RDF doesn't state what the check relies on, exactly once; the message says what."""


@dataclass(frozen=True)
class StatusEntryFacts:
    """One BitstringStatusListEntry as signed: its purpose, index, size (None when absent) and list URL."""

    purpose: str
    index: int
    size: int | None
    list_url: str


@dataclass(frozen=True)
class CredentialFacts:
    """Every fact the verdict relies on, as the signature covers it."""

    credential_id: str
    types: frozenset[str]
    name: str
    issuer: str
    valid_from: datetime
    valid_until: datetime | None
    holder_name: str
    status_entries: tuple[StatusEntryFacts, ...]


def credential_facts(dataset: dict) -> CredentialFacts:
    """Read the credential's facts from the dataset a verified proof signed (pyld's form).

    The rule: exactly one verifiable credential, named by an IRI, in the default graph and nothing in other graphs;
    each fact the check uses stated once with the datatype the contexts give it. Raises UnreadableFacts otherwise.
    """
    try:
        return _facts(Graph(dataset))
    except GraphError as error:
        raise UnreadableFacts(str(error)) from error


def _facts(graph: Graph) -> CredentialFacts:
    if graph.named_graphs:
        raise GraphError("The signed data puts statements in a named graph, which our credentials never do.")
    credentials = graph.subjects_of_type(CREDENTIALS + "VerifiableCredential")
    if len(credentials) != 1 or credentials[0].kind != IRI:
        raise GraphError("The signed data doesn't describe exactly one credential with an address.")
    credential = credentials[0]
    subject = graph.one(credential, CREDENTIALS + "credentialSubject", "the credential's subject", kinds=(IRI, BLANK))
    name = graph.optional(credential, SCHEMA_NAME, "the credential's name", kinds=(LITERAL,), datatype=XSD_STRING)
    valid_until = graph.optional(
        credential, CREDENTIALS + "validUntil", "validUntil", kinds=(LITERAL,), datatype=XSD_DATE_TIME
    )
    return CredentialFacts(
        credential_id=credential.value,
        types=frozenset(graph.types(credential)),
        name=name.value if name else "",
        issuer=graph.one(credential, CREDENTIALS + "issuer", "the issuer", kinds=(IRI,)).value,
        valid_from=_moment(
            graph.one(credential, CREDENTIALS + "validFrom", "validFrom", kinds=(LITERAL,), datatype=XSD_DATE_TIME)
        ),
        valid_until=_moment(valid_until) if valid_until else None,
        holder_name=_holder_name(graph, subject),
        status_entries=tuple(
            _status_entry(graph, entry) for entry in graph.objects(credential, CREDENTIALS + "credentialStatus")
        ),
    )


def _holder_name(graph: Graph, subject: Term) -> str:
    """The name in the subject's one IdentityObject whose identityType is a name."""
    names = []
    for identifier in graph.objects(subject, OPEN_BADGES + "identifier"):
        kind = graph.optional(identifier, OPEN_BADGES + "identityType", "an identity's type", kinds=(LITERAL,))
        if kind is not None and kind.datatype == XSD_STRING and kind.value in NAME_TYPES:
            names.append(
                graph.one(
                    identifier, OPEN_BADGES + "identityHash", "the holder's name", kinds=(LITERAL,), datatype=XSD_STRING
                ).value
            )
    if len(names) != 1:
        raise GraphError(f"The signed data names the holder {len(names)} times, not once.")
    return names[0]


def _status_entry(graph: Graph, entry: Term) -> StatusEntryFacts:
    """One status entry's purpose, index, size and list, as signed."""
    if STATUS + "BitstringStatusListEntry" not in graph.types(entry):
        raise GraphError("The signed data has a status entry that isn't a Bitstring Status List entry.")
    index = graph.one(entry, STATUS + "statusListIndex", "statusListIndex", kinds=(LITERAL,), datatype=XSD_STRING)
    size = graph.optional(entry, STATUS + "statusSize", "statusSize", kinds=(LITERAL,), datatype=XSD_INTEGER)
    purpose = graph.one(entry, STATUS + "statusPurpose", "statusPurpose", kinds=(LITERAL,), datatype=XSD_STRING)
    return StatusEntryFacts(
        purpose=purpose.value,
        index=_whole_number(index.value, "statusListIndex"),
        size=_whole_number(size.value, "statusSize") if size else None,
        list_url=graph.one(entry, STATUS + "statusListCredential", "statusListCredential", kinds=(IRI,)).value,
    )


def _whole_number(text: str, what: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_INDEX_DIGITS):
        raise GraphError(f"The signed data's {what} is not a whole number in range.")
    return int(text)


def _moment(term: Term) -> datetime:
    try:
        moment = datetime.fromisoformat(term.value.replace("Z", "+00:00"))
    except ValueError:
        raise GraphError(f"The signed data's date {term.value!r} is not a date and time.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
