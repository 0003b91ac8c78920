"""Schedule services: bookings and capacity (also under concurrency), waitlists, notice, office hours,
session changes and cancellations with their invitations, registers, feeds and terms."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role, User
from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.proposals.models import ProposalState
from portal.rounds.models import RoundState
from portal.schedule.bookings import book_session, cancel_booking
from portal.schedule.errors import ScheduleError
from portal.schedule.feeds import create_feed_token, regenerate_feed_token, revoke_feed_token
from portal.schedule.intro import bookable_intro_sessions, has_attended_intro
from portal.schedule.models import (
    Audience, BlockWaitlistEntry, Booking, BookingStatus, Session, SessionKind, SessionStatus,
)
from portal.schedule.notice import set_notice_hours
from portal.schedule.office_hours import BlockInput, create_office_hours_block, join_block_waitlist
from portal.schedule.registers import mark_everyone_attended, set_attendance
from portal.schedule.sessions import SessionInput, cancel_session, create_sessions, update_session
from portal.schedule.terms import add_term
from portal.timeutil import local_to_utc
from tests.factories import make_booking, make_proposal, make_round, make_session, make_user

pytestmark = pytest.mark.usefixtures("app")
LONDON = ZoneInfo("Europe/London")


def local(*args) -> datetime:
    """A wall-clock time in London as a UTC instant."""
    return local_to_utc(datetime(*args), LONDON)


def _mail_to(user) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user.email)
                                   .order_by(OutboxMessage.id)))


def _event(ics: str):
    cal = icalendar.Calendar.from_ical(ics)
    return cal, cal.walk("VEVENT")[0]


# ---------------------------------------------------------------- the interface other features use

def test_has_attended_intro_needs_a_ticked_register_on_a_live_intro_of_that_round_or_none():
    round_ = make_round()
    other_round = make_round()
    person = make_user()
    assert has_attended_intro(person, round_) is False
    booked_only = make_session("intro", round_id=round_.id, starts_in=timedelta(days=-3))
    make_booking(booked_only, person)
    assert has_attended_intro(person, round_) is False
    elsewhere = make_session("intro", round_id=other_round.id, starts_in=timedelta(days=-2))
    make_booking(elsewhere, person, attended=True)
    assert has_attended_intro(person, round_) is False
    assert has_attended_intro(person, other_round) is True
    general = make_session("intro", round_id=None, starts_in=timedelta(days=-1))
    make_booking(general, person, attended=True)
    assert has_attended_intro(person, round_) is True
    general.status = SessionStatus.CANCELLED
    db.session.commit()
    assert has_attended_intro(person, round_) is False
    workshop = make_session("workshop", round_id=round_.id, starts_in=timedelta(days=-1))
    make_booking(workshop, person, attended=True)
    assert has_attended_intro(person, round_) is False


def test_bookable_intro_sessions_are_future_scheduled_not_full_for_the_round_or_none():
    round_ = make_round()
    other = make_round()
    person = make_user()
    soon = make_session("intro", title="Soon", round_id=round_.id, starts_in=timedelta(days=2), capacity=5,
                        audience=Audience.APPLICANTS)
    general = make_session("intro", title="General", starts_in=timedelta(days=3))
    make_session("intro", title="Past", round_id=round_.id, starts_in=timedelta(days=-2))
    make_session("intro", title="Other round", round_id=other.id, starts_in=timedelta(days=2))
    full = make_session("intro", title="Full", round_id=round_.id, starts_in=timedelta(days=2), capacity=1)
    make_booking(full)
    make_session("intro", title="Cancelled", round_id=round_.id, starts_in=timedelta(days=2),
                 status=SessionStatus.CANCELLED)
    make_session("workshop", title="Workshop", round_id=round_.id, starts_in=timedelta(days=2))
    assert [s.title for s in bookable_intro_sessions(round_, person)] == ["Soon", "General"]
    assert [s.id for s in bookable_intro_sessions(round_)] == [soon.id, general.id]


# ---------------------------------------------------------------- booking and capacity

def test_booking_takes_a_place_and_sends_a_request_invitation():
    host = make_user(name="Hana Host", email="hana@example.ac.uk")
    person = make_user(name="Pat Person")
    session = make_session(title="Workshop on portfolios", capacity=3, host_id=host.id, location="Room 2.01",
                           online_url="https://meet.example/abc")
    booking = book_session(person, session)
    db.session.commit()
    assert booking.status == BookingStatus.BOOKED
    assert session.booked_count == 1 and session.places_left == 2
    [mail] = _mail_to(person)
    assert mail.subject == "Booked: Workshop on portfolios" and mail.ics_method == "REQUEST"
    cal, event = _event(mail.ics)
    assert cal["METHOD"] == "REQUEST"
    assert str(event["UID"]) == session.uid
    assert str(event["ORGANIZER"]) == "mailto:hana@example.ac.uk"
    assert str(event["ATTENDEE"]) == f"mailto:{person.email}"
    assert event["LOCATION"] == "Room 2.01"
    assert "Join online: https://meet.example/abc" in event["DESCRIPTION"]
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_id == booking.id)) == "booking.booked"


def test_a_full_session_offers_the_waitlist_and_a_cancellation_promotes_the_first():
    session = make_session(title="Intro", kind="intro", capacity=1)
    first, second, third = make_user(), make_user(), make_user()
    book_session(first, session)
    db.session.commit()
    waiting = book_session(second, session)
    db.session.commit()
    later = book_session(third, session)
    db.session.commit()
    assert (waiting.status, later.status) == (BookingStatus.WAITLISTED, BookingStatus.WAITLISTED)
    assert session.booked_count == 1
    assert _mail_to(second)[0].subject == "On the waitlist: Intro"

    booking = db.session.scalar(select(Booking).where(Booking.user_id == first.id))
    cancel_booking(first, booking)
    db.session.commit()
    assert booking.status == BookingStatus.CANCELLED
    assert waiting.status == BookingStatus.BOOKED and waiting.promoted_at is not None
    assert later.status == BookingStatus.WAITLISTED
    assert session.booked_count == 1
    promoted_mail = _mail_to(second)[-1]
    assert promoted_mail.subject == "You have a place: Intro" and promoted_mail.ics_method == "REQUEST"
    cancel_mail = _mail_to(first)[-1]
    assert cancel_mail.ics_method == "CANCEL"
    cal, event = _event(cancel_mail.ics)
    assert cal["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"
    request_cal, request_event = _event(_mail_to(first)[0].ics)
    assert event["UID"] == request_event["UID"]
    assert event["SEQUENCE"] > request_event["SEQUENCE"]


def test_rebooking_after_a_cancellation_sends_a_higher_sequence_than_the_cancel():
    session = make_session(capacity=5)
    person = make_user()
    book_session(person, session)
    db.session.commit()
    booking = db.session.scalar(select(Booking).where(Booking.user_id == person.id))
    cancel_booking(person, booking)
    db.session.commit()
    book_session(person, session)
    db.session.commit()
    sequences = [int(_event(m.ics)[1]["SEQUENCE"]) for m in _mail_to(person)]
    assert sequences == [0, 1, 2]
    assert db.session.scalar(select(func.count(Booking.id))) == 1


@pytest.mark.parametrize("change, message", [
    (dict(status=SessionStatus.CANCELLED), "This session has been cancelled."),
    (dict(starts_at=utcnow() - timedelta(hours=1)), "This session has already started"),
    (dict(kind=SessionKind.DEADLINE), "Deadlines are in your calendar"),
])
def test_booking_a_cancelled_past_or_deadline_session_is_refused(change, message):
    session = make_session(capacity=5)
    for key, value in change.items():
        setattr(session, key, value)
    if "starts_at" in change:
        session.ends_at = change["starts_at"] + timedelta(hours=2)
    db.session.commit()
    with pytest.raises(ScheduleError, match=message):
        book_session(make_user(), session)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_booking_twice_is_refused():
    session = make_session()
    person = make_user()
    book_session(person, session)
    db.session.commit()
    with pytest.raises(ScheduleError, match="already have a place"):
        book_session(person, session)
    db.session.rollback()
    assert session.booked_count == 1


def test_fifty_people_pressing_book_for_the_last_ten_places_get_exactly_ten(app):
    """Real threads, one app context and database session each, all released at once."""
    session = make_session(title="Popular workshop", capacity=12)
    make_booking(session)
    make_booking(session)  # 10 places left
    people = [make_user(commit=False) for _ in range(50)]
    db.session.commit()
    session_id, person_ids = session.id, [p.id for p in people]
    barrier = threading.Barrier(len(person_ids))
    outcomes: list = []
    lock = threading.Lock()

    def press_book(person_id: int):
        with app.app_context():
            barrier.wait()
            try:
                person = db.session.get(User, person_id)
                booking = book_session(person, db.session.get(Session, session_id))
                db.session.commit()
                result = booking.status
            except Exception as exc:  # noqa: BLE001  recorded and asserted below
                db.session.rollback()
                result = repr(exc)
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=press_book, args=(pid,)) for pid in person_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Counter(outcomes) == {BookingStatus.BOOKED: 10, BookingStatus.WAITLISTED: 40}, Counter(outcomes)
    db.session.expire_all()
    booked = db.session.scalar(select(func.count(Booking.id)).where(Booking.session_id == session_id,
                                                                    Booking.status == BookingStatus.BOOKED))
    assert booked == 12
    assert db.session.get(Session, session_id).booked_count == 12


# ---------------------------------------------------------------- minimum notice

def test_cancelling_inside_the_notice_period_asks_the_person_to_contact_the_host():
    host = make_user(name="Hana Host", email="hana@example.ac.uk")
    session = make_session("workshop", starts_in=timedelta(hours=10), host_id=host.id)
    person = make_user()
    booking = make_booking(session, person)
    with pytest.raises(ScheduleError) as refused:
        cancel_booking(person, booking)
    db.session.rollback()
    assert "up to 24 hours before the start" in refused.value.message
    assert "Hana Host (hana@example.ac.uk)" in refused.value.message
    assert booking.status == BookingStatus.BOOKED
    lead = make_user(roles=[Role.LEAD])
    cancel_booking(lead, booking)
    db.session.commit()
    assert booking.status == BookingStatus.CANCELLED and session.booked_count == 0


def test_notice_is_set_per_kind():
    set_notice_hours(make_user(roles=[Role.LEAD]), SessionKind.WORKSHOP, 4)
    db.session.commit()
    session = make_session("workshop", starts_in=timedelta(hours=10))
    person = make_user()
    booking = make_booking(session, person)
    cancel_booking(person, booking)
    db.session.commit()
    assert booking.status == BookingStatus.CANCELLED
    with pytest.raises(ScheduleError):
        set_notice_hours(make_user(roles=[Role.LEAD]), SessionKind.WORKSHOP, -1)


def test_leaving_a_waitlist_is_allowed_inside_the_notice_period():
    session = make_session("workshop", starts_in=timedelta(hours=2), capacity=1)
    make_booking(session)
    person = make_user()
    waiting = book_session(person, session)
    db.session.commit()
    cancel_booking(person, waiting)
    db.session.commit()
    assert waiting.status == BookingStatus.CANCELLED and session.booked_count == 1


# ---------------------------------------------------------------- office hours

def test_office_hours_block_is_split_into_slots_every_week_at_the_same_local_time(app):
    lead = make_user(roles=[Role.LEAD])
    block = create_office_hours_block(lead, BlockInput(
        title="Portfolio office hours", first_day=date(2026, 10, 20), start_time=time(14, 0), end_time=time(16, 0),
        weeks=2, slot_minutes=20, location="Library 1"))
    db.session.commit()
    db.session.expire(block)
    # Read back from the database as times of day (Time columns), not "HH:MM" strings.
    assert (block.start_time, block.end_time) == (time(14, 0), time(16, 0))
    slots = block.sessions
    assert len(slots) == 12
    assert all(s.capacity == 1 and s.kind == SessionKind.OFFICE_HOURS for s in slots)
    # 20 Oct is British Summer Time (UTC+1); 27 Oct is after the clock change (UTC+0).
    assert slots[0].starts_at == datetime(2026, 10, 20, 13, 0, tzinfo=timezone.utc)
    assert slots[5].ends_at == datetime(2026, 10, 20, 15, 0, tzinfo=timezone.utc)
    assert slots[6].starts_at == datetime(2026, 10, 27, 14, 0, tzinfo=timezone.utc)
    assert [s.starts_at.minute for s in slots[:6]] == [0, 20, 40, 0, 20, 40]
    assert len({s.uid for s in slots}) == 12


@pytest.mark.parametrize("start, end, minutes, message", [
    (time(14, 0), time(16, 0), 25, "Slots of 25 minutes do not divide a block of 120 minutes."),
    (time(16, 0), time(14, 0), 20, "The block must end after it starts."),
])
def test_bad_office_hours_blocks_are_refused(start, end, minutes, message):
    with pytest.raises(ScheduleError) as refused:
        create_office_hours_block(make_user(roles=[Role.LEAD]), BlockInput(
            title="Office hours", first_day=date(2026, 11, 3), start_time=start, end_time=end, slot_minutes=minutes))
    assert refused.value.message == message
    db.session.rollback()
    assert db.session.scalar(select(func.count(Session.id))) == 0


def _future_block(weeks=1, per_person=1):
    day = (utcnow() + timedelta(days=7)).date()
    block = create_office_hours_block(make_user(roles=[Role.LEAD]), BlockInput(
        title="Feedback slots", first_day=day, start_time=time(10, 0), end_time=time(11, 0), weeks=weeks,
        slot_minutes=30, per_person=per_person))
    db.session.commit()
    return block


def test_one_slot_a_person_per_block_unless_the_lead_allows_more():
    block = _future_block()
    person = make_user()
    book_session(person, block.sessions[0])
    db.session.commit()
    with pytest.raises(ScheduleError, match="You can hold one slot in “Feedback slots”"):
        book_session(person, block.sessions[1])
    db.session.rollback()
    generous = _future_block(per_person=2)
    book_session(person, generous.sessions[0])
    book_session(person, generous.sessions[1])
    db.session.commit()
    assert [s.booked_count for s in generous.sessions] == [1, 1]


def test_a_taken_slot_is_not_waitlisted_but_the_block_has_a_waitlist_that_gets_the_first_freed_slot():
    block = _future_block()
    first, second, waiting = make_user(), make_user(), make_user(name="Wanda Waiting")
    one = book_session(first, block.sessions[0])
    book_session(second, block.sessions[1])
    db.session.commit()
    with pytest.raises(ScheduleError, match="That slot has just been taken"):
        book_session(waiting, block.sessions[0])
    db.session.rollback()
    join_block_waitlist(waiting, block)
    db.session.commit()
    with pytest.raises(ScheduleError, match="already on the waitlist"):
        join_block_waitlist(waiting, block)
    db.session.rollback()

    cancel_booking(first, one)
    db.session.commit()
    given = db.session.scalar(select(Booking).where(Booking.user_id == waiting.id))
    assert given.session_id == block.sessions[0].id and given.status == BookingStatus.BOOKED
    assert block.sessions[0].booked_count == 1
    assert db.session.scalar(select(BlockWaitlistEntry.resolved_at).where(
        BlockWaitlistEntry.user_id == waiting.id)) is not None
    assert _mail_to(waiting)[-1].subject == "You have an office-hours slot: Feedback slots"


def test_joining_the_block_waitlist_while_slots_are_free_is_refused():
    block = _future_block()
    with pytest.raises(ScheduleError, match="There are free slots"):
        join_block_waitlist(make_user(), block)


# ---------------------------------------------------------------- lead: sessions

def _input(**overrides) -> SessionInput:
    start = local(2027, 1, 14, 10, 0)
    values = dict(kind=SessionKind.WORKSHOP, title="Evidence and reflection", starts_at=start,
                  ends_at=start + timedelta(hours=2), location="Room 1", capacity=20)
    values.update(overrides)
    return SessionInput(**values)


def test_a_weekly_workshop_series_is_entered_once_and_numbered():
    lead = make_user(roles=[Role.LEAD])
    created = create_sessions(lead, _input(), repeat_weeks=5)
    db.session.commit()
    assert [s.display_title for s in created][2] == "Evidence and reflection (Workshop 3 of 5)"
    assert [s.starts_at.date() for s in created] == [date(2027, 1, 14) + timedelta(weeks=w) for w in range(5)]


@pytest.mark.parametrize("overrides, field, message", [
    (dict(ends_at=local(2027, 1, 14, 9, 0)), "end_time", "The end must be after the start."),
    (dict(audience=Audience.COHORT), "round_id", "Choose the round"),
    (dict(capacity=0), "capacity", "Capacity must be at least 1"),
    (dict(series_number=6, series_total=5), "series_number", "between 1 and the series length"),
])
def test_bad_session_input_is_refused_with_the_field(overrides, field, message):
    with pytest.raises(ScheduleError) as refused:
        create_sessions(make_user(roles=[Role.LEAD]), _input(**overrides))
    assert refused.value.field == field and message in refused.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count(Session.id))) == 0


def test_editing_a_booked_session_bumps_the_sequence_and_sends_updated_invitations():
    lead = make_user(roles=[Role.LEAD])
    [session] = create_sessions(lead, _input())
    db.session.commit()
    person = make_user()
    book_session(person, session, now=local(2027, 1, 1, 9))
    db.session.commit()
    moved = local(2027, 1, 21, 14, 0)
    update_session(lead, session, _input(starts_at=moved, ends_at=moved + timedelta(hours=1)))
    db.session.commit()
    assert session.sequence == 1
    mail = _mail_to(person)[-1]
    assert mail.subject == "Changed: Evidence and reflection" and mail.ics_method == "REQUEST"
    _cal, event = _event(mail.ics)
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART").astimezone(timezone.utc) == moved


def test_capacity_cannot_go_below_the_number_booked_and_raising_it_promotes_the_waitlist():
    lead = make_user(roles=[Role.LEAD])
    [session] = create_sessions(lead, _input(capacity=2))
    db.session.commit()
    now = local(2027, 1, 1, 9)
    people = [make_user() for _ in range(3)]
    for person in people:
        book_session(person, session, now=now)
        db.session.commit()
    with pytest.raises(ScheduleError, match="2 people are already booked, so capacity cannot be below 2"):
        update_session(lead, session, _input(capacity=1))
    db.session.rollback()
    assert session.capacity == 2
    update_session(lead, session, _input(capacity=3))
    db.session.commit()
    assert session.booked_count == 3
    assert session.sequence == 0  # capacity is not something calendars show


def test_cancelling_a_session_keeps_it_and_its_bookings_and_sends_cancel():
    lead = make_user(roles=[Role.LEAD])
    session = make_session(capacity=1, title="Workshop 2")
    booked = make_user()
    book_session(booked, session)
    waiting = make_user()
    book_session(waiting, session)
    db.session.commit()
    cancel_session(lead, session, "Room flooded")
    db.session.commit()
    assert session.status == SessionStatus.CANCELLED and session.sequence == 1
    assert [b.status for b in session.bookings] == [BookingStatus.BOOKED, BookingStatus.WAITLISTED]
    mail = _mail_to(booked)[-1]
    assert mail.ics_method == "CANCEL" and "Reason: Room flooded" in mail.body
    assert _event(mail.ics)[1]["STATUS"] == "CANCELLED"
    assert _mail_to(waiting)[-1].ics is None
    with pytest.raises(ScheduleError, match="already cancelled"):
        cancel_session(lead, session)


def test_clashing_host_and_room_are_found_and_the_host_is_told():
    lead = make_user(roles=[Role.LEAD])
    host = make_user(name="Hana Host")
    create_sessions(lead, _input(title="First", host_id=host.id, location="Room 1"))
    db.session.commit()
    [second] = create_sessions(lead, _input(title="Second", host_id=host.id, location="room 1 "))
    db.session.commit()
    from portal.schedule.clashes import clashes_for
    reasons = sorted(c.reason for c in clashes_for(second))
    assert reasons == ["host", "room"]
    assert any(m.subject == "Clash in your schedule: Second" for m in _mail_to(host))


# ---------------------------------------------------------------- register

def test_attendance_is_recorded_and_counts_for_the_intro_prerequisite():
    round_ = make_round()
    host = make_user()
    session = make_session("intro", round_id=round_.id, host_id=host.id, starts_in=timedelta(days=-1))
    person = make_user()
    booking = make_booking(session, person)
    set_attendance(host, booking, True)
    db.session.commit()
    assert has_attended_intro(person, round_)
    set_attendance(host, booking, False)
    db.session.commit()
    assert not has_attended_intro(person, round_)


def test_mark_everyone_attended_ticks_only_the_unrecorded():
    session = make_session(starts_in=timedelta(days=-1))
    absent = make_booking(session, attended=False)
    others = [make_booking(session) for _ in range(3)]
    assert mark_everyone_attended(make_user(roles=[Role.LEAD]), session, expected=3) == 3
    db.session.commit()
    assert absent.attended is False and all(b.attended for b in others)


# ---------------------------------------------------------------- feeds and terms

def test_feed_tokens_are_revoked_one_by_one_and_logged():
    person = make_user()
    phone = create_feed_token(person, "Phone")
    laptop = create_feed_token(person, "Laptop")
    db.session.commit()
    revoke_feed_token(person, phone)
    db.session.commit()
    assert phone.revoked_at is not None and laptop.revoked_at is None
    assert db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "feed.revoked")) == \
        f"Feed “Phone” of {person.name} revoked"
    fresh = regenerate_feed_token(person, laptop)
    db.session.commit()
    assert fresh.token != laptop.token and laptop.revoked_at is not None and fresh.label == "Laptop"


def test_a_cohort_feed_is_only_for_the_cohort():
    round_ = make_round(state=RoundState.RUNNING)
    member = make_user()
    make_proposal(round_, member, state=ProposalState.SELECTED)
    token = create_feed_token(member, "", "cohort", round_.id)
    assert token.label == "Cohort programme"
    with pytest.raises(ScheduleError, match="Cohort feeds are for the people selected"):
        create_feed_token(make_user(), "", "cohort", round_.id)


def test_term_week_labels():
    from portal.schedule.queries import terms
    from portal.schedule.rules import term_week_label
    add_term(make_user(roles=[Role.LEAD]), "HT24", date(2024, 1, 15), 8)
    db.session.commit()
    assert term_week_label(date(2024, 1, 18), terms()) == "Wk 1, HT24"
    assert term_week_label(date(2024, 3, 10), terms()) == "Wk 8, HT24"
    assert term_week_label(date(2024, 3, 11), terms()) is None
    with pytest.raises(ScheduleError):
        add_term(make_user(roles=[Role.LEAD]), "", date(2024, 1, 15), 8)


def test_invitations_reach_the_mail_server_as_calendar_requests_and_cancels(app, smtp_server):
    from portal.outbox.services import send_pending
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    session = make_session(title="Workshop 1", capacity=4)
    person = make_user(email="ivy@example.ac.uk")
    booking = book_session(person, session)
    db.session.commit()
    cancel_booking(person, booking)
    db.session.commit()
    assert send_pending().sent == 2
    methods = []
    for message in smtp_server.messages:
        assert message["To"] == "ivy@example.ac.uk"
        [calendar_part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        methods.append(calendar_part.get_param("method"))
        cal = icalendar.Calendar.from_ical(calendar_part.get_payload(decode=True))
        assert str(cal.walk("VEVENT")[0]["UID"]) == session.uid
    assert methods == ["REQUEST", "CANCEL"]
