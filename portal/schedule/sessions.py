"""The lead's sessions: adding one or a weekly series, changing one, cancelling one.

Each service adds its audit event and queues its mail in the caller's transaction; the caller commits.
Changes calendars must notice raise the session's SEQUENCE and re-send everyone booked their invitation.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from portal.audit.services import record
from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.services import queue_email
from portal.schedule.bookings import fill_places, live_bookings, lock_session
from portal.schedule.clashes import clashes_for
from portal.schedule.errors import ScheduleError
from portal.schedule.invitations import mail_booked_person, when_text
from portal.schedule.links import session_url
from portal.schedule.models import Audience, BookingStatus, Session, SessionKind, SessionStatus
from portal.timeutil import local_to_utc, to_local


@dataclass
class SessionInput:
    """What the lead enters for a session (times already in UTC)."""

    kind: SessionKind
    title: str
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    all_day: bool = False
    location: str = ""
    online_url: str = ""
    capacity: int | None = None
    audience: Audience = Audience.EVERYONE
    round_id: int | None = None
    host_id: int | None = None
    series_number: int | None = None
    series_total: int | None = None


def local_times(day: date, start: time | None, end: time | None, all_day: bool,
                end_day: date | None = None) -> tuple[datetime, datetime]:
    """Wall-clock entry in the institution's zone to UTC instants; all-day runs midnight to midnight."""
    if all_day:
        last = end_day or day
        return (local_to_utc(datetime.combine(day, time(0))),
                local_to_utc(datetime.combine(last + timedelta(days=1), time(0))))
    if start is None:
        raise ScheduleError("Enter a start time, or tick “all day”.", "start_time")
    start_at = local_to_utc(datetime.combine(day, start))
    end_at = local_to_utc(datetime.combine(end_day or day, end)) if end is not None else start_at
    return start_at, end_at


def _check_input(data: SessionInput, session: Session | None = None) -> None:
    if not data.title.strip():
        raise ScheduleError("Enter a title.", "title")
    if data.ends_at < data.starts_at or (data.ends_at == data.starts_at and data.kind != SessionKind.DEADLINE):
        raise ScheduleError("The end must be after the start.", "end_time")
    if data.capacity is not None and data.capacity < 1:
        raise ScheduleError("Capacity must be at least 1, or left empty for no limit.", "capacity")
    if session is not None and data.capacity is not None and data.capacity < session.booked_count:
        raise ScheduleError(
            f"{session.booked_count} people are already booked, so capacity cannot be below {session.booked_count}.",
            "capacity")
    if data.audience != Audience.EVERYONE and data.round_id is None:
        raise ScheduleError("Choose the round whose applicants or cohort this session is for.", "round_id")
    if (data.series_number is None) != (data.series_total is None):
        raise ScheduleError("Give both the number in the series and how many there are, or neither.", "series_number")
    if data.series_number is not None and not (1 <= data.series_number <= data.series_total):
        raise ScheduleError("The number in the series must be between 1 and the series length.", "series_number")
    if data.online_url and not data.online_url.startswith(("https://", "http://")):
        raise ScheduleError("The online link must start with https://", "online_url")


_FIELDS = ("kind", "title", "description", "starts_at", "ends_at", "all_day", "location", "online_url", "capacity",
           "audience", "round_id", "host_id", "series_number", "series_total")
# Changes that calendars and booked people must hear about.
_CALENDAR_FIELDS = {"title", "description", "starts_at", "ends_at", "all_day", "location", "online_url",
                    "series_number", "series_total", "host_id"}


def _warn_host_of_clashes(actor, session: Session) -> list:
    """The session's clashes; its host is emailed about them unless they made the change themselves."""
    clashes = clashes_for(session)
    if clashes and session.host is not None and session.host_id != getattr(actor, "id", None):
        lines = "\n".join(f"- {clash.message}" for clash in clashes)
        queue_email(session.host.email, f"Clash in your schedule: {session.title}",
                    f"Dear {session.host.name},\n\n{session.display_title} ({when_text(session)}) clashes:\n{lines}\n\n"
                    f"{session_url(session.id)}\n", kind="schedule.clash")
    return clashes


def create_sessions(actor, data: SessionInput, repeat_weeks: int = 1) -> list[Session]:
    """Create a session, or a weekly series of them (workshops in a series are numbered "k of n").

    Side effects: audit 'session.created' per session; the host is emailed about any clash.
    """
    _check_input(data)
    if not 1 <= repeat_weeks <= 52:
        raise ScheduleError("Repeat for between 1 and 52 weeks.", "repeat_weeks")
    created = []
    for week in range(repeat_weeks):
        values = {name: getattr(data, name) for name in _FIELDS}
        if week:
            # Same wall-clock time each week, across clock changes.
            start_local = to_local(data.starts_at).replace(tzinfo=None) + timedelta(weeks=week)
            end_local = to_local(data.ends_at).replace(tzinfo=None) + timedelta(weeks=week)
            values["starts_at"], values["ends_at"] = local_to_utc(start_local), local_to_utc(end_local)
        if repeat_weeks > 1 and data.series_number is None and data.kind == SessionKind.WORKSHOP:
            values["series_number"], values["series_total"] = week + 1, repeat_weeks
        session = Session(**values, updated_at=utcnow())
        db.session.add(session)
        db.session.flush()
        record(actor, "session.created", session, summary=f"{session.display_title} ({when_text(session)})")
        created.append(session)
    for session in created:
        _warn_host_of_clashes(actor, session)
    return created


def update_session(actor, session: Session, data: SessionInput) -> list:
    """Change a session. Returns the clashes it now has (for a warning).

    When anything a calendar shows changes: SEQUENCE grows, and everyone booked gets the updated
    invitation (METHOD:REQUEST). Raising capacity promotes the waitlist. Audit 'session.updated'.
    """
    if session.status == SessionStatus.CANCELLED:
        raise ScheduleError("A cancelled session cannot be changed.")
    lock_session(session)
    _check_input(data, session)
    changed = [name for name in _FIELDS if getattr(session, name) != getattr(data, name)]
    if not changed:
        return clashes_for(session)
    for name in changed:
        setattr(session, name, getattr(data, name))
    session.updated_at = utcnow()
    if _CALENDAR_FIELDS.intersection(changed):
        session.sequence += 1
        for booking in live_bookings(session, BookingStatus.BOOKED):
            mail_booked_person(booking, f"Changed: {session.title}", "A session you booked has changed. The new "
                               "details are below, and your calendar invitation is updated.", "REQUEST",
                               "schedule.changed")
    record(actor, "session.updated", session, summary=f"{session.display_title}: {', '.join(changed)} changed",
           fields=changed)
    fill_places(session, utcnow())
    return _warn_host_of_clashes(actor, session)


def cancel_session(actor, session: Session, reason: str = "") -> Session:
    """Cancel a session. It stays (in feeds as STATUS:CANCELLED) and bookings are kept as they were.

    Side effects: SEQUENCE grows; booked people get METHOD:CANCEL, waitlisted people a note;
    audit 'session.cancelled'.
    """
    lock_session(session)
    if session.status == SessionStatus.CANCELLED:
        raise ScheduleError("This session is already cancelled.")
    now = utcnow()
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = now
    session.updated_at = now
    session.sequence += 1
    note = f"\n\nReason: {reason.strip()}" if reason.strip() else ""
    for booking in live_bookings(session, BookingStatus.BOOKED):
        mail_booked_person(booking, f"Cancelled: {session.title}",
                           f"This session has been cancelled and removed from your calendar.{note}", "CANCEL",
                           "schedule.cancelled")
    for booking in live_bookings(session, BookingStatus.WAITLISTED):
        mail_booked_person(booking, f"Cancelled: {session.title}",
                           f"This session, which you were on the waitlist for, has been cancelled.{note}", None,
                           "schedule.cancelled")
    record(actor, "session.cancelled", session, summary=f"{session.display_title}{(': ' + reason.strip()) if reason.strip() else ''}")
    return session
