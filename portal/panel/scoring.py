"""Pure arithmetic of the panel: weighted totals, aggregates, spread, disagreement, calibration, the spread chart.

Everything here takes plain numbers and returns plain numbers, so tests can check it by hand.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

MAX_POINTS = 5


@dataclass(frozen=True)
class CriterionWeight:
    id: int
    weight: int
    counted: bool = True


def weights_of(criteria) -> list[CriterionWeight]:
    """The arithmetic's view of a round's rubric criteria."""
    return [CriterionWeight(c.id, c.weight, c.counted_in_total) for c in criteria]


def weighted_total(values: dict[int, int], criteria: list[CriterionWeight]) -> float | None:
    """One reviewer's total out of 100: Σ(value × weight) / Σ(5 × weight) × 100 over counted criteria.

    None when a counted criterion has no value (an incomplete review has no total).
    """
    counted = [c for c in criteria if c.counted and c.weight > 0]
    if not counted or any(c.id not in values for c in counted):
        return None
    numerator = sum(values[c.id] * c.weight for c in counted)
    denominator = sum(MAX_POINTS * c.weight for c in counted)
    return numerator / denominator * 100


def aggregate(totals: list[float], how: str = "mean") -> float | None:
    """Mean or median of the reviewers' totals; None without any."""
    if not totals:
        return None
    return statistics.median(totals) if how == "median" else statistics.fmean(totals)


def spread(totals: list[float]) -> float | None:
    """Population standard deviation of the reviewers' totals (0 for a single reviewer).

    Plain floating point (statistics.pstdev works in exact fractions, far too slowly for a
    thousand proposals on every page).
    """
    if not totals:
        return None
    mean = math.fsum(totals) / len(totals)
    return math.sqrt(math.fsum((t - mean) ** 2 for t in totals) / len(totals))


def disagreements(values_by_reviewer: list[dict[int, int]], criterion_ids: list[int]) -> list[int]:
    """Criteria on which the reviewers' points differ by 2 or more."""
    flagged = []
    for cid in criterion_ids:
        points = [values[cid] for values in values_by_reviewer if cid in values]
        if len(points) >= 2 and max(points) - min(points) >= 2:
            flagged.append(cid)
    return flagged


def z_scores(totals_by_member: dict[int, dict[int, float]]) -> dict[int, dict[int, float]]:
    """Each member's totals as z-scores against that member's own mean and spread.

    {member: {proposal: total}} -> {member: {proposal: z}}. A member with one score, or
    who gave every proposal the same total, has z = 0 throughout (no information about harshness).
    """
    out: dict[int, dict[int, float]] = {}
    for member, totals in totals_by_member.items():
        values = list(totals.values())
        mean = statistics.fmean(values) if values else 0.0
        sd = (spread(values) or 0.0) if len(values) > 1 else 0.0
        out[member] = {pid: ((t - mean) / sd if sd else 0.0) for pid, t in totals.items()}
    return out


@dataclass(frozen=True)
class SpreadChart:
    """Coordinates of a small horizontal dot plot of reviewer totals on a 0–100 axis."""

    width: int
    height: int
    dots: list[tuple[float, float]]
    centre_x: float | None
    low_x: float | None
    high_x: float | None


def spread_chart(totals: list[float], centre: float | None, width: int = 160, height: int = 24,
                 pad: int = 6) -> SpreadChart:
    """Where each total sits along the axis; equal totals are stacked a little so none hides another."""
    usable = width - 2 * pad

    def x(value: float) -> float:
        return round(pad + usable * max(0.0, min(100.0, value)) / 100, 1)

    seen: dict[float, int] = {}
    dots = []
    for total in sorted(totals):
        px = x(total)
        n = seen.get(px, 0)
        seen[px] = n + 1
        dots.append((px, round(height / 2 - 4 + (n % 3) * 4, 1)))
    return SpreadChart(width=width, height=height, dots=dots, centre_x=None if centre is None else x(centre),
                       low_x=x(min(totals)) if totals else None, high_x=x(max(totals)) if totals else None)
