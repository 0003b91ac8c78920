"""The matching itself: plain records in, an optimal assignment with reasons out (no database here).

Each mentor contributes one column per remaining place; scipy's linear_sum_assignment then
maximises, in this order of priority: how many participants are matched, how long the matched
ones have waited (so those waiting longest win scarce places), and the quality score. Forbidden
pairs carry no gain at all, so the solver only ever "uses" them for a participant it could not
match anyway; those are then reported as unmatched, with the reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.optimize import linear_sum_assignment

# Weights of the quality score (higher is better).
SHARED_AREA = 10.0
OTHER_DEPARTMENT = 4.0  # only when the department rule is soft
SAME_CAMPUS = 3.0
# A pathway level needs a mentor at least at this level unless configured otherwise:
# a Senior pathway (3) is well served by a CMALT holder (2).
DEFAULT_MIN_LEVEL = {1: 1, 2: 2, 3: 2}
LEVEL_NAMES = {1: "Associate", 2: "CMALT", 3: "Senior"}


@dataclass(frozen=True)
class MenteeRecord:
    id: int                      # proposal id (one participant in one round)
    user_id: int
    level: int
    department: str = ""
    campus: str = ""
    areas: frozenset = frozenset()
    line_manager_id: int | None = None
    waiting_rank: int = 0        # larger = has waited longer
    name: str = ""


@dataclass(frozen=True)
class MentorRecord:
    id: int                      # mentor profile id
    user_id: int
    level: int
    award_name: str = ""
    department: str = ""
    campus: str = ""
    areas: frozenset = frozenset()
    capacity: int = 1            # remaining places
    line_manager_id: int | None = None
    close_collaborator_ids: frozenset = frozenset()
    name: str = ""


@dataclass
class ProposedPair:
    mentee_id: int
    mentor_id: int
    score: float
    explanation: str


@dataclass
class MatchResult:
    pairs: list[ProposedPair] = field(default_factory=list)
    unmatched: dict[int, str] = field(default_factory=dict)

    def mentor_of(self, mentee_id: int) -> int | None:
        return next((p.mentor_id for p in self.pairs if p.mentee_id == mentee_id), None)


@lru_cache(maxsize=4096)
def _norm(text: str) -> str:
    return " ".join((text or "").lower().split())


def min_level_for(level: int, min_level: dict | None = None) -> int:
    """The lowest mentor award level a pathway level needs (configured table first, then the default)."""
    if min_level:
        configured = min_level.get(level, min_level.get(str(level)))
        if configured is not None:
            return int(configured)
    return DEFAULT_MIN_LEVEL.get(level, level)


def hard_rule_failure(mentee: MenteeRecord, mentor: MentorRecord, *, department_rule: str = "hard",
                      min_level: dict | None = None) -> str | None:
    """The first hard rule this pair breaks (a short phrase), or None. Capacity is checked separately."""
    if mentor.user_id == mentee.user_id:
        return "self"
    if mentor.level < min_level_for(mentee.level, min_level):
        return "award level"
    if mentee.line_manager_id == mentor.user_id or mentor.line_manager_id == mentee.user_id:
        return "line manager"
    if mentee.user_id in mentor.close_collaborator_ids:
        return "close collaborator"
    if department_rule == "hard" and mentee.department and _norm(mentee.department) == _norm(mentor.department):
        return "same department"
    return None


def pair_score(mentee: MenteeRecord, mentor: MentorRecord, *, department_rule: str = "hard") -> float:
    score = SHARED_AREA * len(mentee.areas & mentor.areas)
    if department_rule != "hard" and _norm(mentee.department) != _norm(mentor.department):
        score += OTHER_DEPARTMENT
    if mentee.campus and _norm(mentee.campus) == _norm(mentor.campus):
        score += SAME_CAMPUS
    return score


def explain(mentee: MenteeRecord, mentor: MentorRecord) -> str:
    """Why this pair: 'shares: accessibility, assessment; CMALT holder; other department; same campus'."""
    shared = sorted(mentee.areas & mentor.areas)
    parts = ["shares: " + ", ".join(shared) if shared else "no shared specialist areas"]
    parts.append(f"{mentor.award_name or LEVEL_NAMES.get(mentor.level, 'award')} holder")
    parts.append("same department" if _norm(mentee.department) == _norm(mentor.department) and mentee.department
                 else "other department")
    if mentee.campus and _norm(mentee.campus) == _norm(mentor.campus):
        parts.append("same campus")
    return "; ".join(parts)


_RULE_PHRASES = {
    "award level": "{n} below the award level needed",
    "line manager": "{n} in a line-management relation",
    "close collaborator": "{n} declared close collaborator",
    "same department": "{n} in the same department",
    "self": "{n} is the participant themself",
}


def _unmatched_reason(mentee: MenteeRecord, mentors: list[MentorRecord], failures: dict[int, str | None],
                      min_level: dict | None) -> str:
    if not mentors:
        return "No mentors are available (none approved and active)."
    open_mentors = [m for m in mentors if m.capacity > 0]
    eligible = [m for m in mentors if failures[m.id] is None]
    if not eligible:
        counts: dict[str, int] = {}
        for m in mentors:
            counts[failures[m.id]] = counts.get(failures[m.id], 0) + 1
        needed = LEVEL_NAMES.get(min_level_for(mentee.level, min_level), "a higher")
        details = "; ".join(_RULE_PHRASES[rule].format(n=n) for rule, n in sorted(counts.items()))
        return f"No mentor passes the hard rules (needs a {needed} holder or above; {details})."
    eligible_open = [m for m in eligible if m.capacity > 0]
    if not eligible_open:
        return (f"All {len(eligible)} eligible mentor(s) are full (no places left)." if open_mentors or eligible
                else "Every mentor is full.")
    return (f"The places of the {len(eligible_open)} eligible mentor(s) went to other participants "
            "(who had waited longer, or for a better match overall).")


def match(mentees: list[MenteeRecord], mentors: list[MentorRecord], *, department_rule: str = "hard",
          min_level: dict | None = None) -> MatchResult:
    """Propose a mentor for every mentee, optimally; say why for each pair and each unmatched mentee.

    department_rule: "hard" (never the same department) or "soft" (a different one scores better).
    min_level: {pathway level: minimum mentor level}, defaulting to DEFAULT_MIN_LEVEL.
    """
    result = MatchResult()
    if not mentees:
        return result
    n = len(mentees)
    failures = [{m.id: hard_rule_failure(e, m, department_rule=department_rule, min_level=min_level)
                 for m in mentors} for e in mentees]
    slot_owner = [j for j, m in enumerate(mentors) for _ in range(max(m.capacity, 0))]
    if slot_owner:
        gain = np.zeros((n, len(mentors)))
        score = np.zeros((n, len(mentors)))
        max_score = SHARED_AREA * (max((len(m.areas) for m in mentors), default=0)) + OTHER_DEPARTMENT + SAME_CAMPUS
        # Units chosen so that each criterion strictly dominates the sum of the ones after it.
        priority_unit = n * max_score + 1.0
        match_unit = priority_unit * (sum(e.waiting_rank for e in mentees) + 1) + n * max_score + 1.0
        for i, mentee in enumerate(mentees):
            for j, mentor in enumerate(mentors):
                if failures[i][mentor.id] is None:
                    s = pair_score(mentee, mentor, department_rule=department_rule)
                    score[i, j] = s
                    gain[i, j] = match_unit + priority_unit * mentee.waiting_rank + s
        columns = np.asarray(slot_owner)
        rows, cols = linear_sum_assignment(gain[:, columns], maximize=True)
        for i, c in zip(rows, cols):
            j = columns[c]
            if gain[i, j] <= 0:
                continue  # a forbidden pair: the participant is unmatched
            mentee, mentor = mentees[i], mentors[j]
            result.pairs.append(ProposedPair(mentee.id, mentor.id, float(score[i, j]), explain(mentee, mentor)))
    matched = {p.mentee_id for p in result.pairs}
    for i, mentee in enumerate(mentees):
        if mentee.id not in matched:
            result.unmatched[mentee.id] = _unmatched_reason(mentee, mentors, failures[i], min_level)
    result.pairs.sort(key=lambda p: p.mentee_id)
    return result


def objective(mentees: list[MenteeRecord], mentors: list[MentorRecord], assignment: dict[int, int],
              *, department_rule: str = "hard") -> tuple[int, int, float]:
    """(matched, waiting ranks matched, total score) of an assignment {mentee id: mentor id}: what match() maximises."""
    by_id = {e.id: e for e in mentees}
    mentor_by_id = {m.id: m for m in mentors}
    total = sum(pair_score(by_id[e], mentor_by_id[m], department_rule=department_rule) for e, m in assignment.items())
    return (len(assignment), sum(by_id[e].waiting_rank for e in assignment), total)
