"""Registers: who attended a session, recorded by the lead or the host."""
from __future__ import annotations

from portal.audit.services import record
from portal.db_types import utcnow
from portal.schedule.bookings import live_bookings
from portal.schedule.errors import ScheduleError
from portal.schedule.models import Booking, BookingStatus, Session, SessionStatus


def set_attendance(actor, booking: Booking, attended: bool | None) -> Booking:
    """Record whether a booked person attended (None clears it). Audit 'booking.attendance'."""
    if booking.status != BookingStatus.BOOKED:
        raise ScheduleError("Only booked people are on the register.")
    if booking.session.status == SessionStatus.CANCELLED:
        raise ScheduleError("The session was cancelled, so there is no register.")
    booking.attended = attended
    booking.attendance_by_id = actor.id
    booking.updated_at = utcnow()
    word = {True: "attended", False: "absent", None: "not recorded"}[attended]
    record(actor, "booking.attendance", booking, summary=f"{booking.user.name}: {word} at {booking.session.display_title}")
    return booking


def mark_everyone_attended(actor, session: Session) -> int:
    """Tick every booked person whose attendance is not yet recorded. Returns how many.
    Audit 'session.register_all'."""
    count = 0
    for booking in live_bookings(session, BookingStatus.BOOKED):
        if booking.attended is None:
            booking.attended = True
            booking.attendance_by_id = actor.id
            count += 1
    record(actor, "session.register_all", session, summary=f"{count} marked attended at {session.display_title}")
    return count
