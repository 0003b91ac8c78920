"""Schedule pages: listing, booking with and without htmx, bad input, lead forms, registers and feed links."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.db_types import utcnow
from portal.extensions import db
from portal.proposals.models import ProposalState
from portal.rounds.models import RoundState
from portal.schedule.feeds import create_feed_token
from portal.schedule.models import (
    Audience, Booking, BookingStatus, FeedToken, OfficeHoursBlock, Session, SessionKind, SessionStatus, Term,
)
from portal.schedule.notice import notice_hours
from portal.timeutil import to_local
from tests.schedule.feed_links_shown import shown_feed_path
from tests.factories import make_booking, make_proposal, make_round, make_session, make_user

HTMX = {"HX-Request": "true"}


def _month(session) -> str:
    return to_local(session.starts_at).strftime("%Y-%m")


def test_schedule_lists_what_the_person_may_attend_with_free_places(client, login_as):
    login_as()
    round_ = make_round(state=RoundState.RUNNING)
    open_workshop = make_session(title="Open workshop", capacity=10)
    make_booking(open_workshop)
    hidden = make_session(title="Cohort only", audience=Audience.COHORT, round_id=round_.id,
                          starts_at=open_workshop.starts_at)
    body = client.get(f"/schedule/?month={_month(open_workshop)}").get_data(as_text=True)
    assert "Open workshop" in body and "9 of 10 places free" in body
    assert "Cohort only" not in body
    assert client.get(f"/schedule/sessions/{hidden.id}").status_code == 404
    assert client.get(f"/schedule/sessions/{hidden.id}.ics").status_code == 404


def test_the_month_grid_shows_sessions_on_their_day(client, login_as):
    login_as()
    session = make_session(title="Grid workshop")
    body = client.get(f"/schedule/?month={_month(session)}&view=grid").get_data(as_text=True)
    assert "<caption>" in body and "Grid workshop" in body
    assert f'href="/schedule/sessions/{session.id}"' in body


def test_booking_with_htmx_returns_the_controls_fragment(client, login_as):
    person = login_as()
    session = make_session(title="Fragment workshop", capacity=3)
    response = client.post(f"/schedule/sessions/{session.id}/book",
                           headers={**HTMX, "HX-Target": f"schedule-booking-{session.id}"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and f'id="schedule-booking-{session.id}"' in body
    assert "You are booked" in body and "2 of 3 places free" in body
    assert "Booked: Fragment workshop. A calendar invitation is on its way by email." in body
    assert db.session.scalar(select(Booking.status).where(Booking.user_id == person.id)) == BookingStatus.BOOKED


def test_booking_without_javascript_redirects_back_with_a_message(client, login_as):
    login_as()
    session = make_session(title="Plain workshop", capacity=1)
    make_booking(session)
    response = client.post(f"/schedule/sessions/{session.id}/book", data={"next": "/schedule/?month=2020-01"})
    assert response.status_code == 303 and response.headers["Location"] == "/schedule/?month=2020-01"
    page = client.get(f"/schedule/sessions/{session.id}").get_data(as_text=True)
    assert "Plain workshop is full, so you are on the waitlist." in page
    assert "You are on the waitlist: number 1" in page


def test_an_offsite_next_is_ignored(client, login_as):
    login_as()
    session = make_session()
    response = client.post(f"/schedule/sessions/{session.id}/book", data={"next": "//evil.example/"})
    assert response.headers["Location"] == f"/schedule/sessions/{session.id}"


def test_booking_a_cancelled_session_is_refused_clearly(client, login_as):
    login_as()
    session = make_session(status=SessionStatus.CANCELLED)
    response = client.post(f"/schedule/sessions/{session.id}/book",
                           headers={**HTMX, "HX-Target": f"schedule-booking-{session.id}"})
    assert response.status_code == 409
    assert "This session has been cancelled." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_booking_without_a_csrf_token_changes_nothing(client, login_as):
    login_as()
    session = make_session()
    response = client.post(f"/schedule/sessions/{session.id}/book", csrf=False)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_cancelling_inside_the_notice_period_shows_contact_the_host(client, login_as):
    person = login_as()
    host = make_user(name="Hana Host")
    session = make_session(starts_in=timedelta(hours=3), host_id=host.id)
    make_booking(session, person)
    page = client.get(f"/schedule/sessions/{session.id}").get_data(as_text=True)
    assert "Cancel booking" not in page and "please contact" in page and "Hana Host" in page
    response = client.post(f"/schedule/sessions/{session.id}/cancel-booking")
    assert response.status_code == 303
    assert "Please contact the host, Hana Host" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(Booking.status)) == BookingStatus.BOOKED


def test_cancelling_a_booking_with_htmx(client, login_as):
    person = login_as()
    session = make_session(capacity=4)
    make_booking(session, person)
    response = client.post(f"/schedule/sessions/{session.id}/cancel-booking",
                           headers={**HTMX, "HX-Target": f"schedule-booking-{session.id}"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Your booking is cancelled." in body and "4 of 4 places free" in body


def test_feed_links_are_on_the_schedule_page_as_webcal_and_https(client, login_as):
    person = login_as()
    round_ = make_round()
    token = create_feed_token(person, "Laptop")
    db.session.commit()
    body = client.get("/schedule/").get_data(as_text=True)
    # A private link is shown once, when made, and never again: the schedule page names it only.
    assert token.token not in body and "“Laptop”" in body
    assert f'href="webcal://localhost/schedule/rounds/{round_.id}/public.ics"' in body
    assert f'value="http://localhost/schedule/rounds/{round_.id}/public.ics"' in body
    session = make_session()
    assert f'href="/schedule/sessions/{session.id}.ics"' in client.get(
        f"/schedule/?month={_month(session)}").get_data(as_text=True)


def test_people_create_revoke_and_regenerate_their_feed_links(client, login_as):
    person = login_as()
    response = client.post("/schedule/feeds", data={"label": "Phone", "scope": "personal"})
    assert response.status_code == 303
    token = db.session.scalar(select(FeedToken))
    assert token.label == "Phone" and token.user_id == person.id
    first_url = shown_feed_path(client)
    assert first_url and client.get(first_url).status_code == 200
    assert shown_feed_path(client) is None  # shown once only
    client.post(f"/schedule/feeds/{token.id}/alarm", data={"alarm_minutes": "30"})
    db.session.refresh(token)
    assert token.alarm_minutes == 30
    client.post(f"/schedule/feeds/{token.id}/regenerate")
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert client.get(first_url).status_code == 410
    fresh_url = shown_feed_path(client)
    assert fresh_url != first_url and client.get(fresh_url).status_code == 200
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "feed.revoked")) == 1


def test_someone_elses_feed_link_cannot_be_revoked(client, login_as):
    other = make_user()
    token = create_feed_token(other, "Theirs")
    db.session.commit()
    login_as()
    assert client.post(f"/schedule/feeds/{token.id}/revoke").status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


# ---------------------------------------------------------------- lead forms

def _session_form(**overrides):
    day = (to_local(utcnow()) + timedelta(days=14)).date()
    data = {"kind": "workshop", "title": "Workshop on evidence", "description": "Bring a draft.",
            "day": day.isoformat(), "start_time": "14:00", "end_time": "16:00", "location": "Room 3",
            "online_url": "", "capacity": "12", "audience": "everyone", "round_id": "", "host_id": "",
            "series_number": "", "series_total": "", "repeat_weeks": "1"}
    data.update(overrides)
    return data


def test_lead_adds_a_session_in_local_time(client, login_as):
    login_as(Role.LEAD)
    response = client.post("/schedule/manage/new", data=_session_form())
    assert response.status_code == 303
    session = db.session.scalar(select(Session))
    assert to_local(session.starts_at).strftime("%H:%M") == "14:00" and session.capacity == 12


def test_end_before_start_is_refused_with_input_kept(client, login_as):
    login_as(Role.LEAD)
    response = client.post("/schedule/manage/new", data=_session_form(end_time="13:00", title="Kept title"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The end must be after the start." in body and 'value="Kept title"' in body
    assert db.session.scalar(select(func.count(Session.id))) == 0


def test_a_slot_length_that_does_not_divide_the_block_is_refused(client, login_as):
    login_as(Role.LEAD)
    response = client.post("/schedule/manage/office-hours/new", data={
        "title": "Office hours", "first_day": date(2030, 3, 5).isoformat(), "start_time": "14:00",
        "end_time": "16:00", "weeks": "6", "slot_minutes": "25", "per_person": "1", "audience": "everyone",
        "round_id": "", "host_id": ""})
    assert response.status_code == 422
    assert "Slots of 25 minutes do not divide a block of 120 minutes." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(OfficeHoursBlock.id))) == 0


def test_lead_adds_weekly_office_hours_and_staff_see_the_slots(client, login_as, login):
    login_as(Role.LEAD)
    response = client.post("/schedule/manage/office-hours/new", data={
        "title": "Feedback hours", "first_day": date(2030, 3, 5).isoformat(), "start_time": "14:00",
        "end_time": "16:00", "weeks": "6", "slot_minutes": "20", "per_person": "1", "audience": "everyone",
        "round_id": "", "host_id": ""})
    assert response.status_code == 303
    block = db.session.scalar(select(OfficeHoursBlock))
    assert len(block.sessions) == 36
    staff = make_user()
    login(staff)
    body = client.get(f"/schedule/office-hours/{block.id}").get_data(as_text=True)
    assert body.count("Free") == 36 and "14:20–14:40" in body


def test_capacity_below_the_number_booked_is_refused_on_edit(client, login_as):
    login_as(Role.LEAD)
    session = make_session(capacity=5)
    make_booking(session)
    make_booking(session)
    local_start = to_local(session.starts_at)
    data = _session_form(day=local_start.date().isoformat(), start_time=local_start.strftime("%H:%M"),
                         end_time=to_local(session.ends_at).strftime("%H:%M"), capacity="1",
                         title=session.title)
    response = client.post(f"/schedule/manage/sessions/{session.id}/edit", data=data)
    assert response.status_code == 422
    assert "2 people are already booked, so capacity cannot be below 2." in response.get_data(as_text=True)
    db.session.refresh(session)
    assert session.capacity == 5


def test_edit_form_shows_the_session_in_local_time(client, login_as):
    login_as(Role.LEAD)
    session = make_session(title="Shown workshop")
    body = client.get(f"/schedule/manage/sessions/{session.id}/edit").get_data(as_text=True)
    assert 'value="Shown workshop"' in body
    assert f'value="{to_local(session.starts_at).strftime("%H:%M")}"' in body


def test_lead_cancels_a_session_from_its_page(client, login_as):
    login_as(Role.LEAD)
    session = make_session(title="To cancel")
    make_booking(session)
    response = client.post(f"/schedule/manage/sessions/{session.id}/cancel", data={"reason": "Illness"})
    assert response.status_code == 303
    db.session.refresh(session)
    assert session.status == SessionStatus.CANCELLED
    assert "This session has been cancelled." in client.get(f"/schedule/sessions/{session.id}").get_data(as_text=True)


def test_manage_page_warns_of_clashes(client, login_as):
    login_as(Role.LEAD)
    host = make_user(name="Hana Host")
    first = make_session(title="First", host_id=host.id)
    make_session(title="Second", host_id=host.id, starts_at=first.starts_at + timedelta(minutes=30))
    body = client.get("/schedule/manage").get_data(as_text=True)
    assert "Hana Host is also hosting “Second” at the same time." in body
    assert "Hana Host is also hosting “First” at the same time." in body


def test_terms_and_notice_settings(client, login_as):
    login_as(Role.LEAD)
    session = make_session()
    monday = to_local(session.starts_at).date() - timedelta(days=to_local(session.starts_at).weekday())
    assert client.post("/schedule/manage/terms", data={"name": "HT30", "starts_on": monday.isoformat(),
                                                       "weeks": "10"}).status_code == 303
    body = client.get(f"/schedule/sessions/{session.id}").get_data(as_text=True)
    assert "(Wk 1, HT30)" in body
    assert client.post("/schedule/manage/notice", data={"kind": "workshop", "hours": "0"}).status_code == 303
    assert notice_hours(SessionKind.WORKSHOP) == 0
    bad = client.post("/schedule/manage/notice", data={"kind": "workshop", "hours": "-3"})
    assert bad.status_code == 422 and notice_hours(SessionKind.WORKSHOP) == 0
    assert db.session.scalar(select(func.count(Term.id))) == 1


# ---------------------------------------------------------------- register

def test_the_host_ticks_the_register_with_htmx(client, login_as):
    host = login_as()
    session = make_session(host_id=host.id, starts_in=timedelta(hours=-1))
    person = make_user(name="Ada Attender")
    booking = make_booking(session, person)
    page = client.get(f"/schedule/sessions/{session.id}/register").get_data(as_text=True)
    assert "Ada Attender" in page
    response = client.post(f"/schedule/bookings/{booking.id}/attendance", data={"attended": "yes"},
                           headers={**HTMX, "HX-Target": f"schedule-register-{booking.id}"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith(f'<tr id="schedule-register-{booking.id}"')
    assert 'aria-pressed="true">Attended' in body
    db.session.refresh(booking)
    assert booking.attended is True


def test_someone_else_cannot_tick_a_register(client, login_as):
    login_as()
    session = make_session(starts_in=timedelta(hours=-1))
    booking = make_booking(session)
    assert client.post(f"/schedule/bookings/{booking.id}/attendance", data={"attended": "yes"}).status_code == 403
    db.session.refresh(booking)
    assert booking.attended is None


def test_round_applicants_see_the_round_sessions_and_everyone_sees_an_open_rounds_intros(client, login_as):
    person = login_as()
    open_round = make_round()
    closed = make_round(state=RoundState.IN_REVIEW)
    intro = make_session("intro", title="Open intro", audience=Audience.APPLICANTS, round_id=open_round.id)
    applicants = make_session(title="For applicants", audience=Audience.APPLICANTS, round_id=closed.id,
                              starts_at=intro.starts_at)
    month = _month(intro)
    body = client.get(f"/schedule/?month={month}").get_data(as_text=True)
    assert "Open intro" in body and "For applicants" not in body
    make_proposal(closed, person, state=ProposalState.SUBMITTED)
    assert "For applicants" in client.get(f"/schedule/?month={month}").get_data(as_text=True)
    assert client.get(f"/schedule/sessions/{applicants.id}").status_code == 200


def test_hosts_are_warned_on_their_schedule_of_a_room_clash(client, login_as):
    host = login_as()
    mine = make_session(title="My workshop", host_id=host.id, location="Room 9")
    make_session(title="Someone else's", location="room 9", starts_at=mine.starts_at)
    body = client.get("/schedule/").get_data(as_text=True)
    assert "Clash: Room 9 is also booked for “Someone else&#39;s” at the same time." in body


def test_a_stale_csrf_token_reshows_the_session_form_with_the_input_kept(client, login_as):
    login_as(Role.LEAD)
    response = client.post("/schedule/manage/new", data=_session_form(title="Typed a lot"), csrf=False)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Typed a lot"' in body and "security token" in body
    assert db.session.scalar(select(func.count(Session.id))) == 0


def test_deadlines_can_be_a_moment_or_all_day(client, login_as):
    login_as(Role.LEAD)
    assert client.post("/schedule/manage/new", data=_session_form(
        kind="deadline", title="Proposals close", start_time="12:00", end_time="", capacity="")).status_code == 303
    assert client.post("/schedule/manage/new", data=_session_form(
        kind="deadline", title="ALT deadline", all_day="y", start_time="", end_time="", capacity="")).status_code == 303
    moment, whole_day = db.session.scalars(select(Session).order_by(Session.id)).all()
    assert moment.starts_at == moment.ends_at and to_local(moment.starts_at).strftime("%H:%M") == "12:00"
    assert whole_day.all_day and whole_day.ends_at - whole_day.starts_at in (timedelta(hours=23), timedelta(hours=24),
                                                                            timedelta(hours=25))
    page = client.get(f"/schedule/sessions/{whole_day.id}").get_data(as_text=True)
    assert "all day" in page and "Book" not in page.split('id="schedule-booking-')[1].split("</div>")[0]
