"""What changed between two sets of a proposal's answers, word by word (difflib), in readable pieces.

Pure: answers in, labelled pieces out. Used to show a kept version against the one before it and kept
text against what the form holds.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from portal.proposals.models import ANSWER_FIELDS

# What people read for each answer, in the order the form asks them.
ANSWER_LABELS = {
    "job_title": "Job title",
    "department": "Department or school",
    "role_summary": "Role summary",
    "learning_technology": "How learning technology features in your role",
    "years_experience": "Years of experience with learning technology",
    "leads_learning_technology": "Leadership, strategy or research responsibilities",
    "pathway_id": "Pathway",
    "motivation": "Motivation",
    "submission_window": "Intended submission window",
    "line_manager_name": "Line manager's name",
    "line_manager_email": "Line manager's email address",
    "line_manager_supports": "Line manager supports the proposal",
    "consent": "Consent to use for selection",
}

# The answers written as prose, compared word by word; the others are replaced whole.
WRITTEN_ANSWERS = {"role_summary", "learning_technology", "motivation"}

# Words and the spaces between them are both tokens, so the pieces join back into the exact text.
_TOKENS = re.compile(r"\s+|\S+")


@dataclass(frozen=True)
class Piece:
    """A run of text that is the same in both, added in the newer or removed from the older."""

    kind: str  # "same" | "added" | "removed"
    text: str


@dataclass(frozen=True)
class AnswerChange:
    name: str
    label: str
    before: str
    after: str
    pieces: list

    @property
    def changed(self) -> bool:
        return self.before != self.after


def answer_text(name: str, value, pathway_names: dict[int, str]) -> str:
    """One answer as people read it: a pathway by name, yes/no for a box or a question, blank as ''."""
    if name == "pathway_id":
        return pathway_names.get(value, "") if value is not None else ""
    if isinstance(value, bool) or name in {"line_manager_supports", "consent", "leads_learning_technology"}:
        return "" if value is None else ("Yes" if value else "No")
    if value is None:
        return ""
    return str(value).replace("\r\n", "\n")


def word_diff(before: str, after: str) -> list[Piece]:
    """The pieces that turn `before` into `after`, by words (spaces kept, so each side reads exactly).

    Spaces are junk to the matcher: a lone space shared by two different sentences is not a match.
    """
    old, new = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(str.isspace, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("removed", "".join(old[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("added", "".join(new[j1:j2])))
    return pieces


def answer_changes(before: dict | None, after: dict, pathway_names: dict[int, str],
                   names=ANSWER_FIELDS) -> list[AnswerChange]:
    """Each answer of `after` against `before` (None: the first version, nothing to compare)."""
    changes = []
    for name in names:
        new = answer_text(name, after.get(name), pathway_names)
        old = new if before is None else answer_text(name, before.get(name), pathway_names)
        if old == new:
            pieces = [Piece("same", new)]
        elif name in WRITTEN_ANSWERS:
            pieces = word_diff(old, new)
        else:  # a choice, a number or a name reads best replaced whole ("CMALT" by "Senior CMALT")
            pieces = [Piece(kind, text) for kind, text in (("removed", old), ("added", new)) if text]
        changes.append(AnswerChange(name, ANSWER_LABELS[name], old, new, pieces))
    return changes
