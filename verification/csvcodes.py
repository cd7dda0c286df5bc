"""CSV files of verification codes: reading an upload (or saying clearly what's wrong with it), writing the results."""

import csv
import io
import re
from dataclasses import dataclass

from certificates.codes import normalise_code
from lms.csvfiles import to_csv

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 50
RESULT_COLUMNS = [
    "status",
    "holder_name",
    "credential",
    "certificate_number",
    "issued_on",
    "expires_on",
    "issuer",
    "reason",
]
SAVE_AS_CSV = "In your spreadsheet program choose Save As (or Download) and pick “CSV UTF-8”, then upload that file."
_HEADING = re.compile(r"\bcodes?\b")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class CsvProblem(Exception):
    """Why an uploaded file can't be checked, written for the person who uploaded it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CodesFile:
    """An upload read: column names (the file's header row, or made up), which column holds the codes, the rows."""

    header: list[str]
    code_column: int
    rows: list[list[str]]
    had_header: bool


def _text(data: bytes) -> str:
    if data[:4] == b"PK\x03\x04" or data[:4] == b"\xd0\xcf\x11\xe0":
        raise CsvProblem(f"This looks like a spreadsheet workbook rather than a CSV file. {SAVE_AS_CSV}")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise CsvProblem(f"This file is saved as UTF-16 text, which we can't read. {SAVE_AS_CSV}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvProblem(
            f"We couldn't read this file as text. It may not be a CSV file, or it may use an older encoding. "
            f"{SAVE_AS_CSV}"
        ) from None
    if _CONTROL.search(text):
        raise CsvProblem(f"This doesn't look like a CSV file: it holds characters that text files don't. {SAVE_AS_CSV}")
    return text


def _delimiter(text: str) -> str:
    """Comma, semicolon (spreadsheets set to some languages) or tab: whichever the first line uses most."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first.count(delimiter) for delimiter in ",;\t"}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _is_heading(cell: str) -> bool:
    return normalise_code(cell) is None and bool(_HEADING.search(cell.lower()))


def read_codes_csv(data: bytes) -> CodesFile:
    """Read an uploaded CSV of codes: one per row, in the column headed 'code' if there's a header row, else the
    first; other columns kept; blank rows skipped. Raises CsvProblem with a message for people."""
    if len(data) > MAX_BYTES:
        raise CsvProblem(
            f"This file is {len(data) / 1024 / 1024:.1f} MB. Please upload 2 MB or less at a time, "
            "splitting a longer list into several files."
        )
    if not data.strip():
        raise CsvProblem("This file is empty. Put one verification code on each row, then upload it again.")
    text = _text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows = []
    try:
        for row in reader:
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            rows.append(cells)
            if len(rows) > MAX_ROWS + 1:
                break
    except csv.Error as error:
        raise CsvProblem(
            f"We couldn't read row {reader.line_num} of this file as CSV ({error}). {SAVE_AS_CSV}"
        ) from None
    code_column = next((index for index, cell in enumerate(rows[0]) if _is_heading(cell)), None) if rows else None
    had_header = code_column is not None
    if had_header:
        header, rows = rows[0], rows[1:]
    else:
        header, code_column = ["code"], 0
    if not rows:
        raise CsvProblem("We didn't find any codes in this file. Put one verification code on each row.")
    if len(rows) > MAX_ROWS:
        raise CsvProblem(
            f"This file has more than {MAX_ROWS:,} rows. Please upload at most {MAX_ROWS:,} at a time, "
            "splitting a longer list into several files."
        )
    width = max(len(header), *(len(row) for row in rows))
    if width > MAX_COLUMNS:
        raise CsvProblem(
            f"This file has {width} columns. Please keep it to {MAX_COLUMNS} or fewer: the code and whatever "
            "you need to match the results to your records."
        )
    header = [*header, *(f"column {number}" for number in range(len(header) + 1, width + 1))]
    header = [name or f"column {number}" for number, name in enumerate(header, start=1)]
    return CodesFile(header=header, code_column=code_column, rows=rows, had_header=had_header)


def result_cells(facts: dict | None) -> list[str]:
    """The result columns for one row: the check's public facts, or not_found."""
    if facts is None:
        return ["not_found"] + [""] * (len(RESULT_COLUMNS) - 1)
    return [
        facts["status"],
        facts["holder_name"],
        facts["credential"],
        facts["certificate_number"],
        facts["issued_on"].isoformat(),
        facts["expires_on"].isoformat(),
        facts["issuer"],
        facts["reason"] or "",
    ]


def results_csv(*, header: list[str], rows: list[list[str]], results: list[list[str]]) -> str:
    """The results file: the uploaded columns, then the result columns; every cell formula-safe; a BOM for Excel."""
    width = len(header)
    lines = [[*row, *[""] * (width - len(row)), *result] for row, result in zip(rows, results, strict=False)]
    return "\ufeff" + to_csv([*header, *RESULT_COLUMNS], lines)
