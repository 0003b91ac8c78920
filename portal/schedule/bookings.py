"""Bookings: a place on a session or its waitlist, cancelling it, and giving freed places to the waitlist.

Each service adds its audit event and queues its mail in the caller's transaction; the caller commits.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from portal.audit.services import record
from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.services import queue_email
from portal.schedule.errors import ScheduleError
from portal.schedule.invitations import mail_booked_person, session_text
from portal.schedule.models import Booking, BookingStatus, OfficeHoursBlock, Session, SessionStatus
from portal.schedule.notice import notice_hours
from portal.schedule.office_hours import lock_block, offer_slot_from_block_waitlist, resolve_block_waitlist
from portal.schedule.queries import user_slots_in_block, viewer_for
from portal.schedule.rules import booking_refusal, is_within_notice


def lock_session(session: Session) -> Session:
    """Serialise changes to one session's places and re-read it.

    An UPDATE that touches the row takes PostgreSQL's row lock (like SELECT … FOR UPDATE) and, being
    the transaction's first write, SQLite's database write lock (like BEGIN IMMEDIATE, waiting on the
    busy timeout). Everything after it sees the committed state of the session and its bookings.
    """
    db.session.execute(
        update(Session).where(Session.id == session.id).values(booked_count=Session.booked_count)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(session)
    return session


def live_bookings(session: Session, status: BookingStatus) -> list[Booking]:
    """The session's bookings in one status, in waitlist order."""
    return list(db.session.scalars(
        select(Booking).where(Booking.session_id == session.id, Booking.status == status)
        .order_by(Booking.waitlisted_at, Booking.id)
    ))


def book_session(user, session: Session, now: datetime | None = None) -> Booking:
    """Book a place, or join the waitlist when the session is full.

    Capacity is exact under concurrency: the session row is locked (see lock_session) before places are
    counted. Office-hours slots have no waitlist of their own (the block has one) and count towards
    the block's per-person limit, counted under the block's lock (lock_block); their host cannot book them. Side effects: a confirmation email with a METHOD:REQUEST invitation
    (booked) or a waitlist note; audit 'booking.booked' / 'booking.waitlisted'.
    """
    now = now or utcnow()
    viewer = viewer_for(user)
    refusal = booking_refusal(viewer, session, now)
    if refusal:
        raise ScheduleError(refusal)
    lock_session(session)
    refusal = booking_refusal(viewer, session, now)
    if refusal:
        raise ScheduleError(refusal)
    booking = db.session.scalar(select(Booking).where(Booking.session_id == session.id, Booking.user_id == user.id))
    if booking is not None and booking.status == BookingStatus.BOOKED:
        raise ScheduleError("You already have a place on this session.")
    if booking is not None and booking.status == BookingStatus.WAITLISTED:
        raise ScheduleError("You are already on the waitlist for this session.")
    block = session.block
    if block is not None:
        lock_block(block)
    if block is not None and user_slots_in_block(user.id, block.id) >= block.per_person:
        limit = "one slot" if block.per_person == 1 else f"{block.per_person} slots"
        raise ScheduleError(f"You can hold {limit} in “{block.title}”. Cancel yours first to pick another.")
    if session.is_full and block is not None:
        raise ScheduleError("That slot has just been taken. Please pick another, or join the waitlist for these "
                            "office hours.")
    if booking is None:
        booking = Booking(session=session, user_id=user.id, user=user, created_at=now)
        db.session.add(booking)
    booking.updated_at = now
    booking.cancelled_at = None
    booking.attended = None
    if session.is_full:
        booking.status = BookingStatus.WAITLISTED
        booking.waitlisted_at = now
        db.session.flush()
        record(user, "booking.waitlisted", booking, summary=f"{user.name} waitlisted for {session.display_title}")
        queue_email(user.email, f"On the waitlist: {session.title}",
                    f"Dear {user.name},\n\n{session.display_title} is full, so you are on its waitlist. If a place "
                    f"frees up you will get it automatically and we will email you.\n\n{session_text(session)}\n",
                    kind="schedule.waitlisted")
        return booking
    booking.status = BookingStatus.BOOKED
    booking.waitlisted_at = None
    session.booked_count += 1
    if block is not None:
        resolve_block_waitlist(block.id, user.id, now)
    db.session.flush()
    record(user, "booking.booked", booking, summary=f"{user.name} booked {session.display_title}")
    mail_booked_person(booking, f"Booked: {session.title}", "Your place is booked. The invitation attached adds it "
                       "to your calendar.", "REQUEST", "schedule.booked")
    return booking


def cancel_booking(actor, booking: Booking, now: datetime | None = None) -> Booking:
    """Cancel a booking or leave a waitlist. The person may do so until the kind's minimum notice before
    the start; after that only the lead (or host) can, and the person is asked to contact the host.

    Side effects: a freed place goes to the first on the waitlist (or, for an office-hours slot, the
    first waiting for the block) who is told by email; the person gets METHOD:CANCEL with a higher
    SEQUENCE; audit 'booking.cancelled'.
    """
    now = now or utcnow()
    session = booking.session
    acting_for_other = booking.user_id != actor.id
    if acting_for_other and not (actor.is_lead or session.host_id == actor.id):
        raise ScheduleError("You can only cancel your own bookings.")
    lock_session(session)
    db.session.refresh(booking)
    if booking.status == BookingStatus.CANCELLED:
        raise ScheduleError("This booking is already cancelled.")
    was = booking.status
    if was == BookingStatus.BOOKED and not acting_for_other:
        if session.starts_at <= now:
            raise ScheduleError("This session has already started, so the booking can no longer be changed.")
        hours = notice_hours(session.kind)
        if is_within_notice(session, hours, now):
            host = f"the host, {session.host.name} ({session.host.email})" if session.host else "the programme lead"
            raise ScheduleError(f"Bookings for {session.kind.label.lower()} can only be changed here up to {hours} "
                                f"hours before the start. Please contact {host} instead.")
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.updated_at = now
    if was == BookingStatus.BOOKED:
        session.booked_count -= 1
        mail_booked_person(booking, f"Booking cancelled: {session.title}", "Your booking is cancelled and the "
                           "session is removed from your calendar.", "CANCEL", "schedule.booking_cancelled")
    record(actor, "booking.cancelled", booking,
           summary=f"{booking.user.name}'s {'waitlist place' if was == BookingStatus.WAITLISTED else 'booking'} "
                   f"for {session.display_title} cancelled")
    if was == BookingStatus.BOOKED:
        fill_places(session, now)
    return booking


def fill_places(session: Session, now: datetime) -> list[Booking]:
    """Give free places to the waitlist in order (the caller holds the session lock)."""
    promoted: list[Booking] = []
    if session.status != SessionStatus.SCHEDULED or session.starts_at <= now:
        return promoted
    if session.block_id is not None:
        lock_block(session.block)  # the waitlist's next person may be booking another slot right now
        while not session.is_full:
            booking = offer_slot_from_block_waitlist(session, now)
            if booking is None:
                break
            promoted.append(booking)
        return promoted
    for booking in live_bookings(session, BookingStatus.WAITLISTED):
        if session.is_full:
            break
        booking.status = BookingStatus.BOOKED
        booking.promoted_at = now
        booking.updated_at = now
        session.booked_count += 1
        record(None, "booking.promoted", booking, summary=f"{booking.user.name} promoted from the waitlist for "
               f"{session.display_title}")
        mail_booked_person(booking, f"You have a place: {session.title}", "A place has freed up and it is yours: "
                           "you are now booked. The invitation attached adds it to your calendar. If you can no longer "
                           "come, please cancel so the next person can have it.", "REQUEST", "schedule.promoted")
        promoted.append(booking)
    return promoted
