"""A benchmark hook: synthetic participants and mentors, and the time one matching takes."""
from __future__ import annotations

import random
import time

from portal.mentoring.matching import MenteeRecord, MentorRecord, match
from portal.mentoring.queries import SUGGESTED_AREAS

DEPARTMENTS = [f"Department {i}" for i in range(12)]
CAMPUSES = ["City campus", "Riverside campus", "Park campus"]


def synthetic_records(participants: int = 200, mentors: int = 120, seed: int = 2026):
    """Plain records shaped like a large cohort: varied levels, departments, campuses, areas and capacities."""
    rng = random.Random(seed)
    mentees = [MenteeRecord(id=i, user_id=i, level=rng.choice([1, 2, 2, 3]), department=rng.choice(DEPARTMENTS),
                            campus=rng.choice(CAMPUSES), areas=frozenset(rng.sample(SUGGESTED_AREAS, rng.randint(1, 4))),
                            line_manager_id=rng.choice([None, None, None, 100_000 + rng.randrange(mentors)]),
                            waiting_rank=rng.randint(0, 3)) for i in range(participants)]
    pool = [MentorRecord(id=j, user_id=100_000 + j, level=rng.choice([1, 2, 2, 3]), department=rng.choice(DEPARTMENTS),
                         campus=rng.choice(CAMPUSES), areas=frozenset(rng.sample(SUGGESTED_AREAS, rng.randint(1, 5))),
                         capacity=rng.randint(1, 3),
                         close_collaborator_ids=frozenset(rng.sample(range(participants), 2))) for j in range(mentors)]
    return mentees, pool


def time_matching(participants: int = 200, mentors: int = 120, seed: int = 2026) -> tuple[float, int, int]:
    """(seconds, pairs proposed, unmatched) for one matching of synthetic records."""
    mentees, pool = synthetic_records(participants, mentors, seed)
    started = time.perf_counter()
    result = match(mentees, pool)
    return time.perf_counter() - started, len(result.pairs), len(result.unmatched)
