"""Other JSON-LD spellings of a signed credential: the same RDF (so the signature still verifies), different JSON.

Each transformation takes a signed credential (current or legacy form) and returns a changed copy, proof kept.
`SAME_MEANING` says whether the signed RDF is unchanged (the proof still verifies); the others are near misses a
forger might try (redefining a protected term, a relative IRI), which change or break the meaning.
"""

import copy
from collections.abc import Callable

CREDENTIALS = "https://www.w3.org/2018/credentials#"
STATUS = "https://www.w3.org/ns/credentials/status#"
XSD_DATE_TIME = "http://www.w3.org/2001/XMLSchema#dateTime"
OB_302 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"


def _entries(credential: dict) -> list[dict]:
    status = credential["credentialStatus"]
    return status if isinstance(status, list) else [status]


def _with_context(credential: dict, extra) -> dict:
    credential["@context"] = [*credential["@context"], extra]
    return credential


def _rename(mapping: dict, old: str, new: str) -> None:
    """Rename a key in place, keeping its position (order is no part of JSON's meaning, but it reads better)."""
    items = [(new if key == old else key, value) for key, value in mapping.items()]
    mapping.clear()
    mapping.update(items)


def keyword_for_id(credential):
    """The issue's example, part 1: the top-level id spelled @id."""
    _rename(credential, "id", "@id")
    return credential


def keyword_for_status_type(credential):
    """The issue's example, part 2: each status entry's type spelled @type."""
    for entry in _entries(credential):
        _rename(entry, "type", "@type")
    return credential


def the_issue_s_example(credential):
    """Both at once, as the issue reported: @id at the top and @type in the status entries."""
    return keyword_for_status_type(keyword_for_id(credential))


def keyword_for_top_type(credential):
    """The credential's types under @type."""
    _rename(credential, "type", "@type")
    return credential


def full_iri_for_name(credential):
    """A term written as the full IRI it stands for (schema.org's name)."""
    _rename(credential, "name", "https://schema.org/name")
    return credential


def full_iri_for_status_index(credential):
    """statusListIndex written as its full IRI, in every status entry."""
    for entry in _entries(credential):
        _rename(entry, "statusListIndex", STATUS + "statusListIndex")
    return credential


def value_object_for_valid_until(credential):
    """validUntil as an expanded value object with its datatype."""
    credential["validUntil"] = {"@value": credential["validUntil"], "@type": XSD_DATE_TIME}
    return credential


def value_object_for_status_index(credential):
    """statusListIndex as a value object without a type: the same plain string."""
    for entry in _entries(credential):
        entry["statusListIndex"] = {"@value": entry["statusListIndex"]}
    return credential


def typed_literal_under_full_iri(credential):
    """validFrom moved to its full IRI, as a typed literal (the type the term would have given it)."""
    value = credential.pop("validFrom")
    credential[CREDENTIALS + "validFrom"] = {"@value": value, "@type": XSD_DATE_TIME}
    return credential


def inline_context_with_an_alias(credential):
    """An added inline context naming validUntil 'expires', and the credential using that name."""
    _with_context(credential, {"expires": {"@id": CREDENTIALS + "validUntil", "@type": XSD_DATE_TIME}})
    _rename(credential, "validUntil", "expires")
    return credential


def inline_keyword_alias(credential):
    """An added inline context aliasing @id as 'ident', used for the credential's id."""
    _with_context(credential, {"ident": "@id"})
    _rename(credential, "id", "ident")
    return credential


def redundant_context_entry(credential):
    """The Open Badges context listed twice: the same definitions again."""
    return _with_context(credential, credential["@context"][-1])


def another_open_badges_context_version(credential):
    """The Open Badges 3.0.2 context in place of 3.0.3: close, but its terms differ, so the signature breaks."""
    credential["@context"] = [credential["@context"][0], OB_302]
    return credential


def reordered_types(credential):
    """The credential's types in the other order: a set, so the same."""
    credential["type"] = list(reversed(credential["type"]))
    return credential


def reordered_status(credential):
    """The status messages (or the legacy pair of entries) in another order: unordered, so the same."""
    status = credential["credentialStatus"]
    if isinstance(status, list):
        credential["credentialStatus"] = list(reversed(status))
    else:
        status["statusMessage"] = list(reversed(status["statusMessage"]))
    return credential


def single_value_for_an_array(credential):
    """The subject's one type written as a string rather than an array of one."""
    credential["credentialSubject"]["type"] = credential["credentialSubject"]["type"][0]
    return credential


def array_of_one_for_a_value(credential):
    """The issuer (an object) wrapped in an array of one."""
    credential["issuer"] = [credential["issuer"]]
    return credential


def graph_wrapping(credential):
    """The credential moved into a top-level @graph; its proof stays beside it."""
    body = {key: value for key, value in credential.items() if key not in ("@context", "proof")}
    return {"@context": credential["@context"], "@graph": [body], "proof": credential["proof"]}


def compact_iri_with_a_prefix(credential):
    """An added prefix for schema.org, and the name written as a compact IRI with it."""
    _with_context(credential, {"sdo": "https://schema.org/"})
    _rename(credential, "name", "sdo:name")
    return credential


def status_moved_into_included(credential):
    """The status entries moved out of the credential into @included, still attached to its id (by full IRI)."""
    status = credential.pop("credentialStatus")
    credential["@included"] = [{"id": credential["id"], CREDENTIALS + "credentialStatus": status}]
    return credential


def status_moved_into_reverse(credential):
    """The status entries stated from their side, with @reverse pointing back at the credential."""
    status = credential.pop("credentialStatus")
    credential["@included"] = [
        {**entry, "@reverse": {CREDENTIALS + "credentialStatus": {"id": credential["id"]}}}
        for entry in (status if isinstance(status, list) else [status])
    ]
    return credential


def context_inside_a_node(credential):
    """A @context repeated inside the status entries: below the top, where ours never have one."""
    for entry in _entries(credential):
        entry["@context"] = credential["@context"][0]
    return credential


def nested_properties(credential):
    """validFrom and validUntil moved into an @nest object: still the credential's own properties."""
    credential["@nest"] = {"validFrom": credential.pop("validFrom"), "validUntil": credential.pop("validUntil")}
    return credential


def base_and_a_relative_id(credential):
    """An added @base, and the credential's id written relative to it (our canonicalization, like jsonld.js's for
    signing, runs with no base and refuses the relative id, so no signature verifies)."""
    base, _, name = credential["id"].rpartition("/")
    _with_context(credential, {"@base": base + "/"})
    credential["id"] = name
    return credential


def shadowed_scoped_term(credential):
    """An inline context defining validUntil as something else: the credential type's own (scoped) context wins."""
    return _with_context(credential, {"validUntil": {"@id": "https://example.org/notAnExpiry"}})


def redefined_protected_term(credential):
    """An inline context redefining the protected term name: JSON-LD refuses it, so nothing verifies."""
    return _with_context(credential, {"name": {"@id": "https://example.org/notAName"}})


def unprotected_override(credential):
    """An inline context trying to turn protection off and remap the credential's id."""
    return _with_context(credential, {"@protected": False, "id": "https://example.org/id"})


def relative_id_without_a_base(credential):
    """The credential's id relative with no base: canonicalization refuses a relative IRI."""
    credential["id"] = credential["id"].rpartition("/")[2]
    return credential


TRANSFORMATIONS: dict[str, Callable[[dict], dict]] = {
    function.__name__: function
    for function in (
        the_issue_s_example,
        keyword_for_id,
        keyword_for_status_type,
        keyword_for_top_type,
        full_iri_for_name,
        full_iri_for_status_index,
        value_object_for_valid_until,
        value_object_for_status_index,
        typed_literal_under_full_iri,
        inline_context_with_an_alias,
        inline_keyword_alias,
        redundant_context_entry,
        another_open_badges_context_version,
        reordered_types,
        reordered_status,
        single_value_for_an_array,
        array_of_one_for_a_value,
        graph_wrapping,
        compact_iri_with_a_prefix,
        status_moved_into_included,
        status_moved_into_reverse,
        context_inside_a_node,
        nested_properties,
        base_and_a_relative_id,
        shadowed_scoped_term,
        redefined_protected_term,
        unprotected_override,
        relative_id_without_a_base,
    )
}
NOT_THE_SAME_MEANING = {
    "another_open_badges_context_version",
    "base_and_a_relative_id",
    "redefined_protected_term",
    "unprotected_override",
    "relative_id_without_a_base",
}
SAME_MEANING = set(TRANSFORMATIONS) - NOT_THE_SAME_MEANING


def spelled(credential: dict, transformation: str) -> dict:
    """A copy of the credential with one transformation applied."""
    return TRANSFORMATIONS[transformation](copy.deepcopy(credential))
