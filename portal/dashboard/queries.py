"""Reads behind the lead's dashboard that every part of it shares: the rounds listed, the proposal and
pairing states counted, and the panel's scoring progress and the sessions coming up.

Every figure counts rows that survive anonymisation (proposal states, departments, pathways, dates),
so retention never changes a report. The funnel and funding are in funnel.py, the at-risk list in
at_risk.py, the year-on-year table in years.py, the CSV exports in exports.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from portal.auth.models import User
from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring.models import PairingState
from portal.panel.models import Assignment, PanelMember, Review
from portal.proposals.models import Proposal
from portal.proposals.rules import COUNTS_AS_SUBMITTED
from portal.rounds.models import Round, RoundState
from portal.schedule.models import Booking, BookingStatus, Session, SessionKind, SessionStatus

OPEN_PAIRING_STATES = (PairingState.LOCKED, PairingState.CONFIRMED)


@dataclass
class ScoringRow:
    name: str
    assigned: int
    done: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.assigned) if self.assigned else 100


@dataclass
class SessionRow:
    session: Session
    booked: int
    waitlisted: int


def rounds() -> list[Round]:
    """Every round past drafting, newest first."""
    return list(db.session.scalars(
        select(Round).where(Round.state != RoundState.DRAFT).order_by(Round.opens_at.desc(), Round.id.desc())))


def default_round() -> Round | None:
    """The round the lead most likely means: the newest one that is past drafting."""
    found = rounds()
    return found[0] if found else None


def scoring_progress(round_id: int) -> list[ScoringRow]:
    """Per panel member: reviews to do (assignments, or every submitted proposal when none) and done."""
    assigned = (select(Assignment.user_id, func.count().label("n")).where(Assignment.round_id == round_id)
                .group_by(Assignment.user_id).subquery())
    done = (select(Review.reviewer_id, func.count().label("n"))
            .where(Review.round_id == round_id, or_(Review.submitted_at.is_not(None), Review.abstained.is_(True)))
            .group_by(Review.reviewer_id).subquery())
    any_assignments = select(Assignment.id).where(Assignment.round_id == round_id).exists()
    in_review = select(func.count()).select_from(Proposal).where(
        Proposal.round_id == round_id, Proposal.state.in_(COUNTS_AS_SUBMITTED)).scalar_subquery()
    rows = db.session.execute(
        select(User.name, assigned.c.n, done.c.n, any_assignments, in_review)
        .join(PanelMember, PanelMember.user_id == User.id)
        .outerjoin(assigned, assigned.c.user_id == User.id).outerjoin(done, done.c.reviewer_id == User.id)
        .where(PanelMember.round_id == round_id).order_by(User.name)).all()
    return [ScoringRow(name, (to_do or 0) if has_assignments else (reviewable or 0), done_n or 0)
            for name, to_do, done_n, has_assignments, reviewable in rows]


def upcoming_sessions(round_id: int | None, now: datetime | None = None, limit: int = 10) -> list[SessionRow]:
    """The next sessions (of the round, or for everyone) with their bookings and waiting list, in one query."""
    now = now or utcnow()
    waiting = (select(func.count()).select_from(Booking)
               .where(Booking.session_id == Session.id, Booking.status == BookingStatus.WAITLISTED)
               .correlate(Session).scalar_subquery())
    query = select(Session, waiting).where(Session.starts_at >= now, Session.status == SessionStatus.SCHEDULED,
                                           Session.kind != SessionKind.DEADLINE, Session.block_id.is_(None))
    if round_id is not None:
        query = query.where(or_(Session.round_id == round_id, Session.round_id.is_(None)))
    rows = db.session.execute(query.order_by(Session.starts_at).limit(limit)).all()
    return [SessionRow(s, s.booked_count, n or 0) for s, n in rows]
