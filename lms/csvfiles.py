"""CSV files people open in spreadsheets: every cell made safe from formula injection.

Spreadsheets run a cell as a formula when it starts with = + - @ (or their full-width forms), a tab or a carriage
return, some after skipping leading spaces. They may also split a line on a separator the file didn't mean (';' in
many languages, a tab), and quotes don't stop that once an earlier cell's quotes have put the split out of step. So a
formula could start at the beginning of any text, or after any ',', ';', tab or line break in it: wherever one could,
an apostrophe is put in front (a spreadsheet shows what follows it as text). Other text is left as typed, and
numbers (int, float, Decimal) are written as numbers, so spreadsheets can compute with them.
"""

import csv
import io
import re
from decimal import Decimal

# Where a formula could start: the start of the text or a separator (kept), then any spaces and a formula character.
FORMULA_START = re.compile(r"(^|[,;\t\r\n])(?=\s*[=+\-@\t\r＝＋－＠])")


def csv_safe(value) -> str | int | float | Decimal:
    """A cell value that spreadsheet programs will not run as a formula, however they split it; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    return FORMULA_START.sub(r"\1'", str(value))


def to_csv(header: list[str], rows: list[list]) -> str:
    """Write rows as CSV text, every cell (the header's too) made formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return buffer.getvalue()
