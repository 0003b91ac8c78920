"""Predicates about schemes, pathways and rounds: pure functions of their arguments."""
from __future__ import annotations

from datetime import datetime, timedelta

from portal.rounds.models import Pathway, Round, RoundState

# Which round states may follow which; the lead moves a round along by hand.
ROUND_TRANSITIONS: dict[RoundState, set[RoundState]] = {
    RoundState.DRAFT: {RoundState.OPEN},
    RoundState.OPEN: {RoundState.CLOSED},
    RoundState.CLOSED: {RoundState.OPEN, RoundState.IN_REVIEW},
    RoundState.IN_REVIEW: {RoundState.DECIDED},
    RoundState.DECIDED: {RoundState.RUNNING},
    RoundState.RUNNING: {RoundState.ARCHIVED},
    RoundState.ARCHIVED: set(),
}

COUNTDOWN_FROM = timedelta(days=7)


def can_move_round(round_: Round, to: RoundState) -> bool:
    return to in ROUND_TRANSITIONS[round_.state]


def is_visible_to(round_: Round, user) -> bool:
    """Staff see rounds once they have opened; leads also see rounds still being prepared."""
    return round_.state != RoundState.DRAFT or bool(getattr(user, "is_lead", False))


def is_accepting(round_: Round, now: datetime) -> bool:
    """Proposals may be submitted: the round is open and the clock is inside [opens_at, closes_at).

    Enforced to the instant: at the closing time itself the round is closed.
    """
    return round_.state == RoundState.OPEN and round_.opens_at <= now < round_.closes_at


def time_left(round_: Round, now: datetime) -> timedelta | None:
    """Time until closing when less than a week remains (for the countdown), else None."""
    remaining = round_.closes_at - now
    if timedelta(0) < remaining < COUNTDOWN_FROM:
        return remaining
    return None


def describe_remaining(remaining: timedelta) -> str:
    """'3 days, 4 hours' / '5 hours, 12 minutes' / '40 minutes' — coarse enough to read at a glance."""
    days = remaining.days
    hours, rest = divmod(remaining.seconds, 3600)
    minutes = rest // 60

    def unit(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    if days:
        return unit(days, "day") + (f", {unit(hours, 'hour')}" if hours else "")
    if hours:
        return unit(hours, "hour") + (f", {unit(minutes, 'minute')}" if minutes else "")
    return unit(max(minutes, 1), "minute") if minutes or remaining.seconds >= 60 else "less than a minute"


def pathway_fits(pathway: Pathway, years: int) -> bool:
    """Years of experience inside the pathway's band: min inclusive, max exclusive."""
    if pathway.min_years is not None and years < pathway.min_years:
        return False
    if pathway.max_years is not None and years >= pathway.max_years:
        return False
    return True


def suggest_pathway(pathways: list[Pathway], years: int | None) -> Pathway | None:
    """The likely pathway for someone with this much experience: the lowest level whose band fits.

    Higher pathways whose band also fits ask for more than years (e.g. leadership), so
    they are offered as alternatives, never chosen for the person.
    """
    if years is None or years < 0:
        return None
    fitting = [p for p in pathways if pathway_fits(p, years)]
    if not fitting:
        return None
    return min(fitting, key=lambda p: (p.level, p.position, p.id or 0))
