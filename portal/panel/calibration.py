"""Calibration: each member's own scale over the round, and a row's totals read against those scales.

A harsh member's 60 may mean what a generous member's 80 does; a z-score against the member's own mean
and spread takes that out, and the calibrated aggregate is the aggregate of those z-scores.
"""
from __future__ import annotations

from sqlalchemy import Select, func, select

from portal.panel import scoring
from portal.panel.models import Review


def with_scales(pairs, counted: tuple) -> Select:
    """The rows of `pairs` (a select or a union with a reviewer_id column) with each reviewer's
    scale sums over the round (n, Σt, Σt², min, max of the totals that count, selected by `counted`) as
    five more columns.

    Joined on rather than read apart (one query, not two); scoring.scale_from_sums reads the sums.
    """
    pairs = pairs.subquery()
    scale = (select(Review.reviewer_id, func.count(), func.sum(Review.total), func.sum(Review.total * Review.total),
                    func.min(Review.total), func.max(Review.total))
             .where(*counted).group_by(Review.reviewer_id).subquery())
    return select(pairs, *list(scale.c)[1:]).outerjoin(scale, scale.c.reviewer_id == pairs.c.reviewer_id)


def calibrate(row, scales: dict[int, scoring.Scale], how: str) -> None:
    """Fill in a row's z-score per complete reviewer (on that member's scale) and its calibrated aggregate."""
    row.z = {c.reviewer.id: scales[c.reviewer.id].z(c.total) for c in row.reviewers
             if c.total is not None and c.reviewer.id in scales}
    row.calibrated = scoring.aggregate(list(row.z.values()), how)
