"""The one CSV writer of Veilleuse: every export (roster, polls, attendance, report) goes
through ``csv_bytes``.

It opens straight into columns in French Excel: UTF-8 with a byte-order mark, ``;`` between
cells (``,`` is the decimal mark in French), CRLF line ends. A text cell that a spreadsheet
would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return)
is prefixed with ``'`` (CSV injection: a poll comment ``=HYPERLINK(…)`` stays text). Numbers
are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

CSV_CONTENT_TYPE = "text/csv"
CSV_DELIMITER = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell as text, never a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """``rows`` (the header first) as the bytes of a CSV file."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
