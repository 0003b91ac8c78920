"""Every change to the schedule: sessions, office-hours blocks, bookings, waitlists, registers, feeds, terms.

Each service adds its audit event and queues its mail in the caller's transaction; the caller commits.
A ScheduleError leaves the transaction to be rolled back by the caller (the view does).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from portal.audit.services import record
from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.services import queue_email
from portal.schedule import ical
from portal.schedule.models import (
    Audience, BlockWaitlistEntry, Booking, BookingStatus, FeedToken, KindNotice, OfficeHoursBlock, Session,
    SessionKind, SessionStatus, Term,
)
from portal.schedule.queries import clashes_for, user_slots_in_block, viewer_for
from portal.schedule.rules import booking_refusal, is_within_notice
from portal.timeutil import format_local, local_to_utc


class ScheduleError(Exception):
    """A schedule rule refused the change; the message is for the person, the field (if any) for the form."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# ---------------------------------------------------------------- used by other features

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
    from portal.schedule.queries import visible_clause
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


# ---------------------------------------------------------------- notice per kind

DEFAULT_NOTICE_HOURS = {
    SessionKind.INTRO: 2,
    SessionKind.WORKSHOP: 24,
    SessionKind.OFFICE_HOURS: 24,
    SessionKind.DEADLINE: 0,
    SessionKind.OTHER: 0,
}


def notice_hours(kind: SessionKind) -> int:
    """Hours before a session after which people can no longer change their booking themselves."""
    return all_notice_hours()[kind]


def all_notice_hours() -> dict[SessionKind, int]:
    """Notice for every kind (one query, remembered for the rest of the request)."""
    from flask import has_request_context, request
    if has_request_context() and hasattr(request, "_schedule_notice"):
        return request._schedule_notice
    rows = {row.kind: row.hours for row in db.session.scalars(select(KindNotice))}
    hours = {kind: rows.get(kind, DEFAULT_NOTICE_HOURS[kind]) for kind in SessionKind}
    if has_request_context():
        request._schedule_notice = hours
    return hours


def set_notice_hours(actor, kind: SessionKind, hours: int) -> KindNotice:
    """Set the minimum notice for a kind. Side effects: audit 'schedule.notice_set'."""
    if hours < 0 or hours > 24 * 30:
        raise ScheduleError("Notice must be between 0 and 720 hours.", "hours")
    row = db.session.get(KindNotice, kind)
    if row is None:
        row = KindNotice(kind=kind, hours=hours)
        db.session.add(row)
    row.hours = hours
    from flask import has_request_context, request
    if has_request_context() and hasattr(request, "_schedule_notice"):
        del request._schedule_notice
    record(actor, "schedule.notice_set", None, summary=f"{kind.label}: {hours} hours notice")
    return row


# ---------------------------------------------------------------- mail and invitations

def _base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def _tzid() -> str:
    return current_app.config["TIMEZONE"]


def _organizer(session: Session) -> tuple[str, str]:
    if session.host is not None:
        return (session.host.email, session.host.name)
    return (current_app.config["MAIL_DEFAULT_SENDER"], current_app.config["INSTITUTION_NAME"])


def _when(session: Session) -> str:
    if session.all_day:
        from portal.timeutil import format_date
        return format_date(session.starts_at)
    return f"{format_local(session.starts_at)} to {format_local(session.ends_at, '%H:%M')}"


def _session_text(session: Session) -> str:
    lines = [session.display_title, f"When: {_when(session)}"]
    if session.location:
        lines.append(f"Where: {session.location}")
    if session.online_url:
        lines.append(f"Join online: {session.online_url}")
    lines.append(f"Details: {ical.session_url(_base_url(), session)}")
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
    event = ical.event_from_session(session, _base_url(), organizer=_organizer(session),
                                    attendees=[(booking.user.email, booking.user.name)], sequence=sequence)
    if method == "CANCEL":
        event.status = "CANCELLED"
    return ical.build_calendar([event], tzid=_tzid(), method=method).decode("utf-8")


def _mail(booking: Booking, subject: str, opening: str, method: str | None, kind: str) -> None:
    session = booking.session
    body = f"Dear {booking.user.name},\n\n{opening}\n\n{_session_text(session)}\n"
    ics = invitation_ics(session, booking, method) if method else None
    queue_email(booking.user.email, subject, body, kind=kind, ics=ics, ics_method=method)


# ---------------------------------------------------------------- locking

def _lock(session: Session) -> Session:
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


# ---------------------------------------------------------------- lead: sessions

@dataclass
class SessionInput:
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
    clashes = clashes_for(session)
    if clashes and session.host is not None and session.host_id != getattr(actor, "id", None):
        lines = "\n".join(f"- {clash.message}" for clash in clashes)
        queue_email(session.host.email, f"Clash in your schedule: {session.title}",
                    f"Dear {session.host.name},\n\n{session.display_title} ({_when(session)}) clashes:\n{lines}\n\n"
                    f"{ical.session_url(_base_url(), session)}\n", kind="schedule.clash")
    return clashes


def create_sessions(actor, data: SessionInput, repeat_weeks: int = 1) -> list[Session]:
    """Create a session, or a weekly series of them (workshops in a series are numbered "k of n").

    Side effects: audit 'session.created' per session; the host is emailed about any clash.
    """
    _check_input(data)
    if not 1 <= repeat_weeks <= 52:
        raise ScheduleError("Repeat for between 1 and 52 weeks.", "repeat_weeks")
    from portal.timeutil import to_local
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
        record(actor, "session.created", session, summary=f"{session.display_title} ({_when(session)})")
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
    _lock(session)
    _check_input(data, session)
    changed = [name for name in _FIELDS if getattr(session, name) != getattr(data, name)]
    if not changed:
        return clashes_for(session)
    for name in changed:
        setattr(session, name, getattr(data, name))
    session.updated_at = utcnow()
    if _CALENDAR_FIELDS.intersection(changed):
        session.sequence += 1
        for booking in _live_bookings(session, BookingStatus.BOOKED):
            _mail(booking, f"Changed: {session.title}", "A session you booked has changed. The new details are "
                  "below, and your calendar invitation is updated.", "REQUEST", "schedule.changed")
    record(actor, "session.updated", session, summary=f"{session.display_title}: {', '.join(changed)} changed",
           fields=changed)
    _fill_places(session, utcnow())
    return _warn_host_of_clashes(actor, session)


def _live_bookings(session: Session, status: BookingStatus) -> list[Booking]:
    return list(db.session.scalars(
        select(Booking).where(Booking.session_id == session.id, Booking.status == status)
        .order_by(Booking.waitlisted_at, Booking.id)
    ))


def cancel_session(actor, session: Session, reason: str = "") -> Session:
    """Cancel a session. It stays (in feeds as STATUS:CANCELLED) and bookings are kept as they were.

    Side effects: SEQUENCE grows; booked people get METHOD:CANCEL, waitlisted people a note;
    audit 'session.cancelled'.
    """
    _lock(session)
    if session.status == SessionStatus.CANCELLED:
        raise ScheduleError("This session is already cancelled.")
    now = utcnow()
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = now
    session.updated_at = now
    session.sequence += 1
    note = f"\n\nReason: {reason.strip()}" if reason.strip() else ""
    for booking in _live_bookings(session, BookingStatus.BOOKED):
        _mail(booking, f"Cancelled: {session.title}",
              f"This session has been cancelled and removed from your calendar.{note}", "CANCEL", "schedule.cancelled")
    for booking in _live_bookings(session, BookingStatus.WAITLISTED):
        _mail(booking, f"Cancelled: {session.title}",
              f"This session, which you were on the waitlist for, has been cancelled.{note}", None, "schedule.cancelled")
    record(actor, "session.cancelled", session, summary=f"{session.display_title}{(': ' + reason.strip()) if reason.strip() else ''}")
    return session


# ---------------------------------------------------------------- lead: office hours

def _parse_hhmm(value: str) -> time:
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        raise ScheduleError("Enter times as HH:MM.", "start_time") from None


def slot_times(first_day: date, start: time, end: time, weeks: int, slot_minutes: int) -> list[tuple[datetime, datetime]]:
    """The UTC start and end of every slot of a weekly block, in order.

    Each week keeps the same wall-clock times, so slots after a clock change start at the
    same local time (and a different UTC instant). Pure apart from reading the configured zone.
    """
    block_minutes = (datetime.combine(first_day, end) - datetime.combine(first_day, start)).total_seconds() // 60
    if block_minutes <= 0:
        raise ScheduleError("The block must end after it starts.", "end_time")
    if slot_minutes <= 0 or block_minutes % slot_minutes:
        raise ScheduleError(f"Slots of {slot_minutes} minutes do not divide a block of {int(block_minutes)} minutes.",
                            "slot_minutes")
    if not 1 <= weeks <= 52:
        raise ScheduleError("Repeat for between 1 and 52 weeks.", "weeks")
    slots = []
    for week in range(weeks):
        day = first_day + timedelta(weeks=week)
        wall = datetime.combine(day, start)
        for _ in range(int(block_minutes // slot_minutes)):
            following = wall + timedelta(minutes=slot_minutes)
            slots.append((local_to_utc(wall), local_to_utc(following)))
            wall = following
    return slots


@dataclass
class BlockInput:
    title: str
    first_day: date
    start_time: str
    end_time: str
    weeks: int = 1
    slot_minutes: int = 20
    per_person: int = 1
    description: str = ""
    location: str = ""
    online_url: str = ""
    audience: Audience = Audience.EVERYONE
    round_id: int | None = None
    host_id: int | None = None


def create_office_hours_block(actor, data: BlockInput) -> OfficeHoursBlock:
    """Enter a weekly office-hours block once; it is split into one-person slots.

    Side effects: one Session (kind office hours, capacity 1) per slot; audit 'office_hours.created'.
    """
    if not data.title.strip():
        raise ScheduleError("Enter a title.", "title")
    if data.audience != Audience.EVERYONE and data.round_id is None:
        raise ScheduleError("Choose the round whose applicants or cohort these office hours are for.", "round_id")
    if data.per_person < 1:
        raise ScheduleError("Each person may hold at least one slot.", "per_person")
    if data.online_url and not data.online_url.startswith(("https://", "http://")):
        raise ScheduleError("The online link must start with https://", "online_url")
    start, end = _parse_hhmm(data.start_time), _parse_hhmm(data.end_time)
    times = slot_times(data.first_day, start, end, data.weeks, data.slot_minutes)
    block = OfficeHoursBlock(
        title=data.title.strip(), description=data.description, first_day=data.first_day,
        start_time=start.strftime("%H:%M"), end_time=end.strftime("%H:%M"), weeks=data.weeks,
        slot_minutes=data.slot_minutes, per_person=data.per_person, location=data.location,
        online_url=data.online_url, audience=data.audience, round_id=data.round_id, host_id=data.host_id,
    )
    db.session.add(block)
    now = utcnow()
    for starts_at, ends_at in times:
        db.session.add(Session(
            kind=SessionKind.OFFICE_HOURS, title=block.title, description=data.description, starts_at=starts_at,
            ends_at=ends_at, location=data.location, online_url=data.online_url, capacity=1,
            audience=data.audience, round_id=data.round_id, host_id=data.host_id, block=block, updated_at=now,
        ))
    db.session.flush()
    record(actor, "office_hours.created", block,
           summary=f"{block.title}: {len(times)} slots of {data.slot_minutes} minutes over {data.weeks} weeks")
    return block


# ---------------------------------------------------------------- staff: bookings

def book_session(user, session: Session, now: datetime | None = None) -> Booking:
    """Book a place, or join the waitlist when the session is full.

    Capacity is exact under concurrency: the session row is locked (see _lock) before places are
    counted. Office-hours slots have no waitlist of their own (the block has one) and count towards
    the block's per-person limit. Side effects: a confirmation email with a METHOD:REQUEST invitation
    (booked) or a waitlist note; audit 'booking.booked' / 'booking.waitlisted'.
    """
    now = now or utcnow()
    viewer = viewer_for(user)
    refusal = booking_refusal(viewer, session, now)
    if refusal:
        raise ScheduleError(refusal)
    _lock(session)
    refusal = booking_refusal(viewer, session, now)
    if refusal:
        raise ScheduleError(refusal)
    booking = db.session.scalar(select(Booking).where(Booking.session_id == session.id, Booking.user_id == user.id))
    if booking is not None and booking.status == BookingStatus.BOOKED:
        raise ScheduleError("You already have a place on this session.")
    if booking is not None and booking.status == BookingStatus.WAITLISTED:
        raise ScheduleError("You are already on the waitlist for this session.")
    block = session.block
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
                    f"frees up you will get it automatically and we will email you.\n\n{_session_text(session)}\n",
                    kind="schedule.waitlisted")
        return booking
    booking.status = BookingStatus.BOOKED
    booking.waitlisted_at = None
    session.booked_count += 1
    if block is not None:
        _resolve_block_waitlist(block.id, user.id, now)
    db.session.flush()
    record(user, "booking.booked", booking, summary=f"{user.name} booked {session.display_title}")
    _mail(booking, f"Booked: {session.title}", "Your place is booked. The invitation attached adds it to your "
          "calendar.", "REQUEST", "schedule.booked")
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
    _lock(session)
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
        _mail(booking, f"Booking cancelled: {session.title}", "Your booking is cancelled and the session is removed "
              "from your calendar.", "CANCEL", "schedule.booking_cancelled")
    record(actor, "booking.cancelled", booking,
           summary=f"{booking.user.name}'s {'waitlist place' if was == BookingStatus.WAITLISTED else 'booking'} "
                   f"for {session.display_title} cancelled")
    if was == BookingStatus.BOOKED:
        _fill_places(session, now)
    return booking


def _fill_places(session: Session, now: datetime) -> list[Booking]:
    """Give free places to the waitlist in order (the caller holds the session lock)."""
    promoted: list[Booking] = []
    if session.status != SessionStatus.SCHEDULED or session.starts_at <= now:
        return promoted
    if session.block_id is not None:
        while not session.is_full:
            booking = _offer_slot_from_block_waitlist(session, now)
            if booking is None:
                break
            promoted.append(booking)
        return promoted
    for booking in _live_bookings(session, BookingStatus.WAITLISTED):
        if session.is_full:
            break
        booking.status = BookingStatus.BOOKED
        booking.promoted_at = now
        booking.updated_at = now
        session.booked_count += 1
        record(None, "booking.promoted", booking, summary=f"{booking.user.name} promoted from the waitlist for "
               f"{session.display_title}")
        _mail(booking, f"You have a place: {session.title}", "A place has freed up and it is yours: you are now "
              "booked. The invitation attached adds it to your calendar. If you can no longer come, please cancel "
              "so the next person can have it.", "REQUEST", "schedule.promoted")
        promoted.append(booking)
    return promoted


def _resolve_block_waitlist(block_id: int, user_id: int, now: datetime) -> None:
    entry = db.session.scalar(select(BlockWaitlistEntry).where(
        BlockWaitlistEntry.block_id == block_id, BlockWaitlistEntry.user_id == user_id,
        BlockWaitlistEntry.resolved_at.is_(None)))
    if entry is not None:
        entry.resolved_at = now


def _offer_slot_from_block_waitlist(session: Session, now: datetime) -> Booking | None:
    block = session.block
    entries = db.session.scalars(
        select(BlockWaitlistEntry).where(BlockWaitlistEntry.block_id == block.id,
                                         BlockWaitlistEntry.resolved_at.is_(None))
        .order_by(BlockWaitlistEntry.created_at, BlockWaitlistEntry.id)
    ).all()
    for entry in entries:
        if user_slots_in_block(entry.user_id, block.id) >= block.per_person:
            entry.resolved_at = now
            continue
        booking = db.session.scalar(select(Booking).where(Booking.session_id == session.id,
                                                          Booking.user_id == entry.user_id))
        if booking is None:
            booking = Booking(session=session, user_id=entry.user_id, user=entry.user, created_at=now)
            db.session.add(booking)
        booking.status = BookingStatus.BOOKED
        booking.promoted_at = now
        booking.updated_at = now
        booking.cancelled_at = None
        session.booked_count += 1
        entry.resolved_at = now
        db.session.flush()
        record(None, "booking.promoted", booking,
               summary=f"{entry.user.name} given a freed slot in {block.title} from its waitlist")
        _mail(booking, f"You have an office-hours slot: {block.title}", "A slot has freed up and it is yours: you "
              "are now booked. If the time does not suit you, cancel it so the next person can have it.",
              "REQUEST", "schedule.promoted")
        return booking
    return None


def join_block_waitlist(user, block: OfficeHoursBlock, now: datetime | None = None) -> BlockWaitlistEntry:
    """Wait for any slot in a block that has none free. Audit 'office_hours.waitlisted'."""
    from portal.schedule.queries import viewer_for as _viewer
    from portal.schedule.rules import can_see_session
    now = now or utcnow()
    future = [s for s in block.sessions if s.status == SessionStatus.SCHEDULED and s.starts_at > now]
    viewer = _viewer(user)
    if not future or not can_see_session(viewer, future[0]):
        raise ScheduleError("These office hours have no slots left to wait for.")
    if any(not s.is_full for s in future):
        raise ScheduleError("There are free slots: please book one of those.")
    if user_slots_in_block(user.id, block.id) >= block.per_person:
        raise ScheduleError("You already hold a slot in these office hours.")
    entry = db.session.scalar(select(BlockWaitlistEntry).where(BlockWaitlistEntry.block_id == block.id,
                                                               BlockWaitlistEntry.user_id == user.id))
    if entry is not None and entry.resolved_at is None:
        raise ScheduleError("You are already on the waitlist for these office hours.")
    if entry is None:
        entry = BlockWaitlistEntry(block_id=block.id, user_id=user.id, user=user)
        db.session.add(entry)
    entry.created_at = now
    entry.resolved_at = None
    db.session.flush()
    record(user, "office_hours.waitlisted", block, summary=f"{user.name} waiting for a slot in {block.title}")
    return entry


def leave_block_waitlist(user, block: OfficeHoursBlock, now: datetime | None = None) -> None:
    entry = db.session.scalar(select(BlockWaitlistEntry).where(
        BlockWaitlistEntry.block_id == block.id, BlockWaitlistEntry.user_id == user.id,
        BlockWaitlistEntry.resolved_at.is_(None)))
    if entry is None:
        raise ScheduleError("You are not on the waitlist for these office hours.")
    entry.resolved_at = now or utcnow()
    record(user, "office_hours.left_waitlist", block, summary=f"{user.name} left the waitlist for {block.title}")


# ---------------------------------------------------------------- registers

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
    """Tick every booked person whose attendance is not yet recorded. Returns how many."""
    count = 0
    for booking in _live_bookings(session, BookingStatus.BOOKED):
        if booking.attended is None:
            booking.attended = True
            booking.attendance_by_id = actor.id
            count += 1
    record(actor, "session.register_all", session, summary=f"{count} marked attended at {session.display_title}")
    return count


# ---------------------------------------------------------------- feeds

def create_feed_token(user, label: str = "", scope: str = "personal", round_id: int | None = None) -> FeedToken:
    """A new secret feed link. Audit 'feed.created'."""
    if scope not in {"personal", "cohort"}:
        raise ScheduleError("Unknown kind of feed.")
    if scope == "cohort":
        viewer = viewer_for(user)
        if round_id is None or not (viewer.is_lead or round_id in viewer.cohort_rounds):
            raise ScheduleError("Cohort feeds are for the people selected in that round.")
    label = (label or "").strip()[:80] or ("My calendar" if scope == "personal" else "Cohort programme")
    token = FeedToken(user_id=user.id, token=secrets.token_urlsafe(32), label=label, scope=scope, round_id=round_id)
    db.session.add(token)
    db.session.flush()
    record(user, "feed.created", token, summary=f"{user.name} created feed “{label}”")
    return token


def revoke_feed_token(actor, token: FeedToken) -> FeedToken:
    """Stop a feed link working (404 from now on). Audit 'feed.revoked'."""
    if token.revoked_at is not None:
        raise ScheduleError("This feed link is already revoked.")
    token.revoked_at = utcnow()
    record(actor, "feed.revoked", token, summary=f"Feed “{token.label}” of {token.user.name} revoked")
    return token


def regenerate_feed_token(actor, token: FeedToken) -> FeedToken:
    """Replace a feed link with a new one (the old stops working). Audit 'feed.revoked' + 'feed.created'."""
    revoke_feed_token(actor, token)
    fresh = FeedToken(user_id=token.user_id, token=secrets.token_urlsafe(32), label=token.label, scope=token.scope,
                      round_id=token.round_id, alarm_minutes=token.alarm_minutes)
    db.session.add(fresh)
    db.session.flush()
    record(actor, "feed.created", fresh, summary=f"Feed “{fresh.label}” regenerated")
    return fresh


ALARM_CHOICES = (None, 10, 30, 60, 24 * 60)


def set_feed_alarm(actor, token: FeedToken, minutes: int | None) -> FeedToken:
    """Switch the feed's reminder alarm on (minutes before) or off. Audit 'feed.alarm'."""
    if minutes not in ALARM_CHOICES:
        raise ScheduleError("Choose one of the reminder times offered.", "alarm_minutes")
    token.alarm_minutes = minutes
    record(actor, "feed.alarm", token, summary=f"Reminder {'off' if minutes is None else f'{minutes} minutes before'}")
    return token


def touch_feed(token: FeedToken, now: datetime | None = None) -> None:
    """Remember when a calendar last fetched the feed (at most once an hour, to keep feeds read-only)."""
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(hours=1):
        token.last_used_at = now


# ---------------------------------------------------------------- terms

def add_term(actor, name: str, starts_on: date, weeks: int) -> Term:
    """Add a term for week labels ("Wk 1, HT24"). Audit 'term.created'."""
    name = name.strip()
    if not name or len(name) > 40:
        raise ScheduleError("Enter a short term name, such as HT24.", "name")
    if not 1 <= weeks <= 30:
        raise ScheduleError("A term has between 1 and 30 weeks.", "weeks")
    term = Term(name=name, starts_on=starts_on, weeks=weeks)
    db.session.add(term)
    db.session.flush()
    record(actor, "term.created", term, summary=f"{name} from {starts_on.isoformat()}, {weeks} weeks")
    return term


def delete_term(actor, term: Term) -> None:
    record(actor, "term.deleted", term, summary=f"{term.name} removed")
    db.session.delete(term)
