"""A round's closing time is a deadline by itself: on the schedule, in personal feeds and in the round's public
feed, following closes_at; once the round has closed it stays only with the people who sent it a proposal."""
from __future__ import annotations

from datetime import datetime, timedelta

import icalendar

from portal.db_types import utcnow
from portal.extensions import db
from portal.proposals.models import ProposalState
from portal.rounds.models import RoundState
from portal.schedule.feeds import create_feed_token
from portal.schedule.models import Audience
from portal.timeutil import local_to_utc, to_local
from tests.factories import make_proposal, make_round, make_session, make_user


def _closes(days: int) -> datetime:
    """12:00 on the institution's clock, `days` from today."""
    day = to_local(utcnow()).date() + timedelta(days=days)
    return local_to_utc(datetime(day.year, day.month, day.day, 12, 0))


def _month_page(client, instant: datetime) -> str:
    return client.get(f"/schedule/?month={to_local(instant).strftime('%Y-%m')}").get_data(as_text=True)


def _feed_events(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(response.data).walk("VEVENT")}


def _personal_feed(person) -> str:
    token = create_feed_token(person, "Laptop")
    db.session.commit()
    return f"/schedule/feed/{token.token}.ics"


def test_an_open_rounds_closing_time_is_on_everyones_schedule_and_feeds_and_follows_the_round(client, login_as):
    person = login_as()
    round_ = make_round(name="CMALT 2031", closes_at=_closes(12))
    feed = _personal_feed(person)
    uid = f"round-{round_.id}-closes@cohort-portal"

    page = _month_page(client, round_.closes_at)
    assert f'<a href="/rounds/{round_.id}">Proposals close: CMALT 2031</a>' in page
    assert "Deadline · 12:00 · proposals must be submitted by this time" in page
    grid = client.get(f"/schedule/?month={to_local(round_.closes_at).strftime('%Y-%m')}&view=grid")
    assert "12:00 Proposals close: CMALT 2031" in grid.get_data(as_text=True)
    for url in (feed, f"/schedule/rounds/{round_.id}/public.ics"):
        event = _feed_events(client, url)[uid]
        assert event["SUMMARY"] == "Proposals close: CMALT 2031"
        assert event.decoded("DTSTART") == round_.closes_at and "DTEND" not in event

    # The lead moves the closing time: the deadline moves with it, under the same UID.
    round_.closes_at = _closes(13)
    db.session.commit()
    assert _feed_events(client, feed)[uid].decoded("DTSTART") == round_.closes_at
    assert _month_page(client, round_.closes_at).count("Proposals close: CMALT 2031") == 1


def test_a_deadline_the_lead_added_at_the_closing_time_is_not_shown_twice(client, login_as):
    person = login_as()
    round_ = make_round(name="CMALT 2031", closes_at=_closes(12))
    by_hand = make_session("deadline", title="Proposals close", round_id=round_.id, starts_at=round_.closes_at,
                           minutes=0)
    events = _feed_events(client, _personal_feed(person))
    assert by_hand.uid in events and f"round-{round_.id}-closes@cohort-portal" not in events
    page = _month_page(client, round_.closes_at)
    assert "Proposals close: CMALT 2031" not in page and ">Proposals close</a>" in page


def test_a_closed_round_keeps_its_deadlines_only_for_its_applicants(client, login, login_as):
    round_ = make_round(name="Closed early", state=RoundState.CLOSED, opens_at=_closes(-20), closes_at=_closes(-1))
    applicant, drafter, bystander = make_user(name="Applicant"), make_user(name="Drafter"), make_user(name="Other")
    make_proposal(round_, applicant, state=ProposalState.SUBMITTED)
    make_proposal(round_, drafter)
    # Left on everyone's schedule by hand, for the closing time the round had before it closed early.
    stale = make_session("deadline", title="Old closing time", round_id=round_.id, audience=Audience.EVERYONE,
                         starts_at=_closes(5), minutes=0)
    cohort_only = make_session("deadline", title="Cohort deadline", round_id=round_.id, audience=Audience.COHORT,
                               starts_at=_closes(6), minutes=0)
    everyone = make_session("deadline", title="Awarding body deadline", audience=Audience.EVERYONE,
                            starts_at=_closes(7), minutes=0)
    uid = f"round-{round_.id}-closes@cohort-portal"
    feeds = {p.id: _personal_feed(p) for p in (applicant, drafter, bystander)}

    for person, keeps in ((applicant, True), (drafter, False), (bystander, False)):
        events = _feed_events(client, feeds[person.id])
        assert (uid in events, stale.uid in events) == (keeps, keeps), person.name
        assert everyone.uid in events and cohort_only.uid not in events
        login(person)
        assert ("Proposals close: Closed early" in _month_page(client, round_.closes_at)) is keeps, person.name
        assert ("Old closing time" in _month_page(client, stale.starts_at)) is keeps, person.name
        assert client.get(f"/schedule/sessions/{stale.id}").status_code == (200 if keeps else 404)
    # The round's own public feed keeps its history.
    assert uid in _feed_events(client, f"/schedule/rounds/{round_.id}/public.ics")


def test_a_draft_rounds_closing_time_is_nowhere(client, login_as):
    person = login_as()
    round_ = make_round(name="Not yet", state=RoundState.DRAFT, closes_at=_closes(12))
    assert f"round-{round_.id}-closes@cohort-portal" not in _feed_events(client, _personal_feed(person))
    assert "Proposals close: Not yet" not in _month_page(client, round_.closes_at)
