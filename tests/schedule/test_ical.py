"""The iCal builder and the feeds: parse with icalendar, round-trip UID/SEQUENCE/STATUS/TZID, clock changes,
cancelled sessions, all-day deadlines, alarms, conditional GETs, revoked tokens and other features' feed events."""
from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest

from portal.auth.models import Role
from portal.extensions import db
from portal.proposals.models import ProposalState
from portal.rounds.models import RoundState
from portal.schedule import ical
from portal.schedule.bookings import book_session
from portal.schedule.feeds import create_feed_token, revoke_feed_token, set_feed_alarm
from portal.schedule.hooks import configure_schedule
from portal.schedule.models import Audience, SessionKind
from portal.schedule.sessions import SessionInput, cancel_session, create_sessions, update_session
from portal.timeutil import local_to_utc
from tests.factories import make_booking, make_proposal, make_round, make_session, make_user

LONDON = ZoneInfo("Europe/London")


def local(*args) -> datetime:
    return local_to_utc(datetime(*args), LONDON)


def _parse(body: bytes):
    cal = icalendar.Calendar.from_ical(body)
    return cal, {str(e["UID"]): e for e in cal.walk("VEVENT")}


# ---------------------------------------------------------------- the pure builder

def test_builder_round_trips_uid_sequence_status_and_tzid_with_the_vtimezone():
    start = datetime(2027, 3, 10, 14, 0, tzinfo=timezone.utc)
    events = [
        ical.CalendarEvent("a@portal", "Workshop", "Bring a draft", start, start + timedelta(hours=1),
                           location="Room 1", url="https://portal.example/s/1", sequence=3,
                           last_modified=datetime(2027, 3, 1, 9, 30, tzinfo=timezone.utc)),
        ical.CalendarEvent("b@portal", "Gone", "", start, start + timedelta(hours=1), status="CANCELLED",
                           sequence=5),
    ]
    body = ical.build_calendar(events, tzid="Europe/London", name="My programme", refresh=timedelta(hours=1))
    cal, by_uid = _parse(body)
    assert cal["METHOD"] == "PUBLISH" and cal["X-WR-CALNAME"] == "My programme"
    assert cal["REFRESH-INTERVAL"].dt == timedelta(hours=1) and str(cal["X-PUBLISHED-TTL"].to_ical(), "ascii") == "PT1H"
    [tz] = cal.walk("VTIMEZONE")
    assert tz["TZID"] == "Europe/London"
    first = by_uid["a@portal"]
    assert first["SEQUENCE"] == 3 and first["STATUS"] == "CONFIRMED"
    assert first["DTSTART"].params["TZID"] == "Europe/London"
    assert first.decoded("DTSTART") == start
    assert first.decoded("LAST-MODIFIED") == datetime(2027, 3, 1, 9, 30, tzinfo=timezone.utc)
    assert first["URL"] == "https://portal.example/s/1" and first["LOCATION"] == "Room 1"
    assert "DTSTAMP" in first
    assert by_uid["b@portal"]["STATUS"] == "CANCELLED" and by_uid["b@portal"]["SEQUENCE"] == 5
    assert b"TZID=Europe/London:20270310T140000" in body  # GMT in March before the change


def test_all_day_events_are_dates_and_alarms_are_optional():
    events = [ical.CalendarEvent("d@portal", "Deadline", "", date(2027, 6, 1), date(2027, 6, 2), all_day=True)]
    cal, by_uid = _parse(ical.build_calendar(events, tzid="Europe/London", alarm_minutes=30))
    event = by_uid["d@portal"]
    assert event.decoded("DTSTART") == date(2027, 6, 1) and event.decoded("DTEND") == date(2027, 6, 2)
    [alarm] = event.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY" and alarm.decoded("TRIGGER") == timedelta(minutes=-30)
    _cal, plain = _parse(ical.build_calendar(events, tzid="Europe/London"))
    assert plain["d@portal"].walk("VALARM") == []
    assert cal.walk("VTIMEZONE") == []  # no timed events, no zone needed


# ---------------------------------------------------------------- sessions in feeds

def _personal_feed(client, login_as, **user):
    person = login_as(**user)
    token = create_feed_token(person, "Laptop")
    db.session.commit()
    return person, token


def test_a_session_moved_across_the_clock_change_shows_the_right_instant(app, client, login_as):
    person, token = _personal_feed(client, login_as)
    lead = make_user(roles=[Role.LEAD])
    before = local(2026, 10, 22, 10, 0)  # Thursday, BST: 09:00 UTC
    [session] = create_sessions(lead, SessionInput(
        kind=SessionKind.WORKSHOP, title="Workshop", starts_at=before, ends_at=before + timedelta(hours=1)))
    db.session.commit()
    book_session(person, session, now=local(2026, 10, 1, 9, 0))
    db.session.commit()
    _cal, by_uid = _parse(client.get(f"/schedule/feed/{token.token}.ics").data)
    assert by_uid[session.uid].decoded("DTSTART") == datetime(2026, 10, 22, 9, 0, tzinfo=timezone.utc)

    after = local(2026, 10, 29, 10, 0)  # a week later, GMT: 10:00 UTC
    update_session(lead, session, SessionInput(
        kind=SessionKind.WORKSHOP, title="Workshop", starts_at=after, ends_at=after + timedelta(hours=1)))
    db.session.commit()
    body = client.get(f"/schedule/feed/{token.token}.ics").data
    _cal, by_uid = _parse(body)
    event = by_uid[session.uid]
    assert event.decoded("DTSTART") == datetime(2026, 10, 29, 10, 0, tzinfo=timezone.utc)
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert b"DTSTART;TZID=Europe/London:20261029T100000" in body
    assert event["SEQUENCE"] == 1


def test_cancelled_sessions_stay_in_feeds_as_cancelled(app, client, login_as):
    person, token = _personal_feed(client, login_as)
    session = make_session(title="Workshop 4", capacity=5)
    make_booking(session, person)
    cancel_session(make_user(roles=[Role.LEAD]), session)
    db.session.commit()
    _cal, by_uid = _parse(client.get(f"/schedule/feed/{token.token}.ics").data)
    assert by_uid[session.uid]["STATUS"] == "CANCELLED"
    assert by_uid[session.uid]["SUMMARY"] == "Cancelled: Workshop 4"
    assert by_uid[session.uid]["SEQUENCE"] == 1


def test_personal_feed_holds_bookings_cohort_programme_deadlines_hosting_and_providers(app, client, login_as):
    person, token = _personal_feed(client, login_as, name="Pat Person")
    round_ = make_round(state=RoundState.RUNNING)
    make_proposal(round_, person, state=ProposalState.SELECTED)
    booked = make_session(title="Booked intro", kind="intro")
    make_booking(booked, person)
    not_booked = make_session(title="Open workshop")
    cohort = make_session(title="Cohort workshop", audience=Audience.COHORT, round_id=round_.id)
    deadline = make_session(kind="deadline", title="Submission", audience=Audience.COHORT, round_id=round_.id)
    hosted = make_session(title="I host this", host_id=person.id)
    other_cohort = make_session(title="Not my cohort", audience=Audience.COHORT, round_id=make_round().id)
    provided = ical.CalendarEvent("meeting-1@mentoring", "Mentoring meeting", "", booked.starts_at,
                                  booked.ends_at)
    configured = app.extensions["schedule"]
    configure_schedule(app, participation=configured.participation, feed_events=(
        *configured.feed_events, lambda user: [provided] if user.id == person.id else []))
    try:
        response = client.get(f"/schedule/feed/{token.token}.ics")
    finally:
        app.extensions["schedule"] = configured
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    _cal, by_uid = _parse(response.data)
    # The rounds' closing times come by themselves: the cohort's own round (closed, Pat is in it) and the
    # other round (still open, so anyone may apply).
    closing = {f"round-{round_.id}-closes@cohort-portal", f"round-{other_cohort.round_id}-closes@cohort-portal"}
    assert set(by_uid) == {booked.uid, cohort.uid, deadline.uid, hosted.uid, "meeting-1@mentoring", *closing}
    assert not_booked.uid not in by_uid and other_cohort.uid not in by_uid
    assert by_uid[booked.uid]["URL"] == f"http://localhost/schedule/sessions/{booked.id}"


def test_a_revoked_token_gets_410_and_an_unknown_one_404(app, client, login_as):
    person, token = _personal_feed(client, login_as)
    assert client.get(f"/schedule/feed/{token.token}.ics").status_code == 200
    revoke_feed_token(person, token)
    db.session.commit()
    revoked = client.get(f"/schedule/feed/{token.token}.ics")
    unknown = client.get("/schedule/feed/not-a-real-token.ics")
    assert (revoked.status_code, unknown.status_code) == (410, 404)
    assert "revoked" not in unknown.get_data(as_text=True).lower()


def test_a_repeated_conditional_get_answers_304_until_something_changes(app, client, login_as):
    person, token = _personal_feed(client, login_as)
    session = make_session(title="Workshop")
    make_booking(session, person)
    url = f"/schedule/feed/{token.token}.ics"
    first = client.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    update_session(make_user(roles=[Role.LEAD]), session, SessionInput(
        kind=SessionKind.WORKSHOP, title="Workshop (new room)", starts_at=session.starts_at,
        ends_at=session.ends_at))
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert b"SUMMARY:Workshop (new room)" in changed.data


def test_the_alarm_switched_on_for_a_feed_appears_in_that_feed_only(app, client, login_as):
    person, token = _personal_feed(client, login_as)
    other = create_feed_token(person, "Phone")
    make_booking(make_session(), person)
    set_feed_alarm(person, token, 30)
    db.session.commit()
    _cal, with_alarm = _parse(client.get(f"/schedule/feed/{token.token}.ics").data)
    _cal, without = _parse(client.get(f"/schedule/feed/{other.token}.ics").data)
    assert len(next(iter(with_alarm.values())).walk("VALARM")) == 1
    assert next(iter(without.values())).walk("VALARM") == []


def test_the_cohort_feed_serves_the_cohort_and_stops_when_membership_ends(app, client, login_as):
    person = login_as()
    round_ = make_round(state=RoundState.RUNNING)
    proposal = make_proposal(round_, person, state=ProposalState.SELECTED)
    workshop = make_session(title="Cohort workshop", audience=Audience.COHORT, round_id=round_.id)
    make_session(title="Open to all", round_id=round_.id)
    token = create_feed_token(person, "", "cohort", round_.id)
    db.session.commit()
    _cal, by_uid = _parse(client.get(f"/schedule/feed/{token.token}.ics").data)
    assert set(by_uid) == {workshop.uid}
    proposal.state = ProposalState.DECLINED
    db.session.commit()
    assert client.get(f"/schedule/feed/{token.token}.ics").status_code == 404


def test_the_public_round_feed_has_intro_sessions_and_deadlines_but_not_the_cohort_programme(app, client):
    round_ = make_round()
    intro = make_session("intro", title="Intro", audience=Audience.APPLICANTS, round_id=round_.id)
    # Added by hand at the closing time: it stands in for the closing time the feed would add by itself.
    closing = make_session("deadline", title="Proposals close", round_id=round_.id, starts_at=round_.closes_at,
                           minutes=0)
    make_session(title="Cohort workshop", audience=Audience.COHORT, round_id=round_.id)
    make_session("deadline", title="Cohort-only deadline", audience=Audience.COHORT, round_id=round_.id)
    response = client.get(f"/schedule/rounds/{round_.id}/public.ics")
    assert response.status_code == 200
    _cal, by_uid = _parse(response.data)
    assert set(by_uid) == {intro.uid, closing.uid}
    assert client.get("/schedule/rounds/99999/public.ics").status_code == 404
    draft = make_round(state=RoundState.DRAFT)
    assert client.get(f"/schedule/rounds/{draft.id}/public.ics").status_code == 404


def test_a_session_download_is_publish_with_the_session(app, client, login_as):
    login_as()
    session = make_session(title="Portfolio workshop", online_url="https://meet.example/x")
    response = client.get(f"/schedule/sessions/{session.id}.ics")
    assert response.status_code == 200
    assert 'filename="portfolio-workshop.ics"' in response.headers["Content-Disposition"]
    cal, by_uid = _parse(response.data)
    assert cal["METHOD"] == "PUBLISH"
    assert by_uid[session.uid]["LOCATION"] == "https://meet.example/x"
    assert "Join online: https://meet.example/x" in by_uid[session.uid]["DESCRIPTION"]


def test_a_feed_of_500_events_is_built(app):
    """Size check only (the benchmark measures speed): every event survives the round trip."""
    start = datetime(2027, 1, 1, 9, tzinfo=timezone.utc)
    events = [ical.CalendarEvent(f"{n}@p", f"Event {n}", "text", start + timedelta(hours=n),
                                 start + timedelta(hours=n, minutes=30), sequence=n % 4) for n in range(500)]
    _cal, by_uid = _parse(ical.build_calendar(events, tzid="Europe/London"))
    assert len(by_uid) == 500 and by_uid["499@p"]["SEQUENCE"] == 3


@pytest.mark.parametrize("bad", ["", "x" * 100])
def test_odd_tokens_are_404(app, client, bad):
    assert client.get(f"/schedule/feed/{bad}.ics").status_code == 404


# ---------------------------------------------------------------- any stored text, every text property

HOSTILE_TEXTS = {
    "crlf": "First\r\nBEGIN:VEVENT\r\nUID:injected",
    "cr": "Carriage\rreturn",
    "lf": "Line\nfeed",
    "controls": "Bell\x07 escape\x1b[31m delete\x7f vertical\x0b form\x0c end\x1f",
    "long": "Évaluation " * 2000,
    "unicode": "Ünïcødé 😀 日本語 \u200b \u2028 \u2029 ;,\\:\"'<>",
    "quote": 'He said "hello"; then, left: ok',
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_TEXTS))
def test_the_builder_writes_any_stored_text_into_every_text_property(kind):
    text = HOSTILE_TEXTS[kind]
    start = datetime(2027, 3, 10, 14, 0, tzinfo=timezone.utc)
    event = ical.CalendarEvent("u@portal", text, text, start, start + timedelta(hours=1), location=text,
                               organizer=("lead@example.ac.uk", text), attendees=[("a@example.ac.uk", text)])
    body = ical.build_calendar([event], tzid="Europe/London", name=text, alarm_minutes=30, method="REQUEST")
    lines = body.split(b"\r\n")
    # Only the builder's own lines start components: the text cannot add an event or a property.
    assert sum(line == b"BEGIN:VEVENT" for line in lines) == 1
    assert not any(line.startswith(b"UID:injected") for line in lines)
    assert b"\n" not in body.replace(b"\r\n", b"") and b"\r" not in body.replace(b"\r\n", b"")
    # RFC 5545: no control characters in content lines (HTAB aside), and lines folded at 75 octets.
    assert not [c for c in body.decode() if ord(c) < 32 and c not in "\r\n\t" or ord(c) == 127]
    assert all(len(line) <= 75 for line in lines)
    cal, by_uid = _parse(body)
    parsed = by_uid["u@portal"]
    single = " ".join("".join(" " if unicodedata.category(c) == "Cc" or c in "\u2028\u2029" else c
                              for c in text).split())
    for prop in ("SUMMARY", "LOCATION"):
        value = str(parsed[prop])
        assert "\n" not in value and "\r" not in value
        assert " ".join(value.split()) == single
    assert " ".join(str(cal["NAME"]).split()) == single and " ".join(str(cal["X-WR-CALNAME"]).split()) == single
    assert " ".join(str(parsed["DESCRIPTION"]).split()) == single  # line breaks kept as breaks, nothing lost
    # A parameter may hold no double quote (RFC 5545), and icalendar's parser drops a backslash in one.
    for prop in ("ORGANIZER", "ATTENDEE"):
        assert " ".join(parsed[prop].params["CN"].split()) == single.replace('"', "'").replace("\\", "")
    [alarm] = parsed.walk("VALARM")
    assert " ".join(str(alarm["DESCRIPTION"]).split()) == single


def test_the_builder_keeps_line_breaks_in_a_description():
    start = datetime(2027, 3, 10, 14, 0, tzinfo=timezone.utc)
    event = ical.CalendarEvent("u@portal", "Title", "One\r\nTwo\rThree\nFour", start, start + timedelta(hours=1))
    _cal, by_uid = _parse(ical.build_calendar([event], tzid="Europe/London"))
    assert str(by_uid["u@portal"]["DESCRIPTION"]) == "One\nTwo\nThree\nFour"


def test_stored_line_breaks_in_titles_and_names_never_break_a_feed(app, client, login_as):
    """Rows written before titles and names were single-line on input (or by a script) still serve."""
    person, token = _personal_feed(client, login_as, name="Pat\r\nPerson")
    round_ = make_round(state=RoundState.OPEN, name="Round\r\nX-INJECTED:1")
    session = make_session(kind="intro", title="Intro\r\nBEGIN:VEVENT", audience=Audience.APPLICANTS,
                           round_id=round_.id, host_id=person.id, location="Room\n1", description="A\rB")
    make_booking(session, person)
    for url in (f"/schedule/sessions/{session.id}.ics", f"/schedule/feed/{token.token}.ics",
                f"/schedule/rounds/{round_.id}/public.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        cal, by_uid = _parse(response.data)
        assert str(by_uid[session.uid]["SUMMARY"]) == "Intro BEGIN:VEVENT", url
        # The session, and in the feeds the round's closing time, whose title carries the round's name.
        assert len(cal.walk("VEVENT")) == (1 if url.endswith(f"{session.id}.ics") else 2), url
        assert not [line for line in response.data.split(b"\r\n") if line.startswith((b"X-INJECTED", b"UID:x"))]
        assert "\n" not in str(cal["X-WR-CALNAME"])


def test_a_session_download_in_any_script_has_a_header_a_wsgi_server_can_send(app, client, login_as):
    # PEP 3333: headers go out as Latin-1, so a file name taken from "Gweithdy 日本語 ünï" must be ASCII.
    login_as()
    session = make_session(title="Gweithdy 日本語 ünï — portffolio")
    response = client.get(f"/schedule/sessions/{session.id}.ics")
    disposition = response.headers["Content-Disposition"]
    disposition.encode("latin-1")
    assert 'filename="gweithdy-uni-portffolio.ics"' in disposition
