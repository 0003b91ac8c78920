"""Findings in other features' pages, reported to their owners and waiting for a fix there.

Each entry is (gate, substring of the finding). A gate fails on anything not listed here, so
new problems are caught at once; remove an entry when its feature is fixed.
"""
from __future__ import annotations

KNOWN: list[tuple[str, str]] = [
]


def known(gate: str, finding: str) -> bool:
    return any(g == gate and needle in finding for g, needle in KNOWN)
