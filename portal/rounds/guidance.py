"""Pathway guidance: which of a round's pathways fits someone, from each pathway's stated eligibility.

The one owner of the suggestion. It reads only the pathway's data (its band of years, `min_years`
inclusive and `max_years` exclusive, and `requires_leadership`), never its name, so any scheme's
pathways get the same guidance. Used by the proposal form and by a round's public call page:

    suggestion = suggest(round_.pathways, years=9, leadership=True, role="Head of Digital Education")
    suggestion.pathway        # the Pathway that fits best (None when none does)
    suggestion.reason         # why, in words, to show as it is
    suggestion.alternatives   # other pathways open to the person, best first
    suggestion.asks_leadership  # the leadership answer would change the suggestion: ask it
"""
from __future__ import annotations

from dataclasses import dataclass, field

# The question that decides between pathways of the same years (e.g. CMALT and Senior CMALT).
LEADERSHIP_QUESTION = "Do you have leadership, strategy or research responsibilities in learning technology?"


@dataclass(frozen=True)
class Suggestion:
    """What the guidance suggests; pathway is None when no pathway fits (the reason says so)."""

    pathway: object | None
    reason: str
    alternatives: list = field(default_factory=list)
    asks_leadership: bool = False


def _years(n: int) -> str:
    return f"{n} year{'' if n == 1 else 's'}"


def fits_years(pathway, years: int) -> bool:
    """Years of experience inside the pathway's band: min inclusive, max exclusive (None = no bound)."""
    if pathway.min_years is not None and years < pathway.min_years:
        return False
    if pathway.max_years is not None and years >= pathway.max_years:
        return False
    return True


def describe_eligibility(pathway) -> str:
    """The pathway's conditions in words, e.g. 'under 3 years' or '4 or more years plus leadership…'."""
    low, high = pathway.min_years or 0, pathway.max_years
    if high is not None and low:
        band = f"{low} to {_years(high - 1)}"
    elif high is not None:
        band = f"under {_years(high)}"
    elif low:
        band = f"{_years(low)} or more"
    else:
        band = "any length of experience"
    if pathway.requires_leadership:
        band += " plus leadership, strategy or research responsibilities"
    return band


def suggest(pathways, years: int | None, leadership: bool | None = None, role: str = "") -> Suggestion | None:
    """The pathway that fits someone with `years` of experience and this answer to LEADERSHIP_QUESTION
    (None: not answered yet), with the reason in words and the other pathways open to them.

    The best fit is the highest-level pathway whose band of years fits and whose leadership condition is
    met; an unanswered question counts as "no" for the choice, and asks_leadership says that answering it
    would open a higher pathway. `role` (a job title) only makes the reason read naturally. None when
    years is missing or negative (nothing to go on).
    """
    if years is None or years < 0:
        return None
    ordered = sorted(pathways, key=lambda p: (p.level, p.position, p.id or 0), reverse=True)
    by_years = [p for p in ordered if fits_years(p, years)]
    open_ = [p for p in by_years if not p.requires_leadership or leadership is True]
    needs_answer = [p for p in by_years if p.requires_leadership and leadership is None]
    refused = [p for p in by_years if p.requires_leadership and leadership is False]
    role = (role or "").strip()
    you = f"You have {_years(years)} of experience"
    if leadership is True:
        you += (f" and, as {role}, leadership, strategy or research responsibilities" if role
                else " and leadership, strategy or research responsibilities")
    elif leadership is False:
        you += " and no leadership, strategy or research responsibilities"
    if not open_:
        wanted = "; ".join(f"{p.name}: {describe_eligibility(p)}" for p in reversed(ordered))
        return Suggestion(None, f"{you}, which none of this round's pathways asks for ({wanted}). "
                                "Ask the programme lead which fits you.", [], bool(needs_answer))
    best, others = open_[0], open_[1:]
    reason = f"{you}, so {best.name} fits ({describe_eligibility(best)})."
    if others:
        reason += f" {_names(others)} {'is' if len(others) == 1 else 'are'} also open to you."
    if needs_answer:
        reason += (f" If you have leadership, strategy or research responsibilities, {_names(needs_answer)} "
                   "fits instead: answer the question below.")
    elif refused:
        reason += (f" {_names(refused)} also asks for leadership, strategy or research responsibilities.")
    return Suggestion(best, reason, others, bool(needs_answer))


def _names(pathways) -> str:
    names = [p.name for p in pathways]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
