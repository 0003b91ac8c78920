"""In chromium: a member of staff books a workshop and an office-hours slot (htmx) and downloads the .ics."""
from __future__ import annotations

import re
from datetime import time, timedelta

import icalendar
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.schedule.models import Booking, BookingStatus
from portal.schedule.office_hours import BlockInput, create_office_hours_block
from portal.timeutil import to_local
from tests.factories import DEFAULT_PASSWORD, make_session, make_user

pytestmark = pytest.mark.browser


def test_staff_book_a_workshop_and_an_office_hours_slot_and_download_the_ics(app, page, tmp_path):
    person = make_user(name="Sam Staff", email="sam@example.ac.uk")
    workshop = make_session(title="Portfolio workshop", capacity=8, location="Room 2.14",
                            starts_in=timedelta(days=9))
    day = (to_local(workshop.starts_at) + timedelta(days=1)).date()
    block = create_office_hours_block(make_user(), BlockInput(
        title="Feedback office hours", first_day=day, start_time=time(14, 0), end_time=time(15, 0), slot_minutes=20))
    db.session.commit()

    page.goto("/auth/sign-in")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Schedule").first.click()
    page.get_by_role("heading", name="Schedule", level=1).wait_for()

    page.goto(f"/schedule/?month={to_local(workshop.starts_at).strftime('%Y-%m')}")
    controls = page.locator(f"#schedule-booking-{workshop.id}")
    controls.get_by_role("button", name=re.compile(r"^Book Portfolio workshop")).click()
    controls.get_by_text("Booked: Portfolio workshop.").wait_for()
    page.locator(f"#schedule-booking-{workshop.id}").get_by_text("7 of 8 places free").wait_for()
    # The "Your bookings" list refreshes itself after the booking (HX-Trigger), without a reload.
    page.locator("#schedule-mine").get_by_role("link", name="Portfolio workshop").wait_for()

    page.get_by_role("link", name="Feedback office hours").first.click()
    page.get_by_role("heading", name="Feedback office hours").wait_for()
    second_slot = block.sessions[1]
    slot = page.locator(f"#schedule-booking-{second_slot.id}")
    slot.get_by_role("button", name=re.compile(r"^Book")).click()
    slot.get_by_text("You are booked").wait_for()

    page.goto(f"/schedule/sessions/{workshop.id}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    path = tmp_path / "session.ics"
    download_info.value.save_as(path)
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == workshop.uid and event["LOCATION"] == "Room 2.14"
    assert cal["METHOD"] == "PUBLISH"

    db.session.expire_all()
    mine = db.session.scalars(select(Booking).where(Booking.user_id == person.id)).all()
    assert sorted((b.session_id, b.status) for b in mine) == sorted(
        [(workshop.id, BookingStatus.BOOKED), (second_slot.id, BookingStatus.BOOKED)])
