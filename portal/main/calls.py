"""The public call for proposals of a round: what a visitor may read about it, with no personal data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.rounds import rules
from portal.rounds.models import Round, RoundState
from portal.schedule.links import round_feed_links
from portal.schedule.models import Audience, Session, SessionKind, SessionStatus
from portal.schedule.queries import public_round_sessions

# The phases in which a round is a call a visitor can answer: announced and not yet open, or open now.
CALLING = frozenset({RoundState.SCHEDULED, RoundState.OPEN})


@dataclass(frozen=True)
class CallSummary:
    """A round as the list of calls shows it."""

    round: Round
    phase: RoundState
    # Time until the next thing a visitor waits for (opening, or closing), in words; None once closed.
    remaining: str | None

    @property
    def is_open(self) -> bool:
        return self.phase == RoundState.OPEN

    @property
    def is_coming(self) -> bool:
        return self.phase == RoundState.SCHEDULED

    @property
    def has_closed(self) -> bool:
        return self.phase not in CALLING


@dataclass(frozen=True)
class Call(CallSummary):
    """A round as its public call page shows it: with its intro sessions and its public feed's links."""

    intro_sessions: list[Session]
    feed: dict


def _remaining(round_: Round, phase: RoundState, now: datetime) -> str | None:
    if phase == RoundState.SCHEDULED:
        return rules.describe_remaining(round_.opens_at - now)
    if phase == RoundState.OPEN:
        return rules.describe_remaining(round_.closes_at - now)
    return None


def open_calls(now: datetime) -> list[CallSummary]:
    """Rounds that are calling for proposals now or are announced to open, soonest closing first.

    The SQL narrows to rounds the clock still drives; rules.phase has the last word, so a round whose
    closing time has just passed is left out even before the job that stores the move has run.
    """
    rounds = db.session.scalars(
        select(Round).options(selectinload(Round.scheme))
        .where(Round.state.in_(rules.CLOCK_STATES), Round.closes_at > now)
        .order_by(Round.closes_at, Round.id))
    phases = ((r, rules.phase(r, now)) for r in rounds)
    return [CallSummary(r, phase, _remaining(r, phase, now)) for r, phase in phases if phase in CALLING]


def call_or_404(round_id: int, now: datetime) -> Call:
    """The call page of any round that has been announced; a round still being prepared is not found."""
    round_ = db.session.scalar(
        select(Round).options(selectinload(Round.scheme), selectinload(Round.pathways)).where(Round.id == round_id))
    if round_ is None or round_.state == RoundState.DRAFT:
        abort(404)
    phase = rules.phase(round_, now)
    sessions = intro_sessions(round_.id, now) if phase in CALLING else []
    return Call(round_, phase, _remaining(round_, phase, now), sessions, round_feed_links(round_.id))


def intro_sessions(round_id: int, now: datetime) -> list[Session]:
    """The round's intro sessions still to come that anyone signed in may book: the intro sessions of its
    public feed (schedule.queries.public_round_sessions owns what is public), less cancelled ones and those
    only for applicants."""
    return [s for s in public_round_sessions(round_id, now)
            if s.kind == SessionKind.INTRO and s.status == SessionStatus.SCHEDULED and s.starts_at > now
            and s.audience == Audience.EVERYONE]
