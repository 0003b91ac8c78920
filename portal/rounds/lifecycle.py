"""Every move of a round from one state to the next: the one place a round's state changes.

A lead schedules a draft once its set-up checklist passes; the clock then opens and closes it
(rounds/clock.py); a lead may close it early, reopen it, start the review and move it on afterwards.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from portal.audit.services import record
from portal.db_types import utcnow
from portal.extensions import db
from portal.rounds.checks import RoundError, check_no_overlap
from portal.rounds.hooks import setup_facts, tell_closed
from portal.rounds.models import Round, RoundState
from portal.rounds.rules import SetupFacts, can_move_round, missing_for, phase, setup_steps
from portal.timeutil import format_local


class RoundNotReady(RoundError):
    """A move refused because the round's set-up is incomplete; `missing` lists every missing step."""

    def __init__(self, message: str, missing: list[str]):
        super().__init__(message)
        self.missing = missing


def claim_move(round_: Round, stored: RoundState, to: RoundState) -> bool:
    """Store the move only if nobody stored another since `stored` was read (a second worker, a second
    tab): one conditional UPDATE, so exactly one caller wins and writes the audit event and the mail."""
    result = db.session.execute(update(Round).where(Round.id == round_.id, Round.state == stored)
                                .values(state=to).execution_options(synchronize_session="evaluate"))
    if result.rowcount != 1:
        db.session.refresh(round_)
        return False
    round_.state = to
    return True


def _refuse_move(round_: Round, to: RoundState, now: datetime) -> None:
    if not can_move_round(round_, to, now):
        raise RoundError(f"A {phase(round_, now).label.lower()} round cannot become {to.label.lower()}.")


def schedule_round(actor, round_: Round, now: datetime | None = None, facts: SetupFacts | None = None) -> Round:
    """Publish a draft: it opens at its opening time and closes at its closing time, with no button.

    Refused, listing everything missing, unless pathways are on offer, the closing time is still to come,
    an intro session can be booked before closing when one is required, and no other round of the scheme
    accepts proposals at the same time. Side effects: audit 'round.scheduled' (or 'round.open' when its
    opening time has already passed, so it opens at once).
    """
    now = now or utcnow()
    _refuse_move(round_, RoundState.SCHEDULED, now)
    missing = missing_for(setup_steps(round_, facts or setup_facts(round_, now), now), "schedule")
    try:
        check_no_overlap(round_, round_.scheme_id, round_, now)
    except RoundError as overlap:
        missing.append(overlap.message)
    if missing:
        raise RoundNotReady("This round cannot be scheduled yet: " + " ".join(missing), missing)
    to = RoundState.SCHEDULED if now < round_.opens_at else RoundState.OPEN
    if not claim_move(round_, RoundState.DRAFT, to):
        raise RoundError("Someone else changed this round just now; reload the page.")
    record(actor, f"round.{to.value}", round_, summary=f"{round_.name}: scheduled to open "
           f"{format_local(round_.opens_at)} and close {format_local(round_.closes_at)}")
    return round_


def unschedule_round(actor, round_: Round, now: datetime | None = None) -> Round:
    """Take a scheduled round back to draft before it opens (staff no longer see it).

    Side effects: audit 'round.draft'.
    """
    now = now or utcnow()
    _refuse_move(round_, RoundState.DRAFT, now)
    if not claim_move(round_, round_.state, RoundState.DRAFT):
        raise RoundError("Someone else changed this round just now; reload the page.")
    record(actor, "round.draft", round_, summary=f"{round_.name}: back to draft before opening")
    return round_


def close_round(actor, round_: Round, now: datetime, *, early: bool) -> bool:
    """Store that the round closed, tell the owners of unsubmitted drafts (once each) and, when the panel
    and rubric are ready, start the review. False when another caller stored the move first.

    Closing early moves the closing time to `now`, so every page, feed and rule reads the time it really
    closed. Side effects: audit 'round.closed' (with the planned closing time when early), the drafts'
    emails (rounds/hooks.py tell_closed), and 'round.in_review' when the review starts.
    """
    stored = round_.state
    planned = round_.closes_at
    if not claim_move(round_, stored, RoundState.CLOSED):
        return False
    if early:
        round_.closes_at = now
    told = tell_closed(round_)
    record(actor, "round.closed", round_, summary=f"{round_.name}: closed {'early ' if early else ''}at "
           f"{format_local(round_.closes_at)}; {told} owner(s) of unsubmitted drafts told",
           early=early, planned_close=planned.isoformat(), drafts_told=told)
    facts = setup_facts(round_, now)
    if not missing_for(setup_steps(round_, facts, now), "review"):
        round_.state = RoundState.IN_REVIEW
        record(actor, "round.in_review", round_, summary=f"{round_.name}: review started when it closed")
    db.session.flush()
    return True


def close_round_early(actor, round_: Round, now: datetime | None = None) -> Round:
    """The lead closes an open round before its closing time (after a confirmation page saying how many
    drafts it cuts off). Side effects: see close_round."""
    now = now or utcnow()
    _refuse_move(round_, RoundState.CLOSED, now)
    if not close_round(actor, round_, now, early=True):
        raise RoundError("This round closed just now; reload the page.")
    return round_


def reopen_round(actor, round_: Round, now: datetime | None = None) -> Round:
    """Accept proposals again after a round closed: its closing time must first be moved later (Edit),
    and it may not overlap another round of the scheme. Side effects: audit 'round.open'."""
    now = now or utcnow()
    _refuse_move(round_, RoundState.OPEN, now)
    if round_.closes_at <= now:
        raise RoundError("Move the closing time later first (Edit the round), then reopen it.", "closes_on")
    check_no_overlap(round_, round_.scheme_id, round_, now)
    if not claim_move(round_, RoundState.CLOSED, RoundState.OPEN):
        raise RoundError("Someone else changed this round just now; reload the page.")
    record(actor, "round.open", round_, summary=f"{round_.name}: reopened until {format_local(round_.closes_at)}")
    return round_


def start_review(actor, round_: Round, now: datetime | None = None, facts: SetupFacts | None = None) -> Round:
    """Start the panel's review of a closed round: refused, listing what is missing, without a panel and
    a rubric. Side effects: audit 'round.in_review'."""
    now = now or utcnow()
    _refuse_move(round_, RoundState.IN_REVIEW, now)
    missing = missing_for(setup_steps(round_, facts or setup_facts(round_, now), now), "review")
    if missing:
        raise RoundNotReady("The review cannot start yet: " + " ".join(missing), missing)
    if not claim_move(round_, RoundState.CLOSED, RoundState.IN_REVIEW):
        raise RoundError("Someone else changed this round just now; reload the page.")
    record(actor, "round.in_review", round_, summary=f"{round_.name}: review started")
    return round_


LATER_MOVES = {RoundState.DECIDED, RoundState.RUNNING, RoundState.ARCHIVED}


def set_round_state(actor, round_: Round, to: RoundState, now: datetime | None = None) -> Round:
    """Move a round to `to`, through the move that owns it: scheduling (from a draft, `to` scheduled or
    open), back to draft, closing early, reopening, starting the review; or decided, running and archived,
    which need nothing else. Side effects: those of the move, and audit 'round.<state>'.
    """
    now = now or utcnow()
    current = phase(round_, now)
    if current == RoundState.DRAFT and to in {RoundState.SCHEDULED, RoundState.OPEN}:
        return schedule_round(actor, round_, now)
    if to == RoundState.DRAFT:
        return unschedule_round(actor, round_, now)
    if to == RoundState.CLOSED:
        return close_round_early(actor, round_, now)
    if to == RoundState.OPEN:
        return reopen_round(actor, round_, now)
    if to == RoundState.IN_REVIEW:
        return start_review(actor, round_, now)
    _refuse_move(round_, to, now)
    if to not in LATER_MOVES or not claim_move(round_, round_.state, to):
        raise RoundError("Someone else changed this round just now; reload the page.")
    record(actor, f"round.{to.value}", round_, summary=f"{round_.name}: {current.value} -> {to.value}")
    return round_
