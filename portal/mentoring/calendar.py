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



def submission_deadline_events_for(user) -> list[CalendarEvent]:
    """Each portfolio submission deadline (the awarding body's date chosen for a participant) as an all-day
    event in the participant's feed and their mentor's, until an outcome is recorded.

    A deadline taken from a schedule deadline session is already in the participant's feed as that session,
    so only the mentor gets it from here.
    """
    events = []
    for progress, person, _mentor_id in queries.submission_deadlines_for(user.id):
        own = person.id == user.id
        if own and progress.deadline_session_id is not None:
            continue
        events.append(CalendarEvent(
            uid=f"portfolio-deadline-{progress.id}@cohort-portal",
            summary="Portfolio submission deadline" if own else f"Portfolio submission deadline: {person.name}",
            description="The date agreed for submitting the portfolio to the awarding body.",
            starts_at=progress.target_deadline, ends_at=progress.target_deadline + timedelta(days=1), all_day=True,
            url=absolute_url("mentoring.my") if own else absolute_url("mentoring.dashboard"),
            sequence=0, last_modified=progress.updated_at))
    return events
