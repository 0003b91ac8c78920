"""Reads for the schedule: who may see what, month lists, bookings, registers, terms and feed contents."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from flask import has_request_context, request
from sqlalchemy import Integer, and_, false, func, literal_column, not_, null, or_, select, union_all
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from portal.auth.models import User
from portal.db_types import utcnow
from portal.extensions import db
from portal.rounds.models import Round, RoundState
from portal.rounds.queries import announced_clause
from portal.schedule.models import (
    Audience, BlockWaitlistEntry, Booking, BookingStatus, FeedToken, OfficeHoursBlock, Session, SessionKind,
    SessionStatus, Term, feed_token_hash,
)
from portal.schedule.hooks import schedule_hooks
from portal.schedule.rules import Viewer
from portal.timeutil import local_to_utc


# Row kinds of viewer_for's one query.
_APPLIED, _OPEN_ROUND, _BOOKED, _CLOSED_ROUND = 1, 2, 3, 4


def _row_kind(kind: int):
    return literal_column(str(kind), Integer)


def viewer_for(user) -> Viewer:
    """The person's round memberships, the open rounds and their live bookings, read in one query.

    The memberships come from the participation statement handed over at start-up (see hooks.py):
    (round id, in cohort?) rows, read here in the same query.
    """
    if user is None or not getattr(user, "is_authenticated", True) or getattr(user, "id", None) is None:
        return Viewer(user_id=None)
    applied = schedule_hooks().participation(user.id)
    rows = db.session.execute(union_all(
        applied.with_only_columns(_row_kind(_APPLIED), *applied.selected_columns, maintain_column_froms=True),
        select(_row_kind(_OPEN_ROUND), Round.id, null()).where(announced_clause()),  # scheduled or open now
        select(_row_kind(_BOOKED), Booking.session_id, null())
        .where(Booking.user_id == user.id, Booking.status != BookingStatus.CANCELLED),
        select(_row_kind(_CLOSED_ROUND), Round.id, null()).where(closed_clause(utcnow())),
    )).all()
    memberships = [(key, in_cohort) for what, key, in_cohort in rows if what == _APPLIED]
    return Viewer(
        user_id=user.id,
        is_lead=bool(getattr(user, "is_lead", False)),
        applicant_rounds=frozenset(r for r, _ in memberships),
        cohort_rounds=frozenset(r for r, in_cohort in memberships if in_cohort),
        open_rounds=frozenset(key for what, key, _ in rows if what == _OPEN_ROUND),
        booked_sessions=frozenset(key for what, key, _ in rows if what == _BOOKED),
        closed_rounds=frozenset(key for what, key, _ in rows if what == _CLOSED_ROUND),
    )


def closed_clause(now: datetime):
    """Rounds that have closed by `now` (by the clock or early): neither a draft nor still to close."""
    return and_(Round.state != RoundState.DRAFT, not_(announced_clause(now)))


def audience_clause(viewer: Viewer):
    """SQL twin of rules.is_in_audience (tests check the two agree)."""
    clauses = [Session.audience == Audience.EVERYONE]
    member_rounds = viewer.applicant_rounds | viewer.cohort_rounds
    if member_rounds:
        clauses.append(and_(Session.audience == Audience.APPLICANTS, Session.round_id.in_(member_rounds)))
    if viewer.open_rounds:
        clauses.append(and_(Session.audience == Audience.APPLICANTS, Session.kind == SessionKind.INTRO,
                            Session.round_id.in_(viewer.open_rounds)))
    if viewer.cohort_rounds:
        clauses.append(and_(Session.audience == Audience.COHORT, Session.round_id.in_(viewer.cohort_rounds)))
    if viewer.unconcerned_rounds:
        # rules.is_closed_round_deadline; round_id IS NOT NULL first, as NOT (NULL IN (...)) is NULL, not true.
        return and_(or_(*clauses), not_(and_(Session.kind == SessionKind.DEADLINE, Session.audience != Audience.COHORT,
                                             Session.round_id.is_not(None),
                                             Session.round_id.in_(viewer.unconcerned_rounds))))
    return or_(*clauses)


def visible_clause(viewer: Viewer):
    """SQL twin of rules.can_see_session."""
    if viewer.user_id is None:
        return false()
    if viewer.is_lead:
        return Session.id.is_not(None)
    clauses = [audience_clause(viewer), Session.host_id == viewer.user_id]
    if viewer.booked_sessions:
        clauses.append(Session.id.in_(viewer.booked_sessions))
    return or_(*clauses)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The UTC instants a local calendar month starts and ends."""
    first = month.replace(day=1)
    following = first + relativedelta(months=1)
    return (local_to_utc(datetime.combine(first, datetime.min.time())),
            local_to_utc(datetime.combine(following, datetime.min.time())))


@dataclass
class MonthSchedule:
    """What one person may see in a month: sessions (office-hours slots apart), blocks with their slots,
    the person's own bookings by session id and their waitlist places by booking id."""

    sessions: list[Session]
    blocks: list[tuple[OfficeHoursBlock, list[Session]]]
    bookings: dict[int, Booking]
    positions: dict[int, int]


def month_schedule(viewer: Viewer, start: datetime, end: datetime) -> MonthSchedule:
    """Sessions and slots the viewer may see overlapping [start, end), earliest first, with hosts, blocks, the
    viewer's booking on each and its waitlist place: one query, whatever the month holds."""
    waiting, around = aliased(Booking), aliased(Session)
    ranked = (
        select(waiting.id, func.row_number().over(partition_by=waiting.session_id,
                                                  order_by=(waiting.waitlisted_at, waiting.id)).label("position"))
        .join(around, around.id == waiting.session_id)
        .where(waiting.status == BookingStatus.WAITLISTED, around.starts_at < end, around.ends_at > start)
        .subquery()
    )
    rows = db.session.execute(
        select(Session, Booking, ranked.c.position)
        .outerjoin(Booking, and_(Booking.session_id == Session.id, Booking.user_id == viewer.user_id))
        .outerjoin(ranked, ranked.c.id == Booking.id)
        .where(visible_clause(viewer), Session.starts_at < end, Session.ends_at > start)
        .options(joinedload(Session.host), joinedload(Session.block).joinedload(OfficeHoursBlock.host))
        .order_by(Session.starts_at, Session.id)
    ).all()
    sessions: list[Session] = []
    blocks: dict[int, tuple[OfficeHoursBlock, list[Session]]] = {}
    bookings: dict[int, Booking] = {}
    positions: dict[int, int] = {}
    for session, booking, position in rows:
        if session.block_id is None:
            sessions.append(session)
        else:
            blocks.setdefault(session.block_id, (session.block, []))[1].append(session)
        if booking is not None:
            bookings[session.id] = booking
            if position is not None:
                positions[booking.id] = position
    return MonthSchedule(sessions=sessions, blocks=list(blocks.values()), bookings=bookings, positions=positions)


def schedule_span(viewer: Viewer) -> tuple[datetime | None, datetime | None]:
    """The first and last start of anything the viewer may see on the schedule (None, None when nothing)."""
    first, last = db.session.execute(
        select(func.min(Session.starts_at), func.max(Session.starts_at)).where(visible_clause(viewer))).one()
    return first, last


def booking_of(user_id: int, session_id: int) -> Booking | None:
    """The person's booking (any status) on one session, if they ever had one."""
    return db.session.scalar(select(Booking).where(Booking.session_id == session_id, Booking.user_id == user_id))


def bookings_by_session(user_id: int | None, session_ids) -> dict[int, Booking]:
    """The person's bookings (any status) on these sessions, by session id."""
    ids = list(session_ids)
    if user_id is None or not ids:
        return {}
    rows = db.session.scalars(select(Booking).where(Booking.user_id == user_id, Booking.session_id.in_(ids)))
    return {b.session_id: b for b in rows}


def waitlist_positions(session_ids) -> dict[int, int]:
    """Position (1-based) of every waitlisted booking on these sessions, by booking id."""
    ids = list(session_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Booking.id, Booking.session_id).where(Booking.session_id.in_(ids),
                                                     Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.session_id, Booking.waitlisted_at, Booking.id)
    ).all()
    positions: dict[int, int] = {}
    counters: dict[int, int] = {}
    for booking_id, session_id in rows:
        counters[session_id] = counters.get(session_id, 0) + 1
        positions[booking_id] = counters[session_id]
    return positions


def my_bookings(user_id: int, now: datetime) -> list[Booking]:
    """The person's live bookings from now on, soonest first."""
    return list(db.session.scalars(
        select(Booking).join(Session).where(Booking.user_id == user_id, Booking.status != BookingStatus.CANCELLED,
                                            Session.ends_at > now)
        .options(contains_eager(Booking.session)).order_by(Session.starts_at)
    ))


def hosted_sessions(user_id: int, now: datetime) -> list[Session]:
    """What the person hosts, from a fortnight ago on (at most 200)."""
    return list(db.session.scalars(
        select(Session).where(Session.host_id == user_id, Session.ends_at > now - timedelta(days=14))
        .order_by(Session.starts_at).limit(200)
    ))


def register_for(session: Session) -> list[Booking]:
    """Everyone booked on a session, by name, with their person loaded."""
    return list(db.session.scalars(
        select(Booking).join(User, Booking.user_id == User.id)
        .where(Booking.session_id == session.id, Booking.status == BookingStatus.BOOKED)
        .options(selectinload(Booking.user)).order_by(User.name, User.id)
    ))


def waitlist_for(session: Session) -> list[Booking]:
    """The session's waitlist in order, with each person loaded."""
    return list(db.session.scalars(
        select(Booking).where(Booking.session_id == session.id, Booking.status == BookingStatus.WAITLISTED)
        .options(selectinload(Booking.user)).order_by(Booking.waitlisted_at, Booking.id)
    ))


def block_waitlist(block_id: int) -> list[BlockWaitlistEntry]:
    """Who is still waiting for a slot in an office-hours block, first come first."""
    return list(db.session.scalars(
        select(BlockWaitlistEntry).where(BlockWaitlistEntry.block_id == block_id,
                                         BlockWaitlistEntry.resolved_at.is_(None))
        .options(selectinload(BlockWaitlistEntry.user))
        .order_by(BlockWaitlistEntry.created_at, BlockWaitlistEntry.id)
    ))


def user_slots_in_block(user_id: int, block_id: int) -> int:
    """How many scheduled slots of the block the person holds."""
    return db.session.scalar(
        select(func.count(Booking.id)).join(Session)
        .where(Booking.user_id == user_id, Booking.status == BookingStatus.BOOKED, Session.block_id == block_id,
               Session.status == SessionStatus.SCHEDULED)
    ) or 0


def live_rounds() -> list[Round]:
    """Rounds a session can still be for (any but archived), newest first: the lead's form choices."""
    return list(db.session.scalars(
        select(Round).where(Round.state != RoundState.ARCHIVED).order_by(Round.opens_at.desc())))


def possible_hosts() -> list:
    """(id, name, email) of everyone with an active account, by name: who can host a session."""
    return db.session.execute(select(User.id, User.name, User.email).where(User.is_active_account.is_(True))
                              .order_by(User.name)).all()


def management_list(start: datetime, *, include_past: bool = False, kind: SessionKind | None = None) -> list[Session]:
    """The lead's list: sessions still to end (or, with include_past, those ended), of one kind or all."""
    query = select(Session).options(selectinload(Session.host), selectinload(Session.round)).order_by(
        Session.starts_at, Session.id)
    if not include_past:
        query = query.where(Session.ends_at > start)
    else:
        query = query.where(Session.ends_at <= start)
    if kind is not None:
        query = query.where(Session.kind == kind)
    return list(db.session.scalars(query.limit(500)))


# ---------------------------------------------------------------- terms

def terms() -> list[Term]:
    """All terms, cached for the request."""
    if has_request_context() and hasattr(request, "_schedule_terms"):
        return request._schedule_terms
    rows = list(db.session.scalars(select(Term).order_by(Term.starts_on)))
    if has_request_context():
        request._schedule_terms = rows
    return rows


# ---------------------------------------------------------------- feeds

FEED_HISTORY = timedelta(days=365)


def feed_token_with_secret(token: str) -> FeedToken | None:
    """The feed token with this secret, live or revoked (None for anything odd or unknown), found by its hash."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(FeedToken).where(FeedToken.token_hash == feed_token_hash(token)))


def feed_tokens_of(user_id: int) -> list[FeedToken]:
    """The person's feed links, live ones first, each with its round."""
    return list(db.session.scalars(
        select(FeedToken).where(FeedToken.user_id == user_id).options(joinedload(FeedToken.round))
        .order_by(FeedToken.revoked_at.is_not(None), FeedToken.created_at.desc(), FeedToken.id.desc())
    ))


def personal_feed_sessions(user, now: datetime) -> list[Session]:
    """A person's own calendar: their bookings, their cohort's programme (not office-hours slots),
    deadlines meant for them, and what they host — cancelled ones included so calendars drop them."""
    viewer = viewer_for(user)
    booked = select(Booking.session_id).where(Booking.user_id == user.id, Booking.status == BookingStatus.BOOKED)
    clauses = [Session.id.in_(booked), Session.host_id == user.id,
               and_(Session.kind == SessionKind.DEADLINE, audience_clause(viewer))]
    if viewer.cohort_rounds:
        clauses.append(and_(Session.audience == Audience.COHORT, Session.round_id.in_(viewer.cohort_rounds),
                            Session.block_id.is_(None)))
    return list(db.session.scalars(
        select(Session).where(or_(*clauses), Session.ends_at > now - FEED_HISTORY)
        .options(selectinload(Session.host)).order_by(Session.starts_at, Session.id)
    ))


def cohort_feed_sessions(round_id: int, now: datetime) -> list[Session]:
    """The cohort's programme for a round: cohort sessions (not office-hours slots) and the round's deadlines."""
    return list(db.session.scalars(
        select(Session).where(
            Session.round_id == round_id, Session.block_id.is_(None), Session.ends_at > now - FEED_HISTORY,
            or_(Session.audience == Audience.COHORT, Session.kind == SessionKind.DEADLINE))
        .options(selectinload(Session.host)).order_by(Session.starts_at, Session.id)
    ))


def public_round_sessions(round_id: int, now: datetime) -> list[Session]:
    """What anyone may subscribe to for a round: its intro sessions and non-cohort deadlines."""
    return list(db.session.scalars(
        select(Session).where(
            Session.round_id == round_id, Session.audience != Audience.COHORT,
            Session.kind.in_([SessionKind.INTRO, SessionKind.DEADLINE]), Session.ends_at > now - FEED_HISTORY)
        .options(selectinload(Session.host)).order_by(Session.starts_at, Session.id)
    ))


def cohort_rounds(viewer: Viewer) -> list[Round]:
    """The rounds whose cohort the viewer is in (no query when there are none)."""
    if not viewer.cohort_rounds:
        return []
    return db.session.scalars(select(Round).where(Round.id.in_(viewer.cohort_rounds))).all()


def feed_rounds(viewer: Viewer) -> list[Round]:
    """Rounds whose public feed is worth offering: open ones, and ones the viewer is in (one query, even when
    there are none)."""
    ids = set(viewer.open_rounds) | set(viewer.applicant_rounds)
    query = select(Round).where(Round.state != RoundState.DRAFT).order_by(Round.opens_at.desc())
    if not viewer.is_lead:
        query = query.where(Round.id.in_(ids))
    return list(db.session.scalars(query.limit(20)))
