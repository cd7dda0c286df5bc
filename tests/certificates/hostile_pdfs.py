"""Hand-written PDFs of the kinds a security tester sent the file check: bombs, odd filters, broken structure."""

import struct
import zlib


def pdf(objects: list[bytes]) -> bytes:
    """A PDF of these objects, numbered from 1 (the first is the catalog), with a plain cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def attached(*files: tuple[bytes, bytes, bytes]) -> bytes:
    """A PDF carrying these files, each (name, extra stream dictionary entries, stored bytes)."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>"
    pages = b"<< /Type /Pages /Kids [] /Count 0 >>"
    names = b" ".join(b"(%s) %d 0 R" % (name, 4 + 2 * index) for index, (name, _, _) in enumerate(files))
    objects = [catalog, pages, b"<< /Names [%s] >>" % names]
    for index, (name, entries, stored) in enumerate(files):
        objects.append(b"<< /Type /Filespec /F (%s) /EF << /F %d 0 R >> >>" % (name, 5 + 2 * index))
        objects.append(
            b"<< /Type /EmbeddedFile %s /Length %d >>\nstream\n%s\nendstream" % (entries, len(stored), stored)
        )
    return pdf(objects)


def credential_pdf(entries: bytes, stored: bytes) -> bytes:
    """A PDF whose one file, credential.json, is stored as given."""
    return attached((b"credential.json", entries, stored))


def deflated(data: bytes, times: int = 1) -> bytes:
    """Data deflated `times` times over, as /FlateDecode stores it."""
    for _ in range(times):
        data = zlib.compress(data, 9)
    return data


def bomb(files: int, size: int, *, times: int = 2) -> bytes:
    """The tester's bomb: `files` files named credential.json, each `size` zero bytes deflated `times` over."""
    filters = b"/Filter [%s]" % b" ".join([b"/FlateDecode"] * times)
    stored = deflated(b"\0" * size, times)
    return attached(*[(b"credential.json", filters, stored)] * files)


def with_xref_stream(plain: dict[int, bytes], in_object_streams: dict[int, int], size: int) -> bytes:
    """A PDF with a cross-reference stream; each of `in_object_streams` alone in an object stream of `size` bytes."""
    objects = dict(plain)
    for number, stream_number in in_object_streams.items():
        header = b"%d 0 " % number
        stored = deflated((header + b"<< /Names [] >>").ljust(size), 2)
        objects[stream_number] = (
            b"<< /Type /ObjStm /N 1 /First %d /Filter [/FlateDecode /FlateDecode] /Length %d >>\n"
            b"stream\n%s\nendstream" % (len(header), len(stored), stored)
        )
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_number = max([*objects, *in_object_streams]) + 1
    offsets[xref_number] = len(out)

    def row(number: int) -> bytes:
        if number in offsets:
            return struct.pack(">BIH", 1, offsets[number], 0)
        if number in in_object_streams:
            return struct.pack(">BIH", 2, in_object_streams[number], 0)
        return struct.pack(">BIH", 0, 0, 0)

    rows = b"".join(row(number) for number in range(xref_number + 1))
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n%s\nendstream\nendobj\n"
        % (
            xref_number,
            xref_number + 1,
            len(rows),
            rows,
        )
    )
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return bytes(out)


def object_stream_bomb(kids: int, size: int) -> bytes:
    """A PDF whose list of files has `kids` parts, each kept in its own object stream that inflates to `size`."""
    first = 10
    plain = {
        1: b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>",
        2: b"<< /Type /Pages /Kids [] /Count 0 >>",
        3: b"<< /Kids [%s] >>" % b" ".join(b"%d 0 R" % (first + kid) for kid in range(kids)),
    }
    return with_xref_stream(plain, {first + kid: first + kids + kid for kid in range(kids)}, size)


def xref_stream_chain(count: int, size: int) -> bytes:
    """A PDF of `count` cross-reference streams, each pointing to the one before (/Prev), each inflating to `size`."""
    out = bytearray(b"%PDF-1.7\n")
    catalog = len(out)
    out += b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    pages = len(out)
    out += b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    rows = struct.pack(">BIH", 0, 0, 65535) + struct.pack(">BIH", 1, catalog, 0) + struct.pack(">BIH", 1, pages, 0)
    stored = deflated(rows + b"\0" * (size - len(rows)), 2)
    previous = b""
    for number in range(3, 3 + count):
        offset = len(out)
        out += (
            b"%d 0 obj\n<< /Type /XRef /Size 3 /W [1 4 2] /Root 1 0 R /Filter [/FlateDecode /FlateDecode] "
            b"/Length %d%s >>\nstream\n%s\nendstream\nendobj\n" % (number, len(stored), previous, stored)
        )
        previous = b" /Prev %d" % offset
    out += b"startxref\n%d\n%%%%EOF\n" % offset
    return bytes(out)
