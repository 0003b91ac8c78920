"""One person booking two slots of an office-hours block at the same moment, in real threads with their own
connections (run on PostgreSQL with TEST_DATABASE_URL): the block's lock keeps the per-person limit."""
from __future__ import annotations

from datetime import date, time

from sqlalchemy import func, select

from portal.auth.models import User
from portal.extensions import db
from portal.schedule.bookings import book_session
from portal.schedule.errors import ScheduleError
from portal.schedule.models import Booking, BookingStatus, Session
from portal.schedule.office_hours import BlockInput, create_office_hours_block
from tests.factories import make_user
from tests.race import at_once


def _book(person_id: int, session_id: int):
    return lambda: book_session(db.session.get(User, person_id), db.session.get(Session, session_id)).status


def test_one_person_booking_two_slots_at_once_gets_one(app):
    block = create_office_hours_block(make_user(), BlockInput(
        title="Portfolio office hours", first_day=date(2030, 3, 5), start_time=time(10, 0), end_time=time(11, 0),
        slot_minutes=20))
    db.session.commit()
    person = make_user()
    first, second = block.sessions[:2]

    results = at_once(app, _book(person.id, first.id), _book(person.id, second.id))

    refusals = [r for r in results if isinstance(r, ScheduleError)]
    assert [r for r in results if r not in refusals] == [BookingStatus.BOOKED] and len(refusals) == 1
    refusal = refusals[0]
    assert "You can hold one slot in “Portfolio office hours”" in refusal.message
    held = db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.user_id == person.id, Booking.status == BookingStatus.BOOKED))
    assert held == 1
