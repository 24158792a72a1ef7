"""The one CSV writer of every download people open in a spreadsheet (console lists, DigiCert
voucher and code exports).

- UTF-8 with a BOM and CRLF line ends, so Japanese Excel opens the file with the right encoding
  (the seed's exports are read there);
- dates and times in the tenant's time zone: callers format them (a ``datetime`` cell is refused);
- CSV injection guard (OWASP, "CSV Injection"): a text cell that begins with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return would be read by a spreadsheet as a formula — a
  customer's company name such as ``=HYPERLINK(...)`` must not run on the staff's machine — so
  such a cell is written with a leading apostrophe, which spreadsheets show as text. Numbers
  (amounts, counts, ids) are written as they are: a refund of ``-1100`` stays a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet will read it as data, never as a formula. A moment must come
    already written in the tenant's time zone: a bare datetime would print as UTC."""
    if isinstance(value, datetime):
        raise TypeError("format a datetime in the tenant's time zone before writing it to CSV")
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def csv_document(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A whole CSV file: the header row, then each row, every cell guarded."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return (BOM + out.getvalue()).encode("utf-8")
