"""The matching algorithm on plain records: optimal (checked by brute force), hard rules, reasons."""
from __future__ import annotations

import itertools
import random

import pytest

from portal.mentoring.matching import MenteeRecord, MentorRecord, explain, hard_rule_failure, match, objective


def mentee(id, level=2, dept="Education", campus="", areas=(), manager=None, rank=0, user_id=None):
    return MenteeRecord(id=id, user_id=user_id or 1000 + id, level=level, department=dept, campus=campus,
                        areas=frozenset(areas), line_manager_id=manager, waiting_rank=rank)


def mentor(id, level=2, dept="Computing", campus="", areas=(), capacity=1, manager=None, collaborators=(),
           award=None, user_id=None):
    return MentorRecord(id=id, user_id=user_id or 2000 + id, level=level, award_name=award or {1: "Associate CMALT",
                        2: "CMALT", 3: "Senior CMALT"}[level], department=dept, campus=campus, areas=frozenset(areas),
                        capacity=capacity, line_manager_id=manager, close_collaborator_ids=frozenset(collaborators))


def brute_force(mentees, mentors, department_rule="hard"):
    """Best objective over every assignment that respects hard rules and capacity."""
    options = []
    for e in mentees:
        options.append([None] + [m.id for m in mentors if hard_rule_failure(e, m, department_rule=department_rule) is None])
    capacity = {m.id: m.capacity for m in mentors}
    best = None
    for choice in itertools.product(*options):
        used: dict[int, int] = {}
        for m in choice:
            if m is not None:
                used[m] = used.get(m, 0) + 1
        if any(n > capacity[m] for m, n in used.items()):
            continue
        assignment = {e.id: m for e, m in zip(mentees, choice) if m is not None}
        value = objective(mentees, mentors, assignment, department_rule=department_rule)
        best = value if best is None or value > best else best
    return best


def assignment_of(result):
    return {p.mentee_id: p.mentor_id for p in result.pairs}


def test_better_total_beats_the_greedy_first_choice():
    # Greedy would give A its favourite (M1, 20) and leave B with M2 (0): total 20. Optimal is 10 + 20.
    a = mentee(1, areas={"assessment", "accessibility"})
    b = mentee(2, areas={"accessibility", "video"})
    m1 = mentor(1, areas={"assessment", "accessibility", "video"})
    m2 = mentor(2, areas={"assessment"})
    result = match([a, b], [m1, m2])
    assert assignment_of(result) == {1: 2, 2: 1}
    assert sum(p.score for p in result.pairs) == 30
    assert {p.mentee_id: p.explanation for p in result.pairs} == {
        1: "shares: assessment; CMALT holder; other department",
        2: "shares: accessibility, video; CMALT holder; other department",
    }
    assert result.unmatched == {}


def test_matches_as_many_as_possible_before_quality():
    # B can only have M1 (M2 is in B's department); A is happier with M1 but must take M2 so both get a mentor.
    a = mentee(1, dept="Education", areas={"assessment"})
    b = mentee(2, dept="Business")
    m1 = mentor(1, dept="Computing", areas={"assessment"})
    m2 = mentor(2, dept="Business")
    result = match([a, b], [m1, m2])
    assert assignment_of(result) == {1: 2, 2: 1}


def test_capacity_slots_let_one_mentor_take_several():
    mentees = [mentee(i, areas={"accessibility"}) for i in range(1, 4)]
    result = match(mentees, [mentor(1, areas={"accessibility"}, capacity=2), mentor(2, capacity=1)])
    assert sorted(assignment_of(result).values()) == [1, 1, 2]


@pytest.mark.parametrize("seed", range(25))
def test_optimal_against_brute_force_on_random_small_cases(seed):
    rng = random.Random(seed)
    areas = ["a", "b", "c", "d"]
    depts = ["X", "Y", "Z"]
    mentees = [mentee(i, level=rng.choice([1, 2, 3]), dept=rng.choice(depts), campus=rng.choice(["N", "S"]),
                      areas=set(rng.sample(areas, rng.randint(0, 2))), rank=rng.randint(0, 2)) for i in range(1, 6)]
    mentors = [mentor(j, level=rng.choice([1, 2, 3]), dept=rng.choice(depts), campus=rng.choice(["N", "S"]),
                      areas=set(rng.sample(areas, rng.randint(1, 3))), capacity=rng.randint(0, 2)) for j in range(1, 4)]
    rule = "hard" if seed % 2 else "soft"
    result = match(mentees, mentors, department_rule=rule)
    got = objective(mentees, mentors, assignment_of(result), department_rule=rule)
    assert got == brute_force(mentees, mentors, department_rule=rule)
    by_id = {m.id: m for m in mentors}
    for pair in result.pairs:  # every proposed pair respects the hard rules and capacity
        e = next(x for x in mentees if x.id == pair.mentee_id)
        assert hard_rule_failure(e, by_id[pair.mentor_id], department_rule=rule) is None
    for m in mentors:
        assert sum(1 for p in result.pairs if p.mentor_id == m.id) <= m.capacity
    assert set(result.unmatched) | set(assignment_of(result)) == {e.id for e in mentees}


def test_award_level_rule_default_and_configured():
    senior = mentee(1, level=3)
    assert hard_rule_failure(senior, mentor(1, level=1)) == "award level"
    assert hard_rule_failure(senior, mentor(1, level=2)) is None  # a CMALT holder may mentor a Senior pathway
    assert hard_rule_failure(senior, mentor(1, level=2), min_level={3: 3}) == "award level"
    assert hard_rule_failure(mentee(2, level=2), mentor(1, level=1)) == "award level"
    assert hard_rule_failure(mentee(3, level=1), mentor(1, level=1)) is None


def test_line_manager_either_direction_and_close_collaborator_and_self():
    e = mentee(1, manager=2001, user_id=1001)
    assert hard_rule_failure(e, mentor(1, user_id=2001)) == "line manager"
    assert hard_rule_failure(mentee(2, user_id=1002), mentor(2, manager=1002)) == "line manager"
    assert hard_rule_failure(mentee(3, user_id=1003), mentor(3, collaborators={1003})) == "close collaborator"
    assert hard_rule_failure(mentee(4, user_id=77), mentor(4, user_id=77)) == "self"


def test_department_rule_hard_or_soft():
    e = mentee(1, dept="Education", areas={"assessment"})
    same = mentor(1, dept="education ", areas={"assessment"})
    assert hard_rule_failure(e, same) == "same department"
    assert hard_rule_failure(e, same, department_rule="soft") is None
    # Soft: another department is preferred when the areas are equal.
    other = mentor(2, dept="Computing", areas={"assessment"})
    result = match([e], [same, other], department_rule="soft")
    assert assignment_of(result) == {1: 2}
    # Soft: the same department is still allowed when it is the only option.
    assert assignment_of(match([e], [same], department_rule="soft")) == {1: 1}
    assert "same department" in explain(e, same)


def test_same_campus_preferred():
    e = mentee(1, campus="City")
    result = match([e], [mentor(1, campus="Park"), mentor(2, campus="City")])
    assert assignment_of(result) == {1: 2}
    assert result.pairs[0].explanation == "no shared specialist areas; CMALT holder; other department; same campus"


def test_unmatched_are_reported_with_the_reason():
    senior = mentee(1, level=3, dept="Education")
    result = match([senior], [mentor(1, level=1), mentor(2, level=3, dept="Education")])
    assert result.pairs == []
    assert result.unmatched == {1: "No mentor passes the hard rules (needs a CMALT holder or above; "
                                   "1 below the award level needed; 1 in the same department)."}

    full = match([mentee(2)], [mentor(3, capacity=0)])
    assert full.unmatched == {2: "All 1 eligible mentor(s) are full (no places left)."}

    assert match([mentee(3)], []).unmatched == {3: "No mentors are available (none approved and active)."}

    crowded = match([mentee(4, rank=1), mentee(5, rank=0)], [mentor(4)])
    assert assignment_of(crowded) == {4: 4}
    assert crowded.unmatched == {5: "The places of the 1 eligible mentor(s) went to other participants "
                                    "(who had waited longer, or for a better match overall)."}


def test_those_waiting_longest_win_a_scarce_place_over_a_better_fit():
    waited_long = mentee(1, rank=5)
    better_fit = mentee(2, rank=0, areas={"assessment", "accessibility"})
    result = match([waited_long, better_fit], [mentor(1, areas={"assessment", "accessibility"})])
    assert assignment_of(result) == {1: 1}
    assert 2 in result.unmatched


def test_no_mentees_is_an_empty_result():
    result = match([], [mentor(1)])
    assert result.pairs == [] and result.unmatched == {}
