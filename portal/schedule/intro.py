"""Intro sessions as other features ask about them: has the person attended one, which can they still book."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from portal.db_types import utcnow
from portal.extensions import db
from portal.schedule.models import Booking, BookingStatus, Session, SessionKind, SessionStatus
from portal.schedule.queries import viewer_for, visible_clause


def has_attended_intro(user, round) -> bool:
    """True when the person attended (register ticked) a non-cancelled intro session of this round,
    or of no particular round."""
    if user is None or getattr(user, "id", None) is None:
        return False
    round_id = getattr(round, "id", round)
    found = db.session.scalar(
        select(Booking.id).join(Session, Booking.session_id == Session.id).where(
            Booking.user_id == user.id, Booking.attended.is_(True), Booking.status == BookingStatus.BOOKED,
            Session.kind == SessionKind.INTRO, Session.status == SessionStatus.SCHEDULED,
            or_(Session.round_id == round_id, Session.round_id.is_(None)),
        ).limit(1)
    )
    return found is not None


def bookable_intro_sessions(round, user=None, now: datetime | None = None) -> list[Session]:
    """Future, scheduled intro sessions for this round or for no round that still have a free place
    (and that the person may see, when a person is given), soonest first."""
    now = now or utcnow()
    round_id = getattr(round, "id", round)
    query = select(Session).where(
        Session.kind == SessionKind.INTRO, Session.status == SessionStatus.SCHEDULED, Session.starts_at > now,
        or_(Session.round_id == round_id, Session.round_id.is_(None)),
        or_(Session.capacity.is_(None), Session.booked_count < Session.capacity),
    ).order_by(Session.starts_at, Session.id)
    if user is not None and getattr(user, "id", None) is not None:
        query = query.where(visible_clause(viewer_for(user)))
    return list(db.session.scalars(query))


def booked_intro_session(user, round, now: datetime | None = None) -> Session | None:
    """The next intro session (of this round or of no round) the person holds a place on and has not yet
    had ticked as attended, so that nobody already booked is told to book one."""
    if user is None or getattr(user, "id", None) is None:
        return None
    now = now or utcnow()
    round_id = getattr(round, "id", round)
    return db.session.scalar(
        select(Session).join(Booking, Booking.session_id == Session.id).where(
            Booking.user_id == user.id, Booking.status == BookingStatus.BOOKED, Booking.attended.is_not(True),
            Session.kind == SessionKind.INTRO, Session.status == SessionStatus.SCHEDULED, Session.ends_at > now,
            or_(Session.round_id == round_id, Session.round_id.is_(None)),
        ).order_by(Session.starts_at, Session.id).limit(1)
    )
