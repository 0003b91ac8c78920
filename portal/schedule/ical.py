"""iCalendar (RFC 5545) as a pure builder: CalendarEvents in, bytes out (links are handed in, never built here)."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar

PRODID = "-//Cohort Portal//Schedule//EN"


@dataclass
class CalendarEvent:
    """One event, independent of where it came from (a session, a mentoring meeting…).

    Times are aware UTC datetimes; for all-day events use dates (ends_at exclusive, as in iCal).
    The uid must never change for the same thing; sequence must grow whenever it changes.
    """

    uid: str
    summary: str
    description: str
    starts_at: datetime | date
    ends_at: datetime | date
    all_day: bool = False
    location: str = ""
    url: str = ""
    status: str = "CONFIRMED"  # or "CANCELLED"
    sequence: int = 0
    last_modified: datetime | None = None
    # (email, name) pairs; used for invitations (METHOD:REQUEST / CANCEL).
    organizer: tuple[str, str] | None = None
    attendees: list[tuple[str, str]] = field(default_factory=list)


# Unicode's own line breaks: some calendars end a line at them, so a single-line value must not carry them.
_UNICODE_BREAKS = {"\u2028", "\u2029", "\x85"}


def _text(value: str) -> str:
    """Any stored text as an iCal TEXT value: line breaks as \\n (which icalendar escapes), and every other
    control character, which RFC 5545 forbids in a content line, as a space. Text written before input was
    checked, or by a script, must never break a feed."""
    value = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    value = "".join("\n" if c in _UNICODE_BREAKS else
                    " " if c not in "\n\t" and unicodedata.category(c) in ("Cc", "Cs") else c for c in value)
    return value


def _line(value: str) -> str:
    """Any stored text as a single-line value (a summary, a place, a name): line breaks become spaces."""
    return _text(value).replace("\n", " ").strip()


def _parameter(value: str) -> str:
    """A single line for a property parameter (CN): RFC 5545 allows no double quote inside one."""
    return _line(value).replace('"', "'")


@lru_cache(maxsize=32)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> icalendar.Timezone:
    return icalendar.Timezone.from_tzid(tzid, first_date=date(first_year, 1, 1), last_date=date(last_year, 1, 1))


def _address(email: str, name: str, **params) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{_line(email)}")
    if _parameter(name):
        address.params["CN"] = _parameter(name)
    for key, value in params.items():
        address.params[key.replace("_", "-").upper()] = value
    return address


def build_calendar(events: list[CalendarEvent], *, tzid: str, name: str = "", method: str | None = "PUBLISH",
                   alarm_minutes: int | None = None, refresh: timedelta | None = None,
                   stamp: datetime | None = None) -> bytes:
    """Serialise events as a VCALENDAR.

    Timed events are written in tzid's wall-clock time with TZID and the matching VTIMEZONE
    (so calendars show the right time on both sides of a clock change); all-day events are dates.
    method: PUBLISH for feeds and downloads, REQUEST / CANCEL for invitations (None omits it).
    refresh: adds REFRESH-INTERVAL and X-PUBLISHED-TTL for subscribers. alarm_minutes adds a
    display VALARM to every confirmed event. DTSTAMP is stamp when given (invitations), else the
    event's LAST-MODIFIED, so an unchanged event serialises to the same bytes: each VEVENT is built
    with icalendar once and reused from a cache, which keeps feeds of hundreds of events cheap.
    """
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    name = _line(name)
    if name:
        cal.add("name", name)
        cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", tzid)
    if refresh is not None:
        cal.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", icalendar.vDuration(refresh))
    years = [e.starts_at.year for e in events if not e.all_day]
    if years:
        cal.add_component(_vtimezone(tzid, min(years) - 1, max(years) + 2))
    fallback_stamp = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    stamp = stamp.astimezone(timezone.utc).replace(microsecond=0) if stamp is not None else None
    bodies = [_event_bytes(_event_key(item), tzid, alarm_minutes, stamp or _stamp_of(item) or fallback_stamp)
              for item in events]
    head = cal.to_ical()
    closing = b"END:VCALENDAR\r\n"
    assert head.endswith(closing)
    return head[: -len(closing)] + b"".join(bodies) + closing


def _stamp_of(item: CalendarEvent) -> datetime | None:
    if item.last_modified is None:
        return None
    return item.last_modified.astimezone(timezone.utc).replace(microsecond=0)


def _event_key(item: CalendarEvent) -> tuple:
    return (item.uid, item.summary, item.description, item.starts_at, item.ends_at, item.all_day, item.location,
            item.url, item.status, item.sequence, item.last_modified, item.organizer, tuple(item.attendees))


@lru_cache(maxsize=20000)
def _event_bytes(key: tuple, tzid: str, alarm_minutes: int | None, stamp: datetime) -> bytes:
    (uid, summary, description, starts_at, ends_at, all_day, location, url, status, sequence, last_modified,
     organizer, attendees) = key
    tz = ZoneInfo(tzid)
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    if all_day:
        start = starts_at if not isinstance(starts_at, datetime) else starts_at.astimezone(tz).date()
        end = ends_at if not isinstance(ends_at, datetime) else ends_at.astimezone(tz).date()
        if end <= start:
            end = start + timedelta(days=1)
        event.add("dtstart", start)
        event.add("dtend", end)
    else:
        event.add("dtstart", starts_at.astimezone(tz).replace(microsecond=0))
        # A timed deadline is an instant: RFC 5545 wants DTEND later than DTSTART, so leave it out.
        if ends_at > starts_at:
            event.add("dtend", ends_at.astimezone(tz).replace(microsecond=0))
    summary, description, location = _line(summary), _text(description), _line(location)
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    event.add("status", status)
    event.add("sequence", sequence)
    if last_modified is not None:
        event.add("last-modified", last_modified.astimezone(timezone.utc).replace(microsecond=0))
    if organizer:
        event.add("organizer", _address(*organizer))
    for email, person in attendees:
        event.add("attendee", _address(email, person, role="REQ-PARTICIPANT", partstat="ACCEPTED", rsvp="FALSE"))
    if all_day:
        event.add("transp", "TRANSPARENT")
    if alarm_minutes and status != "CANCELLED":
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", timedelta(minutes=-alarm_minutes))
        event.add_component(alarm)
    return event.to_ical()


def event_from_session(session, page: str, *, attendees: list[tuple[str, str]] | None = None,
                       organizer: tuple[str, str] | None = None, sequence: int | None = None) -> CalendarEvent:
    """A Session as a CalendarEvent: the online link goes in LOCATION (when there is no room) and the
    description; URL points back to the session page (`page`, its absolute address); cancelled sessions
    stay, marked CANCELLED."""
    cancelled = session.status.value == "cancelled"
    lines = []
    if session.series_number and session.series_total:
        lines.append(f"{session.kind.label} {session.series_number} of {session.series_total}")
    if session.description:
        lines.append(session.description)
    if session.online_url:
        lines.append(f"Join online: {session.online_url}")
    if session.host is not None:
        lines.append(f"Host: {session.host.name}")
    lines.append(f"Details and booking: {page}")
    if session.all_day:
        start: datetime | date = session.starts_at
        end: datetime | date = session.ends_at
    else:
        start, end = session.starts_at, session.ends_at
    return CalendarEvent(
        uid=session.uid,
        summary=("Cancelled: " if cancelled else "") + session.display_title,
        description="\n\n".join(lines),
        starts_at=start,
        ends_at=end,
        all_day=session.all_day,
        location=session.location or session.online_url or "",
        url=page,
        status="CANCELLED" if cancelled else "CONFIRMED",
        sequence=session.sequence if sequence is None else sequence,
        last_modified=session.updated_at,
        organizer=organizer,
        attendees=attendees or [],
    )
