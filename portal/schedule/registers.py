"""Registers: who attended a session, recorded by the lead or the host once the session has started."""
from __future__ import annotations

from datetime import datetime

from portal.audit.services import record
from portal.db_types import utcnow
from portal.schedule.bookings import live_bookings
from portal.schedule.errors import ScheduleError
from portal.schedule.models import Booking, BookingStatus, Session, SessionStatus
from portal.schedule.rules import can_record_attendance
from portal.timeutil import format_local


def register_opens_message(session: Session) -> str:
    """What the register says before the session starts: when it can be taken."""
    opens = format_local(session.starts_at, "%H:%M on %a %-d %b %Y")
    return f"The register opens when the session starts, at {opens}. Attendance cannot be recorded before then."


def _refuse_unless_open(session: Session, now: datetime) -> None:
    if session.status == SessionStatus.CANCELLED:
        raise ScheduleError("The session was cancelled, so there is no register.")
    if not can_record_attendance(session, now):
        raise ScheduleError(register_opens_message(session))


def set_attendance(actor, booking: Booking, attended: bool | None, now: datetime | None = None) -> Booking:
    """Record whether a booked person attended (None clears it), once the session has started.
    Audit 'booking.attendance'."""
    if booking.status != BookingStatus.BOOKED:
        raise ScheduleError("Only booked people are on the register.")
    _refuse_unless_open(booking.session, now or utcnow())
    booking.attended = attended
    booking.attendance_by_id = actor.id
    booking.updated_at = utcnow()
    word = {True: "attended", False: "absent", None: "not recorded"}[attended]
    record(actor, "booking.attendance", booking, summary=f"{booking.user.name}: {word} at {booking.session.display_title}")
    return booking


def unrecorded_bookings(session: Session) -> list[Booking]:
    """The booked people whose attendance is not recorded yet: who "mark everyone attended" would tick."""
    return [b for b in live_bookings(session, BookingStatus.BOOKED) if b.attended is None]


def mark_everyone_attended(actor, session: Session, expected: int, now: datetime | None = None) -> int:
    """Tick every booked person whose attendance is not yet recorded, as confirmed on the confirmation page.

    `expected` is the number that page showed: when the register changed since (someone booked, cancelled
    or was ticked), nothing is changed and the lead is asked to confirm the new number. Returns how many.
    Audit 'session.register_all'.
    """
    _refuse_unless_open(session, now or utcnow())
    bookings = unrecorded_bookings(session)
    if len(bookings) != expected:
        raise ScheduleError(f"The register changed since you looked: {_people(len(bookings))} not yet recorded "
                            "now. Check the number below and confirm again.")
    if not bookings:
        raise ScheduleError("Everyone booked already has their attendance recorded.")
    for booking in bookings:
        booking.attended = True
        booking.attendance_by_id = actor.id
        booking.updated_at = utcnow()
    record(actor, "session.register_all", session,
           summary=f"{len(bookings)} marked attended at {session.display_title}")
    return len(bookings)


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"
