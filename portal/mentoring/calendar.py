"""Mentoring meetings in people's personal calendar feeds (the composition root hands this to the schedule)."""
from __future__ import annotations

from datetime import timedelta

from portal.db_types import utcnow
from portal.mentoring import queries
from portal.schedule.ical import CalendarEvent
from portal.web.links import absolute_url

NEXT_MEETING_MINUTES = 60


def meeting_events_for(user) -> list[CalendarEvent]:
    """The next agreed meeting of each of the person's confirmed pairings (as mentor or as mentee).

    Only the most recently logged 'next meeting' of a pairing counts, so a rescheduled meeting
    replaces the earlier one in both calendars (its UID is dropped from the feed).
    """
    latest = {}
    for meeting, pairing in queries.upcoming_meetings_for(user.id, utcnow()):
        current = latest.get(pairing.id)
        if current is None or (meeting.created_at, meeting.id) > (current[0].created_at, current[0].id):
            latest[pairing.id] = (meeting, pairing)
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
            url=absolute_url("mentoring.pairing", pairing_id=pairing.id),
            sequence=0, last_modified=meeting.created_at))
    return events

