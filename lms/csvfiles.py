"""CSV files people open in spreadsheets: every cell made safe from formula injection."""

import csv
import io


def csv_safe(value) -> str:
    """A cell value that spreadsheet programs will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(header: list[str], rows: list[list]) -> str:
    """Write rows as CSV text, every cell made formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return buffer.getvalue()
