"""The exact JSON form this site issues credentials in; the file check refuses every other spelling as 'malformed'.

JSON-LD lets one meaning be written many ways (keyword aliases, full IRIs, value objects, extra contexts, @graph,
one item or an array of one). A signature over the meaning stays valid whichever is used, so a check that reads JSON
keys could be shown one thing while the signature vouches for another. docs/credentials.md explains the defence.
"""

import json
import re
from dataclasses import dataclass

from pyld.context_resolver import ContextResolver
from pyld.jsonld import JsonLdProcessor

from certificates.credentials import CREDENTIALS_V2, OPEN_BADGES_V3
from certificates.signing import loader
from certificates.status_lists import STATUS_PURPOSE, STATUS_SIZE, status_messages
from dataintegrity.contexts import ContextsMissing
from dataintegrity.eddsa_rdfc_2022 import CRYPTOSUITE, PROOF_TYPE

CONTEXTS = [CREDENTIALS_V2, OPEN_BADGES_V3]
MAX_DEPTH = 10  # ours are 6 levels deep
MAX_VALUES = 2_000  # ours hold about 60 JSON values
DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)")


class MalformedCredential(ValueError):
    """The document isn't in the exact form this site issues; the message says how, in plain words."""


@dataclass(frozen=True)
class Exactly:
    """A JSON value that must be exactly this one (same JSON types too: false is not 0, 2 is not 2.0)."""

    value: object


@dataclass(frozen=True)
class Items:
    """A JSON array of exactly these items, in this order, each of its own form."""

    forms: tuple


@dataclass(frozen=True)
class Optional:
    """A field that may be absent (credentials signed before it was written lack it); when present, of this form."""

    form: object


class DateTime:
    """A string holding a date and time with its offset, as ours are written."""


PROOF = {
    "type": Exactly(PROOF_TYPE),
    "cryptosuite": Exactly(CRYPTOSUITE),
    "created": DateTime,
    "verificationMethod": str,
    "proofPurpose": Exactly("assertionMethod"),
    "proofValue": str,
}
ISSUER = {"id": str, "type": Exactly(["Profile"]), "name": str, "url": str}
ACHIEVEMENT = {
    "id": str,
    "type": Exactly(["Achievement"]),
    "achievementType": Exactly("Certification"),
    "name": str,
    "description": str,
    "criteria": {"narrative": str},
    "image": Optional({"id": str, "type": Exactly("Image")}),  # the badge, in credentials issued since it was added
}


def _subject(identity_type: str) -> dict:
    identity = {"type": Exactly("IdentityObject"), "identityHash": str, "identityType": Exactly(identity_type)}
    return {
        "type": Exactly(["AchievementSubject"]),
        "identifier": Items(({**identity, "hashed": Exactly(False)},)),
        "achievement": ACHIEVEMENT,
    }


def _legacy_entry(purpose: str) -> dict:
    return {
        "id": str,
        "type": Exactly("BitstringStatusListEntry"),
        "statusPurpose": Exactly(purpose),
        "statusListIndex": str,
        "statusListCredential": str,
    }


COMMON = {
    "@context": Exactly(CONTEXTS),
    "id": str,
    "type": Exactly(["VerifiableCredential", "OpenBadgeCredential"]),
    "name": str,
    "description": str,
    "issuer": ISSUER,
    "validFrom": DateTime,
    "validUntil": DateTime,
}
CURRENT_FORM = {
    **COMMON,
    "awardedDate": DateTime,
    "credentialSubject": _subject("name"),
    "credentialStatus": {
        "id": str,
        "type": Exactly("BitstringStatusListEntry"),
        "statusPurpose": Exactly(STATUS_PURPOSE),
        "statusListIndex": str,
        "statusSize": Exactly(STATUS_SIZE),
        "statusMessage": Exactly(status_messages()),
        "statusListCredential": str,
    },
    "proof": Items((PROOF,)),
}
# Credentials signed before one two-bit entry replaced the revocation and suspension entries: still checked.
LEGACY_FORM = {
    **COMMON,
    "credentialSubject": _subject("ext:name"),
    "credentialStatus": Items((_legacy_entry("revocation"), _legacy_entry("suspension"))),
    "proof": PROOF,
}


def check_form(document) -> None:
    """Refuse (MalformedCredential) a document that isn't exactly in the form we issue, old or current.

    The rule: the two contexts we sign with and no others; no JSON-LD keyword anywhere but that top-level @context;
    exactly our fields, each of the JSON type we write (an array where we write an array); and the document without
    its proof must equal its own re-compaction with those contexts, so no field is spelled other than by its term.
    """
    if not isinstance(document, dict):
        raise MalformedCredential("A credential is a JSON object; this file holds something else.")
    _refuse_keywords_and_excess(document)
    form = CURRENT_FORM if isinstance(document.get("proof"), list) else LEGACY_FORM
    _match(document, form, "")
    _round_trip(document)


def _refuse_keywords_and_excess(document: dict) -> None:
    """No JSON-LD keyword but the top @context, nesting no deeper and values no more numerous than ours could be."""
    stack, seen = [(document, 0, True)], 0
    while stack:
        value, depth, top = stack.pop()
        seen += 1
        if depth > MAX_DEPTH or seen > MAX_VALUES:
            raise MalformedCredential("It is nested deeper, or holds far more, than any credential this site issues.")
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise MalformedCredential("It has a field name that isn't text.")
                if key.startswith("@") and not (top and key == "@context"):
                    raise MalformedCredential(
                        f"It uses the JSON-LD keyword {key}, which this site's credentials never use."
                    )
                stack.append((item, depth + 1, False))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, False) for item in value)


def _match(value, form, path: str) -> None:
    """Refuse a value that isn't of the given form; `path` names it in the message (empty for the whole credential)."""
    where = f"Its {path}" if path else "The credential"
    if isinstance(form, Exactly):
        if not same_json(value, form.value):
            raise MalformedCredential(f"{where} isn't what this site writes there.")
    elif form is DateTime:
        if not (isinstance(value, str) and DATE_TIME.fullmatch(value)):
            raise MalformedCredential(f"{where} isn't a date and time written as this site writes them.")
    elif isinstance(form, type):
        if type(value) is not form:
            raise MalformedCredential(f"{where} isn't {_kind(form)}, as this site writes it.")
    elif isinstance(form, Items):
        if not isinstance(value, list) or len(value) != len(form.forms):
            raise MalformedCredential(f"{where} should be an array of {len(form.forms)}, as this site writes it.")
        for number, (item, item_form) in enumerate(zip(value, form.forms, strict=True)):
            _match(item, item_form, f"{path}[{number}]")
    else:
        if not isinstance(value, dict):
            raise MalformedCredential(f"{where} should be a JSON object, as this site writes it.")
        required = {key for key, item_form in form.items() if not isinstance(item_form, Optional)}
        missing, extra = sorted(required - set(value)), sorted(set(value) - set(form))
        if missing:
            raise MalformedCredential(f"{where} lacks {', '.join(missing)}.")
        if extra:
            raise MalformedCredential(f"{where} has fields this site never writes: {', '.join(extra)}.")
        for key, item_form in form.items():
            if key in value:
                item_form = item_form.form if isinstance(item_form, Optional) else item_form
                _match(value[key], item_form, f"{path}.{key}" if path else key)


def _kind(form: type) -> str:
    return {str: "text", bool: "true or false", int: "a whole number", dict: "a JSON object", list: "an array"}.get(
        form, form.__name__
    )


def same_json(first, second) -> bool:
    """Whether two JSON values are equal with their JSON types: true is not 1, 2 is not 2.0, key order aside."""
    if type(first) is not type(second):
        return False
    if isinstance(first, dict):
        return first.keys() == second.keys() and all(same_json(first[key], second[key]) for key in first)
    if isinstance(first, list):
        return len(first) == len(second) and all(same_json(a, b) for a, b in zip(first, second, strict=True))
    return first == second


def _same_ignoring_single_arrays(first, second) -> bool:
    """same_json, except that one value and an array of that one value are alike (compaction writes the first)."""
    if isinstance(first, list) and len(first) == 1 and not isinstance(second, list):
        return _same_ignoring_single_arrays(first[0], second)
    if isinstance(second, list) and len(second) == 1 and not isinstance(first, list):
        return _same_ignoring_single_arrays(first, second[0])
    if type(first) is not type(second):
        return False
    if isinstance(first, dict):
        return first.keys() == second.keys() and all(
            _same_ignoring_single_arrays(first[key], second[key]) for key in first
        )
    if isinstance(first, list):
        return len(first) == len(second) and all(
            _same_ignoring_single_arrays(a, b) for a, b in zip(first, second, strict=True)
        )
    return first == second


def _round_trip(document: dict) -> None:
    """Refuse a document (without its proof) that differs from its own expansion compacted again with our contexts.

    Which fields are arrays is the form's business (compaction writes an array of one as the one value), so that
    difference alone is allowed here.
    """
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    resolver = ContextResolver({}, loader())  # a private cache, as for signing

    def options() -> dict:  # pyld fills in the options it is given, so each call gets its own
        return {"base": None, "documentLoader": loader(), "contextResolver": resolver}

    processor = JsonLdProcessor()
    try:
        compacted = processor.compact(processor.expand(unsecured, options()), {"@context": CONTEXTS}, options())
    except ContextsMissing:
        raise
    except Exception as error:  # pyld raises many kinds of error on odd input
        raise MalformedCredential("It isn't JSON-LD that this site's contexts can read back.") from error
    if not _same_ignoring_single_arrays(json.loads(json.dumps(compacted)), unsecured):
        raise MalformedCredential("Some of its data is spelled other than as this site's contexts write it.")
