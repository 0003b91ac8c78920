"""Reads that only the home pages make: the next session of a kind, and the lead's counts across rounds.

Each function is one query whatever the size of the data; the homes call them once per round at most.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select

from portal.extensions import db
from portal.mentoring.models import Meeting
from portal.outbox.models import OutboxMessage, OutboxStatus
from portal.panel.models import Assignment, Decision, PanelMember, PanelSettings, Review
from portal.proposals.models import Proposal, ProposalState
from portal.proposals.rules import COUNTS_AS_SUBMITTED
from portal.rounds.models import Round, RoundState
from portal.schedule.models import Booking, BookingStatus, Session, SessionKind, SessionStatus
from portal.schedule.queries import visible_clause
from portal.schedule.rules import Viewer


def next_session(viewer: Viewer, round_id: int, kind: SessionKind, now: datetime, *,
                 with_room: bool = False) -> Session | None:
    """The next scheduled session of a kind for the round (or for no round) that the person may see;
    with_room, only one that still has a free place."""
    stmt = select(Session).where(
        Session.kind == kind, Session.status == SessionStatus.SCHEDULED, Session.starts_at > now,
        or_(Session.round_id == round_id, Session.round_id.is_(None)), visible_clause(viewer))
    if with_room:
        stmt = stmt.where(or_(Session.capacity.is_(None), Session.booked_count < Session.capacity))
    return db.session.scalars(stmt.order_by(Session.starts_at, Session.id).limit(1)).first()


def decision_counts(round_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{round id: (proposals under review, of which decided)}, for the rounds asked about."""
    if not round_ids:
        return {}
    rows = db.session.execute(
        select(Proposal.round_id, func.count(Proposal.id), func.count(Decision.id))
        .outerjoin(Decision, Decision.proposal_id == Proposal.id)
        .where(Proposal.round_id.in_(round_ids), Proposal.state.in_(COUNTS_AS_SUBMITTED))
        .group_by(Proposal.round_id)).all()
    return {round_id: (total, decided) for round_id, total, decided in rows}


def proposals_waiting_for_scores(round_ids: list[int]) -> dict[int, int]:
    """{round id: proposals with at least one assigned review neither scored nor abstained from}."""
    if not round_ids:
        return {}
    answered = and_(Review.proposal_id == Assignment.proposal_id, Review.reviewer_id == Assignment.user_id,
                    or_(Review.abstained.is_(True), Review.submitted_at.is_not(None)))
    rows = db.session.execute(
        select(Assignment.round_id, func.count(func.distinct(Assignment.proposal_id)))
        .outerjoin(Review, answered)
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .where(Assignment.round_id.in_(round_ids), Review.id.is_(None), Proposal.state.in_(COUNTS_AS_SUBMITTED))
        .group_by(Assignment.round_id)).all()
    return dict(rows)


def offers_past_accept_by(round_ids: list[int], now: datetime) -> dict[int, int]:
    """{round id: places offered from the waitlist and neither accepted nor declined by their accept-by date}.

    The same cases panel/deciding.py lapses (its _unanswered_offers), counted in the database.
    """
    if not round_ids:
        return {}
    rows = db.session.execute(
        select(Decision.round_id, func.count(Decision.id)).join(Proposal, Proposal.id == Decision.proposal_id)
        .where(Decision.round_id.in_(round_ids), Decision.offered_at.is_not(None), Decision.accept_by.is_not(None),
               Decision.accept_by < now, Decision.accepted_at.is_(None), Decision.declined_at.is_(None),
               Proposal.state == ProposalState.SELECTED)
        .group_by(Decision.round_id)).all()
    return dict(rows)


def sessions_without_register(now: datetime, limit: int = 5) -> tuple[int, list[Session]]:
    """Sessions that have ended with people booked and nobody's attendance recorded: how many, and the
    most recent few."""
    booked = exists().where(Booking.session_id == Session.id, Booking.status == BookingStatus.BOOKED)
    recorded = exists().where(Booking.session_id == Session.id, Booking.status == BookingStatus.BOOKED,
                              Booking.attended.is_not(None))
    where = (Session.ends_at < now, Session.status == SessionStatus.SCHEDULED, Session.kind != SessionKind.DEADLINE,
             booked, ~recorded)
    rows = db.session.execute(
        select(Session, func.count().over()).where(*where).order_by(Session.ends_at.desc(), Session.id.desc())
        .limit(limit)).all()
    return (rows[0][1] if rows else 0), [session for session, _ in rows]


def failed_emails() -> int:
    """Emails the outbox gave up on."""
    return db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.status == OutboxStatus.FAILED)) or 0


def panel_rounds_of(user_id: int) -> list[Round]:
    """The rounds whose panel the person sits on, newest closing first (a lead sees only their own here)."""
    return list(db.session.scalars(
        select(Round).join(PanelMember, PanelMember.round_id == Round.id)
        .where(PanelMember.user_id == user_id, Round.state != RoundState.ARCHIVED)
        .order_by(Round.closes_at.desc(), Round.id.desc())))


def latest_next_steps(pairing_ids: list[int]) -> dict[int, str]:
    """{pairing id: the next steps written at its most recent meeting}, for pairings that wrote some."""
    if not pairing_ids:
        return {}
    latest = (select(Meeting.pairing_id, func.max(Meeting.held_on).label("held_on"))
              .where(Meeting.pairing_id.in_(pairing_ids)).group_by(Meeting.pairing_id).subquery())
    rows = db.session.execute(
        select(Meeting.pairing_id, Meeting.next_steps)
        .join(latest, and_(latest.c.pairing_id == Meeting.pairing_id, latest.c.held_on == Meeting.held_on))
        .order_by(Meeting.pairing_id, Meeting.id)).all()
    return {pairing_id: steps.strip() for pairing_id, steps in rows if steps and steps.strip()}


def next_meetings(pairing_ids: list[int], now: datetime) -> dict[int, datetime]:
    """{pairing id: the soonest agreed next meeting still ahead}, for the pairings that have one."""
    if not pairing_ids:
        return {}
    return dict(db.session.execute(
        select(Meeting.pairing_id, func.min(Meeting.next_meeting_at))
        .where(Meeting.pairing_id.in_(pairing_ids), Meeting.next_meeting_at > now)
        .group_by(Meeting.pairing_id)).all())


def panel_settings_of(round_ids: list[int]) -> dict[int, PanelSettings]:
    """{round id: its saved panel settings}; a round missing here has none saved (panel.queries.settings_for
    gives its defaults)."""
    if not round_ids:
        return {}
    return {s.round_id: s for s in db.session.scalars(select(PanelSettings).where(PanelSettings.round_id.in_(round_ids)))}
