"""Excel-safe CSV: UTF-8 with a BOM, ISO dates, and formulas neutralised (CSV injection).

Spreadsheets run a cell that starts with =, +, - or @ (or a tab or carriage return, which some
strip first) as a formula; a leading apostrophe makes it plain text. Rows are produced one by
one so a large export streams instead of building the file in memory.
"""
from __future__ import annotations

import csv
import enum
import io
from datetime import date, datetime, timezone
from typing import Iterable

from flask import Response, stream_with_context

BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """One value as safe CSV text: ISO dates (UTC instants with Z), yes/no, enums by value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, (int, float)):
        # Numbers stay numbers: a negative count is not a formula.
        return str(value)
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def iter_csv(header: Iterable[str], rows: Iterable[Iterable]) -> Iterable[str]:
    """The CSV text in chunks: the BOM with the header line, then one chunk per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([cell(v) for v in values])
        return buffer.getvalue()

    yield BOM + line(header)
    for row in rows:
        yield line(row)


def csv_text(header: Iterable[str], rows: Iterable[Iterable]) -> str:
    """The whole CSV as one string (for tests and small files)."""
    return "".join(iter_csv(header, rows))


def csv_response(filename: str, header: Iterable[str], rows: Iterable[Iterable]) -> Response:
    """A streamed download: `rows` may be a generator reading the database as the body is sent.

    stream_with_context keeps the request's context, and so its database session, open until the last
    row is out; it is torn down (and the session removed) when the body ends or the client goes away.
    """
    response = Response(stream_with_context(iter_csv(header, rows)), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
