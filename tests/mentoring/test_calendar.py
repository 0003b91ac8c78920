"""The next agreed meeting appears in both the mentor's and the mentee's personal iCal feed."""
from __future__ import annotations

from datetime import date, timedelta

import icalendar

from portal.auth.models import Role
from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring.calendar import meeting_events_for
from portal.mentoring.meetings import log_meeting
from portal.mentoring.pairings import confirm_round, run_matching
from tests.factories import make_cohort_round, make_mentor, make_participant, make_user


def _pairing_with_next_meeting(when):
    lead = make_user(roles=[Role.LEAD])
    round_ = make_cohort_round()
    make_participant(round_, name="Mia Mentee")
    make_mentor(name="Max Mentor")
    run_matching(lead, round_)
    pairing = confirm_round(lead, round_)[0]
    log_meeting(pairing.mentor.user, pairing, held_on=date.today(), duration_minutes=60, notes="",
                         next_steps="Draft core area 1", next_meeting_at=when)
    db.session.commit()
    return pairing


def test_next_meeting_is_an_event_for_both_people_and_nobody_else(app):
    when = (utcnow() + timedelta(days=5)).replace(microsecond=0)
    pairing = _pairing_with_next_meeting(when)
    for person, other in ((pairing.mentor.user, "Mia Mentee"), (pairing.mentee, "Max Mentor")):
        events = meeting_events_for(person)
        assert [(e.summary, e.starts_at, e.ends_at) for e in events] == [
            (f"Mentoring meeting with {other}", when, when + timedelta(hours=1))]
        assert "Draft core area 1" in events[0].description
    assert meeting_events_for(make_user()) == []


def test_a_rescheduled_meeting_replaces_the_earlier_one(app):
    first = (utcnow() + timedelta(days=5)).replace(microsecond=0)
    pairing = _pairing_with_next_meeting(first)
    later = first + timedelta(days=2)
    log_meeting(pairing.mentor.user, pairing, held_on=date.today(), duration_minutes=30, notes="",
                         next_steps="", next_meeting_at=later)
    db.session.commit()
    assert [e.starts_at for e in meeting_events_for(pairing.mentee)] == [later]


def test_meeting_in_the_personal_feed(app, client, login):
    from portal.schedule.feeds import create_feed_token
    when = (utcnow() + timedelta(days=3)).replace(microsecond=0, second=0)
    pairing = _pairing_with_next_meeting(when)
    token = create_feed_token(pairing.mentee, label="Phone")
    db.session.commit()
    response = client.get(f"/schedule/feed/{token.token}.ics")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.data)
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert "Mentoring meeting with Max Mentor" in summaries
