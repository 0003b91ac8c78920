"""The shared Excel-safe CSV helper (portal.web.csv)."""
from __future__ import annotations

import csv
import enum
import io
from datetime import date, datetime, timedelta, timezone

import pytest

from portal.web.csv import cell, csv_text, iter_csv


@pytest.mark.parametrize("text, expected", [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
    ("+44 20 7946 0000", "'+44 20 7946 0000"),
    ("-1+2", "'-1+2"),
    ("@cmd", "'@cmd"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("Plain = text", "Plain = text"),
    ("", ""),
])
def test_formula_starts_are_neutralised(text, expected):
    assert cell(text) == expected


class Colour(enum.Enum):
    RED = "red"


def test_values_become_iso_and_plain_text():
    assert cell(None) == ""
    assert cell(True) == "yes" and cell(False) == "no"
    assert cell(-3) == "-3"  # a negative number is a number, not a formula
    assert cell(date(2026, 3, 29)) == "2026-03-29"
    bst = timezone(timedelta(hours=1))
    assert cell(datetime(2026, 6, 1, 10, 30, 15, 999, tzinfo=bst)) == "2026-06-01T09:30:15Z"
    assert cell(Colour.RED) == "red"


def test_file_has_bom_crlf_and_quotes_round_trip():
    text = csv_text(["name", "note"], [["Ann", 'says "hi", twice'], ["=1+1", "line\nbreak"]])
    assert text.startswith("\ufeffname,note\r\n")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows == [["name", "note"], ["Ann", 'says "hi", twice'], ["'=1+1", "line\nbreak"]]


def test_rows_stream_lazily():
    produced = []

    def rows():
        for i in range(3):
            produced.append(i)
            yield [i]

    chunks = iter_csv(["n"], rows())
    assert next(chunks) == "\ufeffn\r\n" and produced == []
    assert next(chunks) == "0\r\n" and produced == [0]
