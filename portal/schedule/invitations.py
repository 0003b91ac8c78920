"""What the schedule sends people by email: a session described in words, and its calendar invitation."""
from __future__ import annotations

from flask import current_app

from portal.outbox.services import queue_email
from portal.schedule import ical
from portal.schedule.links import session_url
from portal.schedule.models import Booking, Session
from portal.timeutil import format_date, format_local


def _organizer(session: Session) -> tuple[str, str]:
    if session.host is not None:
        return (session.host.email, session.host.name)
    return (current_app.config["MAIL_DEFAULT_SENDER"], current_app.config["INSTITUTION_NAME"])


def when_text(session: Session) -> str:
    """When a session is, in the institution's zone: "Thu 18 Jan 2024, 14:00 to 15:00" or just its date."""
    if session.all_day:
        return format_date(session.starts_at)
    return f"{format_local(session.starts_at)} to {format_local(session.ends_at, '%H:%M')}"


def session_text(session: Session) -> str:
    """The session in a few lines for an email: title, when, where, the online link and its page."""
    lines = [session.display_title, f"When: {when_text(session)}"]
    if session.location:
        lines.append(f"Where: {session.location}")
    if session.online_url:
        lines.append(f"Join online: {session.online_url}")
    lines.append(f"Details: {session_url(session.id)}")
    return "\n".join(lines)


def invitation_ics(session: Session, booking: Booking, method: str) -> str:
    """A one-event calendar for one person: REQUEST (booked / changed) or CANCEL.

    The SEQUENCE is the session's, but never lower than one above what this person was last sent,
    so Outlook and Google apply a re-invitation after a cancellation instead of ignoring it.
    """
    sequence = session.sequence
    if booking.invite_sequence is not None:
        sequence = max(sequence, booking.invite_sequence + 1)
    booking.invite_sequence = sequence
    event = ical.event_from_session(session, session_url(session.id), organizer=_organizer(session),
                                    attendees=[(booking.user.email, booking.user.name)], sequence=sequence)
    if method == "CANCEL":
        event.status = "CANCELLED"
    return ical.build_calendar([event], tzid=current_app.config["TIMEZONE"], method=method).decode("utf-8")


def mail_booked_person(booking: Booking, subject: str, opening: str, method: str | None, kind: str) -> None:
    """Queue an email to the booking's person about its session, with the invitation when `method` is given
    (REQUEST or CANCEL). Side effect: the booking remembers the SEQUENCE it was sent."""
    session = booking.session
    body = f"Dear {booking.user.name},\n\n{opening}\n\n{session_text(session)}\n"
    ics = invitation_ics(session, booking, method) if method else None
    queue_email(booking.user.email, subject, body, kind=kind, ics=ics, ics_method=method)
