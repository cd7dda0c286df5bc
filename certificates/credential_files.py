"""Reading an uploaded credential file: a JSON document, or the credential.json inside a certificate PDF.

Hostile files are expected: every size, count and stream is capped before it is read (docs/credentials.md).
"""

import io
import json
import logging
import zlib

from django.conf import settings
from pypdf import PdfReader, apply_configuration
from pypdf.errors import DependencyError, DeprecationError, LimitReachedError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, StreamObject, is_null_or_none

from certificates.credential_form import MalformedCredential
from certificates.rendering import CREDENTIAL_FILENAME

logger = logging.getLogger(__name__)

MAX_CREDENTIAL_BYTES = 32 * 1024  # ours are about 3 KB; canonicalizing a huge forged one would tie up a worker
MAX_ENCODED_BYTES = MAX_CREDENTIAL_BYTES + 1024  # a credential as a PDF stores it: deflating adds a few bytes
MAX_ATTACHMENTS = 8  # ours carry one file; a PDF's list of files can name thousands
# Reading a PDF's structure, pypdf inflates each stream by up to 75 MB and keeps what it inflated. Ours have one
# cross-reference stream, one object stream of about 8 KB and about 100 objects (a copy saved by another program may
# have a few more); these limits leave room for that and keep a hostile file to a few MB.
PDF_STREAM_MAX_BYTES = 256 * 1024
MAX_OBJECT_STREAMS = 16
MAX_XREF_STREAMS = 8
MAX_XREF_ENTRIES = 10_000
PDF_LIMITS = {
    "zlib_maximum_output_length": PDF_STREAM_MAX_BYTES,
    "lzw_maximum_output_length": PDF_STREAM_MAX_BYTES,
    "run_length_maximum_output_length": PDF_STREAM_MAX_BYTES,
    "jbig2_maximum_output_length": PDF_STREAM_MAX_BYTES,
    "brotli_maximum_output_length": PDF_STREAM_MAX_BYTES,
    "array_based_stream_maximum_output_length": PDF_STREAM_MAX_BYTES,
    "image_maximum_buffer_size": PDF_STREAM_MAX_BYTES,
    "stream_decoding_work_maximum_length": 4 * PDF_STREAM_MAX_BYTES,
    "array_maximum_element_count": 1000,
    "dictionary_maximum_element_count": 1000,
}
# What reading a hostile PDF can raise: pypdf's errors (two aren't PyPdfError), a filter it lacks, zlib's own.
PDF_READ_ERRORS = (
    PyPdfError,
    DependencyError,
    DeprecationError,
    NotImplementedError,
    zlib.error,
    ValueError,
    KeyError,
    TypeError,
    OSError,
    RecursionError,
    AttributeError,
    IndexError,
)
UNREADABLE_PDF = "This PDF can't be read. Try the file exactly as it was downloaded."
TOO_LARGE = "This credential is far larger than any this site issues, so it isn't one of ours."


class CredentialFileError(ValueError):
    """The file can't be read as a credential; the message says why in plain words."""


def credential_from_bytes(data: bytes) -> dict:
    """The credential in an uploaded file: a JSON document, or the credential.json inside a certificate PDF.

    Raises CredentialFileError when the file holds no credential, and MalformedCredential when it holds one whose
    JSON repeats a key or has a number JSON doesn't allow (NaN, Infinity): the signed data and what a reader sees
    could then differ.
    """
    if not data:
        raise CredentialFileError("The file is empty.")
    if len(data) > settings.CREDENTIAL_UPLOAD_MAX_BYTES:
        limit = settings.CREDENTIAL_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise CredentialFileError(f"The file is larger than {limit} MB; a certificate or credential is much smaller.")
    if data.startswith(b"%PDF-"):
        data = _attachment_of_pdf(data)
    if len(data) > MAX_CREDENTIAL_BYTES:
        raise CredentialFileError(TOO_LARGE)
    problems = []
    try:
        document = json.loads(
            data.decode("utf-8-sig"),
            object_pairs_hook=lambda pairs: _object_noting_repeats(pairs, problems),
            parse_constant=lambda name: problems.append(f"It has the number {name}, which JSON doesn't allow."),
        )
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise CredentialFileError(
            "This file isn't a credential: upload the certificate PDF or its credential (.json) file."
        ) from None
    if not isinstance(document, dict) or "VerifiableCredential" not in _as_list(document.get("type")):
        raise CredentialFileError("This JSON file isn't a verifiable credential.")
    if "OpenBadgeCredential" not in _as_list(document.get("type")):
        raise CredentialFileError("This is a verifiable credential, but not a certificate's (an Open Badge).")
    if problems:
        raise MalformedCredential(problems[0])
    return document


def _object_noting_repeats(pairs: list, problems: list) -> dict:
    """A JSON object from its key/value pairs, noting in `problems` any key given twice."""
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        problems.append(f"It gives the key {repeated[0]!r} twice in one object, so readers may disagree on its value.")
    return dict(pairs)


def _attachment_of_pdf(data: bytes) -> bytes:
    """The credential.json inside a PDF, never inflated past MAX_CREDENTIAL_BYTES (raises CredentialFileError).

    pypdf would inflate every file of that name, up to 75 MB each, before our size limit applied. So the files are
    found by name alone (no more than MAX_ATTACHMENTS), a PDF with two credentials is refused, and the one is
    inflated here with a hard cap, stored the one way our PDFs store it: no filter, or one /FlateDecode without
    /DecodeParms. pypdf's own inflating (of cross-reference and object streams) is capped by PDF_LIMITS.
    """
    try:
        with apply_configuration(**PDF_LIMITS):
            reader = _BoundedPdfReader(
                io.BytesIO(data), root_object_recovery_limit=100, xref_stream_maximum_entries=MAX_XREF_ENTRIES
            )
            if len({number for number, _ in reader.xref_objStm.values()}) > MAX_OBJECT_STREAMS:
                raise CredentialFileError(UNREADABLE_PDF)
            stream = _credential_stream(reader)
            filters = _filters_of(stream)
            encoded = stream._data  # the bytes as stored; get_data() would inflate them within pypdf's limits
    except CredentialFileError:
        raise
    except PDF_READ_ERRORS:
        raise CredentialFileError(UNREADABLE_PDF) from None
    except Exception:  # a PDF nobody foresaw: refuse it, and keep the trace for whoever maintains this
        logger.exception("Reading a PDF's credential failed on unexpected input")
        raise CredentialFileError(UNREADABLE_PDF) from None
    if not isinstance(encoded, bytes):
        raise CredentialFileError(UNREADABLE_PDF)
    if len(encoded) > MAX_ENCODED_BYTES:
        raise CredentialFileError(TOO_LARGE)
    return _inflated(encoded) if filters else encoded


def _inflated(encoded: bytes) -> bytes:
    """Deflated bytes inflated, producing no more than one byte past MAX_CREDENTIAL_BYTES whatever they hold."""
    inflater = zlib.decompressobj()
    try:
        credential = inflater.decompress(encoded, MAX_CREDENTIAL_BYTES + 1)
    except zlib.error:
        raise CredentialFileError(UNREADABLE_PDF) from None
    if len(credential) > MAX_CREDENTIAL_BYTES:
        raise CredentialFileError(TOO_LARGE)
    if not inflater.eof:  # cut short
        raise CredentialFileError(UNREADABLE_PDF)
    return credential


class _BoundedPdfReader(PdfReader):
    """A PdfReader that follows no more than MAX_XREF_STREAMS cross-reference streams."""

    xref_streams_read = 0

    def _read_pdf15_xref_stream(self, stream):
        self.xref_streams_read += 1
        if self.xref_streams_read > MAX_XREF_STREAMS:
            raise LimitReachedError("More cross-reference streams than a certificate PDF has.")
        return super()._read_pdf15_xref_stream(stream)


def _credential_stream(reader: PdfReader) -> StreamObject:
    """The stream of the one file named credential.json, found by name without decoding any file."""
    found = []
    for count, attachment in enumerate(reader.attachment_list, start=1):
        if count > MAX_ATTACHMENTS:
            raise CredentialFileError(
                "This PDF carries far more files than a certificate of ours, so it isn't one of ours."
            )
        if attachment.name == CREDENTIAL_FILENAME:
            found.append(attachment)
    if len(found) > 1:
        raise CredentialFileError(
            "This PDF carries more than one credential.json, so it isn't one of ours: a certificate carries one."
        )
    if not found:
        raise CredentialFileError(
            "This PDF has no signed credential inside. Check the code printed on the certificate instead."
        )
    stream = found[0]._embedded_file  # the file's stream object, not yet decoded
    if not isinstance(stream, StreamObject):
        raise CredentialFileError(UNREADABLE_PDF)
    return stream


def _filters_of(stream: StreamObject) -> list:
    """The stream's filters: none, or one /FlateDecode with no /DecodeParms, as our PDFs store credentials."""
    filters = _entry(stream, "/Filter")
    filters = [_resolved(item) for item in filters] if isinstance(filters, ArrayObject) else _as_list(filters)
    if filters not in ([], ["/FlateDecode"]) or _entry(stream, "/DecodeParms") is not None:
        raise CredentialFileError(
            "The credential in this PDF is stored in a way this site's PDFs never use, so it isn't one of ours."
        )
    return filters


def _entry(dictionary: DictionaryObject, key: str):
    """A dictionary's entry, resolved, or None when it is absent or null."""
    value = _resolved(dictionary.get(key))
    return None if is_null_or_none(value) else value


def _resolved(value):
    """A PDF object with any indirect reference followed; anything else as it is."""
    return value.get_object() if hasattr(value, "get_object") else value


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
