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


# Aggregates read from the database are kept to this many decimal places, so that equal sets of
# totals tie exactly whichever order the database added them in (a tie goes to the applicant's name).
RANKING_PLACES = 9


def as_ranked(value: float | None) -> float | None:
    """An aggregate as the ranking compares and shows it."""
    return None if value is None else round(value, RANKING_PLACES)


@dataclass(frozen=True)
class Scale:
    """A member's own scale: the mean and spread of their totals, against which calibration reads them."""

    mean: float
    sd: float

    def z(self, total: float) -> float:
        """A total as a z-score on this scale; 0 where the scale has no spread (no information about harshness)."""
        return (total - self.mean) / self.sd if self.sd else 0.0


def scale_from_sums(count: int, total: float, total_of_squares: float, low: float, high: float) -> Scale:
    """A member's scale from sums of their totals (n, Σt, Σt², min, max), as a database returns them.

    A member with one score, or who gave every proposal the same total, has no spread: the min/max
    test keeps that exact where sums of floats would leave a rounding residue.
    """
    if count < 2 or low == high:
        return Scale(mean=low if low == high else total / count, sd=0.0)
    mean = total / count
    return Scale(mean=mean, sd=math.sqrt(max(0.0, total_of_squares / count - mean * mean)))


@dataclass(frozen=True)
class SpreadChart:
    """Coordinates of a small horizontal dot plot of reviewer totals on a 0–100 axis."""

    width: int
    height: int
    dots: list[tuple[float, float]]
    centre_x: float | None
    low_x: float | None
    high_x: float | None
    totals: tuple[float, ...] = ()
    centre: float | None = None

    @property
    def dots_path(self) -> str:
        """The dots as one SVG path of zero-length strokes (drawn as circles by round caps): one element, not one per reviewer."""
        return "".join(f"M{x} {y}h0" for x, y in self.dots)

    def describe(self, how: str) -> str:
        """The chart in words, for screen readers: the reviewers' totals as given and the aggregate."""
        if not self.totals:
            return "No complete scores yet."
        points = ", ".join(f"{total:.0f}" for total in self.totals)
        return f"Reviewer totals out of 100: {points}" + (f"; {how} {self.centre:.1f}." if self.centre is not None else ".")


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
                       low_x=x(min(totals)) if totals else None, high_x=x(max(totals)) if totals else None,
                       totals=tuple(totals), centre=centre)
