"""Mentoring meetings in people's personal calendar feeds (registered with the schedule's FEED_PROVIDERS)."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app

from portal.db_types import utcnow
from portal.mentoring import queries

NEXT_MEETING_MINUTES = 60


def meeting_events_for(user) -> list:
    """The next agreed meeting of each of the person's confirmed pairings (as mentor or as mentee).

    Only the most recently logged 'next meeting' of a pairing counts, so a rescheduled meeting
    replaces the earlier one in both calendars (its UID is dropped from the feed).
    """
    from portal.schedule.ical import CalendarEvent

    latest = {}
    for meeting, pairing in queries.upcoming_meetings_for(user.id, utcnow()):
        current = latest.get(pairing.id)
        if current is None or (meeting.created_at, meeting.id) > (current[0].created_at, current[0].id):
            latest[pairing.id] = (meeting, pairing)
    base = current_app.config["BASE_URL"].rstrip("/")
    events = []
    for meeting, pairing in sorted(latest.values(), key=lambda mp: mp[0].next_meeting_at):
        mentor, mentee = pairing.mentor.user, pairing.mentee
        other = mentee if mentor.id == user.id else mentor
        events.append(CalendarEvent(
            uid=f"mentoring-meeting-{meeting.id}@cohort-portal",
            summary=f"Mentoring meeting with {other.name}",
            description=f"Mentoring: {mentor.name} and {mentee.name}.\nAgreed next steps: {meeting.next_steps or '—'}",
            starts_at=meeting.next_meeting_at,
            ends_at=meeting.next_meeting_at + timedelta(minutes=NEXT_MEETING_MINUTES),
            url=f"{base}/mentoring/pairings/{pairing.id}",
            sequence=0, last_modified=meeting.created_at))
    return events


def register_feed_provider() -> None:
    """Add the provider once, if the schedule's iCal registry exists."""
    try:
        from portal.schedule.ical import FEED_PROVIDERS
    except ImportError:
        return
    if meeting_events_for not in FEED_PROVIDERS:
        FEED_PROVIDERS.append(meeting_events_for)
