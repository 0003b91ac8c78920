"""Reads for schemes, pathways and rounds, and the SQL twins of the clock's rules (rules.phase)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from portal.db_types import utcnow
from portal.extensions import db
from portal.rounds.models import Round, RoundState, Scheme
from portal.rounds.rules import CLOCK_STATES


def accepting_clause(now: datetime | None = None):
    """SQL twin of rules.is_accepting: the round is open for proposals at `now` (default: this instant),
    whether or not the clock job has stored the move yet. Use it wherever "open now" is meant."""
    now = now or utcnow()
    return and_(Round.state.in_(CLOCK_STATES), Round.opens_at <= now, Round.closes_at > now)


def announced_clause(now: datetime | None = None):
    """Rounds scheduled or open at `now` and not yet closed: what staff can prepare for (intro sessions)."""
    now = now or utcnow()
    return and_(Round.state.in_(CLOCK_STATES), Round.closes_at > now)


def due_clause(now: datetime):
    """Rounds whose stored state lags the clock: the ones rounds/clock.py advance_rounds moves."""
    return or_(and_(Round.state == RoundState.SCHEDULED, Round.opens_at <= now),
               and_(Round.state == RoundState.OPEN, or_(Round.closes_at <= now, Round.opens_at > now)))


def all_rounds() -> list[Round]:
    """Every round, newest closing first, with its scheme and pathways loaded in one go."""
    return list(db.session.scalars(
        select(Round).options(selectinload(Round.scheme), selectinload(Round.pathways))
        .order_by(Round.closes_at.desc(), Round.id.desc())
    ))


def schemes() -> list[Scheme]:
    return list(db.session.scalars(select(Scheme).options(selectinload(Scheme.pathways)).order_by(Scheme.name)))


def visible_rounds(user) -> list[Round]:
    """Rounds a member of staff can read about, never drafts."""
    stmt = (select(Round).options(selectinload(Round.scheme)).where(Round.state != RoundState.DRAFT)
            .order_by(Round.closes_at.desc()))
    return list(db.session.scalars(stmt))


def open_rounds(now: datetime | None = None) -> list[Round]:
    """Rounds accepting proposals at `now`, closing soonest first."""
    return list(db.session.scalars(
        select(Round).options(selectinload(Round.scheme)).where(accepting_clause(now)).order_by(Round.closes_at)))


def rounds_in_window(scheme_id: int, exclude_id: int | None) -> list[Round]:
    """The scheme's other rounds still driven by the clock (scheduled or open), for the overlap rule."""
    stmt = select(Round).where(Round.scheme_id == scheme_id, Round.state.in_(CLOCK_STATES))
    if exclude_id is not None:
        stmt = stmt.where(Round.id != exclude_id)
    return list(db.session.scalars(stmt.order_by(Round.opens_at)))
