"""Registers: attendance only once a session has started, and "mark everyone attended" only when confirmed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.extensions import db
from portal.schedule.errors import ScheduleError
from portal.schedule.registers import mark_everyone_attended, set_attendance
from portal.timeutil import format_local
from tests.factories import make_booking, make_session, make_user

pytestmark = pytest.mark.usefixtures("app")

HTMX = {"HX-Request": "true"}


def _audits(action: str) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


def _workshop(starts_in: timedelta, people: int = 3):
    session = make_session(title="Portfolio workshop", starts_in=starts_in, series_number=2, series_total=5)
    bookings = [make_booking(session, make_user(name=f"Person {n}")) for n in range(people)]
    return session, bookings


# ---------------------------------------------------------------- attendance only after the start

def test_attendance_before_the_start_is_refused_by_the_service():
    session, [booking, *_] = _workshop(timedelta(hours=2))
    lead = make_user(roles=[Role.LEAD])
    with pytest.raises(ScheduleError, match="The register opens when the session starts"):
        set_attendance(lead, booking, True)
    with pytest.raises(ScheduleError, match="The register opens when the session starts"):
        mark_everyone_attended(lead, session, expected=3)


def test_attendance_before_the_start_is_refused_by_url_and_the_register_says_when(client, login_as):
    login_as(Role.LEAD)
    session, [booking, *_] = _workshop(timedelta(hours=2))
    opens = format_local(session.starts_at, "%H:%M on %a %-d %b %Y")

    page = client.get(f"/schedule/sessions/{session.id}/register").get_data(as_text=True)
    assert f"The register opens when the session starts, at {opens}." in page
    assert "Mark everyone not yet recorded" not in page and 'aria-pressed' not in page

    response = client.post(f"/schedule/bookings/{booking.id}/attendance", data={"attended": "yes"})
    assert response.status_code == 303
    assert f"The register opens when the session starts, at {opens}." in client.get(
        response.headers["Location"]).get_data(as_text=True)
    response = client.post(f"/schedule/bookings/{booking.id}/attendance", data={"attended": "yes"},
                           headers={**HTMX, "HX-Target": f"schedule-register-{booking.id}"})
    assert response.status_code == 409 and "The register opens when the session starts" in response.get_data(
        as_text=True)
    response = client.post(f"/schedule/sessions/{session.id}/register/all", data={"expected": "3"})
    assert response.status_code == 409
    assert f"The register opens when the session starts, at {opens}." in response.get_data(as_text=True)
    db.session.refresh(booking)
    assert booking.attended is None and _audits("booking.attendance") == 0


def test_attendance_at_the_start_is_recorded(client, login_as):
    login_as(Role.LEAD)
    session, [booking, *_] = _workshop(timedelta(seconds=-1))
    assert client.post(f"/schedule/bookings/{booking.id}/attendance", data={"attended": "yes"}).status_code == 303
    db.session.refresh(booking)
    assert booking.attended is True


# ---------------------------------------------------------------- mark everyone attended, confirmed

def test_mark_everyone_asks_for_confirmation_on_a_page_of_its_own(client, login_as):
    login_as(Role.LEAD)
    session, bookings = _workshop(timedelta(hours=-1), people=3)
    make_booking(session, make_user(name="Already Absent"), attended=False)

    register = client.get(f"/schedule/sessions/{session.id}/register").get_data(as_text=True)
    assert f'href="/schedule/sessions/{session.id}/register/all"' in register
    assert f'action="/schedule/sessions/{session.id}/register/all"' not in register

    page = client.get(f"/schedule/sessions/{session.id}/register/all")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<h1>Register: Portfolio workshop (Workshop 2 of 5)</h1>" in text
    assert ("3 people booked on Portfolio workshop (Workshop 2 of 5) will be marked attended" in text)
    assert "Already Absent" not in text
    assert all(b.attended is None for b in bookings)

    response = client.post(f"/schedule/sessions/{session.id}/register/all", data={"expected": "3"})
    assert response.status_code == 303
    assert "3 people marked as attended." in client.get(response.headers["Location"]).get_data(as_text=True)
    for booking in bookings:
        db.session.refresh(booking)
    assert all(b.attended is True for b in bookings) and _audits("session.register_all") == 1


def test_a_post_without_the_confirmation_is_refused_and_shows_it(client, login_as):
    login_as(Role.LEAD)
    session, bookings = _workshop(timedelta(hours=-1), people=2)
    response = client.post(f"/schedule/sessions/{session.id}/register/all")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Confirm on this page first: nobody has been marked yet." in text
    assert "2 people booked on Portfolio workshop (Workshop 2 of 5) will be marked attended" in text
    for booking in bookings:
        db.session.refresh(booking)
    assert all(b.attended is None for b in bookings) and _audits("session.register_all") == 0


def test_a_stale_confirmation_is_refused_with_the_new_number(client, login_as):
    login_as(Role.LEAD)
    session, bookings = _workshop(timedelta(hours=-1), people=2)
    make_booking(session, make_user(name="Late Booker"))
    response = client.post(f"/schedule/sessions/{session.id}/register/all", data={"expected": "2"})
    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "The register changed since you looked: 3 people not yet recorded now." in text
    assert "Mark 3 people attended" in text
    for booking in bookings:
        db.session.refresh(booking)
    assert all(b.attended is None for b in bookings)


def test_the_confirmation_comes_in_place_with_htmx(client, login_as):
    login_as(Role.LEAD)
    session, _ = _workshop(timedelta(hours=-1), people=1)
    response = client.get(f"/schedule/sessions/{session.id}/register/all",
                          headers={**HTMX, "HX-Target": f"schedule-registerall-{session.id}"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith(f'<div id="schedule-registerall-{session.id}"')
    assert "1 person booked on Portfolio workshop (Workshop 2 of 5) will be marked attended" in body
    assert "<h1>" not in body and "HX-Request" in response.headers["Vary"]


def test_staff_cannot_see_the_confirmation(client, login_as):
    login_as()
    session, _ = _workshop(timedelta(hours=-1), people=1)
    assert client.get(f"/schedule/sessions/{session.id}/register/all").status_code == 403
