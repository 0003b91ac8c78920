"""A host's own office hours are for others: the host is refused a slot, and the page offers them no button."""
from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.schedule.bookings import book_session
from portal.schedule.errors import ScheduleError
from portal.schedule.models import Booking
from portal.schedule.models import BlockWaitlistEntry
from portal.schedule.office_hours import BlockInput, create_office_hours_block, join_block_waitlist
from tests.factories import make_user


def _block(host):
    block = create_office_hours_block(make_user(roles=["lead"]), BlockInput(
        title="Portfolio office hours", first_day=date(2030, 3, 5), start_time=time(10, 0), end_time=time(11, 0),
        slot_minutes=20, host_id=host.id))
    db.session.commit()
    return block


def test_a_host_cannot_book_a_slot_in_their_own_office_hours(app):
    host = make_user(name="Hana Host")
    block = _block(host)
    with pytest.raises(ScheduleError, match="You host these office hours"):
        book_session(host, block.sessions[0])
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
    book_session(make_user(), block.sessions[0])  # anyone else still can


def test_the_host_sees_no_book_button_on_their_office_hours(client, login_as):
    host = login_as(name="Hana Host")
    block = _block(host)
    body = client.get(f"/schedule/office-hours/{block.id}").get_data(as_text=True)
    assert "You host these office hours." in body
    assert f'action="/schedule/sessions/{block.sessions[0].id}/book"' not in body
    response = client.post(f"/schedule/sessions/{block.sessions[0].id}/book", data={})
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0, response.status_code


def test_a_host_cannot_wait_for_a_slot_in_their_own_full_office_hours(client, login_as):
    host = login_as(name="Hana Host")
    block = _block(host)
    for slot in block.sessions:
        book_session(make_user(), slot)
    db.session.commit()
    with pytest.raises(ScheduleError, match="You host these office hours"):
        join_block_waitlist(host, block)
    db.session.rollback()
    body = client.get(f"/schedule/office-hours/{block.id}").get_data(as_text=True)
    assert "Every slot is taken." in body
    assert "Join the waitlist for a slot" not in body
    client.post(f"/schedule/office-hours/{block.id}/waitlist", data={})
    assert db.session.scalar(select(func.count()).select_from(BlockWaitlistEntry)) == 0
