"""Predicates about schemes, pathways and rounds: pure functions of their arguments."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.rounds.models import Round, RoundState

# The states the clock drives: a scheduled round opens at opens_at and closes at closes_at, with no
# button. A stored OPEN is only a cache of the clock (advance_rounds keeps it); a stored CLOSED is final
# for the clock (a lead closed it, or the clock did), so later edits to the dates never reopen it.
CLOCK_STATES = frozenset({RoundState.SCHEDULED, RoundState.OPEN})

# Which moves a lead may make from each phase (see phase); opening and closing on time need none.
ROUND_TRANSITIONS: dict[RoundState, set[RoundState]] = {
    RoundState.DRAFT: {RoundState.SCHEDULED},
    RoundState.SCHEDULED: {RoundState.DRAFT},
    RoundState.OPEN: {RoundState.CLOSED},
    RoundState.CLOSED: {RoundState.OPEN, RoundState.IN_REVIEW},
    RoundState.IN_REVIEW: {RoundState.DECIDED},
    RoundState.DECIDED: {RoundState.RUNNING},
    RoundState.RUNNING: {RoundState.ARCHIVED},
    RoundState.ARCHIVED: set(),
}

COUNTDOWN_FROM = timedelta(days=7)


def phase(round_: Round, now: datetime) -> RoundState:
    """The state a round is in at `now`: the one owner of "is it open?".

    A scheduled (or open) round is scheduled before opens_at, open from opens_at until closes_at and
    closed from closes_at itself, whether or not the job that stores the move has run yet; any other
    state is what was stored (a draft, a round closed early, in review, decided, running, archived).
    Pages, queries (rounds/queries.py accepting_clause) and rules all agree to the instant.
    """
    if round_.state in CLOCK_STATES:
        if now < round_.opens_at:
            return RoundState.SCHEDULED
        if now < round_.closes_at:
            return RoundState.OPEN
        return RoundState.CLOSED
    return round_.state


def can_move_round(round_: Round, to: RoundState, now: datetime) -> bool:
    """Whether a lead may move the round from its phase at `now` to `to` (the services check the rest)."""
    return to in ROUND_TRANSITIONS[phase(round_, now)]


def is_visible_to(round_: Round, user) -> bool:
    """Staff see rounds once they are scheduled; leads also see rounds still being prepared."""
    return round_.state != RoundState.DRAFT or bool(getattr(user, "is_lead", False))


def is_accepting(round_: Round, now: datetime) -> bool:
    """Proposals may be submitted: the round's phase is open, i.e. the clock is inside [opens_at, closes_at).

    Enforced to the instant: at the closing time itself the round is closed.
    """
    return phase(round_, now) == RoundState.OPEN


def windows_overlap(a: Round, b: Round) -> bool:
    """Two rounds accept proposals at some common instant (windows are [opens_at, closes_at))."""
    return a.opens_at < b.closes_at and b.opens_at < a.closes_at


# ---------------------------------------------------------------- set-up checklist

@dataclass(frozen=True)
class SetupFacts:
    """What other features know about a round's set-up (counted for rounds; see rounds/hooks.py)."""

    intro_sessions: int  # intro sessions applicants can still book that start before the closing time
    programme_sessions: int  # the cohort's sessions (workshops and the like)
    panel_members: int
    criteria: int


@dataclass(frozen=True)
class SetupStep:
    """One line of a round's set-up checklist; needed_for says what waits for it ("schedule", "review")."""

    key: str
    label: str
    done: bool
    detail: str
    needed_for: str | None


def _scheduling_steps(round_: Round, facts: SetupFacts, now: datetime) -> list[SetupStep]:
    if phase(round_, now) not in {RoundState.DRAFT, RoundState.SCHEDULED, RoundState.OPEN}:
        # Proposals have closed: what scheduling needed is history, not something still to do.
        return [SetupStep("dates", "Opening and closing times", True, "Proposals have closed.", None),
                SetupStep("intro", "Intro sessions", True, "No longer needed: proposals have closed.", None)]
    dates = SetupStep("dates", "Opening and closing times", round_.closes_at > now,
                      "The closing time is still to come." if round_.closes_at > now
                      else "Set a closing time that is still to come.", "schedule")
    if not round_.intro_required:
        return [dates, SetupStep("intro", "Intro sessions", True,
                                 "Not required: applicants can submit without attending one.", None)]
    n = facts.intro_sessions
    return [dates, SetupStep(
        "intro", "Intro sessions", n > 0,
        f"{n} intro session{'' if n == 1 else 's'} applicants can book before the closing time." if n
        else "Applicants must attend an intro session, but none they can book is scheduled before the "
             "closing time. Schedule an intro session.", "schedule")]


def setup_steps(round_: Round, facts: SetupFacts, now: datetime) -> list[SetupStep]:
    """The round's set-up checklist, in the order a lead works through it.

    Scheduling needs pathways on offer, a closing time still to come and, when applicants must attend
    one, an intro session they can book before closing; review needs a panel and a rubric; programme
    sessions are advice only.
    """
    n_pathways = len(round_.pathways)
    steps = [
        SetupStep("pathways", "Pathways on offer", n_pathways > 0,
                  f"{n_pathways} pathway{'' if n_pathways == 1 else 's'} on offer." if n_pathways
                  else "Offer at least one pathway.", "schedule"),
        *_scheduling_steps(round_, facts, now),
    ]
    steps += [
        SetupStep("panel", "Selection panel", facts.panel_members > 0,
                  f"{facts.panel_members} panel member{'' if facts.panel_members == 1 else 's'}."
                  if facts.panel_members else "Add at least one panel member before review.", "review"),
        SetupStep("rubric", "Scoring rubric", facts.criteria > 0,
                  f"{facts.criteria} criteri{'on' if facts.criteria == 1 else 'a'}." if facts.criteria
                  else "Add at least one scoring criterion before review.", "review"),
        SetupStep("sessions", "Programme sessions", facts.programme_sessions > 0,
                  f"{facts.programme_sessions} cohort session{'' if facts.programme_sessions == 1 else 's'} "
                  "scheduled." if facts.programme_sessions else "No workshops scheduled for the cohort yet.",
                  None),
    ]
    return steps


def missing_for(steps: list[SetupStep], step: str) -> list[str]:
    """What is still missing before `step` ("schedule" or "review"), in the checklist's words."""
    return [s.detail for s in steps if s.needed_for == step and not s.done]


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
