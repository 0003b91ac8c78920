"""In chromium: the lead marks everyone attended only after confirming the number, with htmx and without
JavaScript; a session not yet started says when its register opens and why there is no Book button."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.auth.models import Role
from portal.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_booking, make_session, make_user

pytestmark = pytest.mark.browser


def _sign_in(page, email: str) -> None:
    page.goto("/auth/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^(?!.*sign-in).*$"))


def _workshop():
    session = make_session(title="Portfolio workshop", starts_in=timedelta(minutes=-30), series_number=2,
                           series_total=5)
    people = [make_booking(session, make_user(name=f"Person {n}")) for n in range(2)]
    make_booking(session, make_user(name="Already Absent"), attended=False)
    return session, people


def _attended(people) -> list:
    for booking in people:
        db.session.refresh(booking)
    return [b.attended for b in people]


def test_the_lead_confirms_mark_everyone_in_place_with_htmx(app, page):
    lead = make_user(roles=[Role.LEAD], email="lead@example.ac.uk")
    session, people = _workshop()
    _sign_in(page, lead.email)
    page.goto(f"/schedule/sessions/{session.id}/register")
    page.get_by_role("link", name="Mark everyone not yet recorded as attended…").click()
    box = page.locator(f"#schedule-registerall-{session.id}")
    box.get_by_text("2 people booked on Portfolio workshop (Workshop 2 of 5) will be marked attended").wait_for()
    assert page.url.endswith(f"/schedule/sessions/{session.id}/register")  # in place: still the register
    assert _attended(people) == [None, None]
    box.get_by_role("button", name="Mark 2 people attended").click()
    page.get_by_text("2 people marked as attended.").wait_for()
    assert _attended(people) == [True, True]
    row = page.locator(f"#schedule-register-{people[0].id}")
    assert row.locator("button", has_text="Attended").get_attribute("aria-pressed") == "true"


def test_the_confirmation_is_a_page_of_its_own_without_javascript(app, browser, live_server):
    lead = make_user(roles=[Role.LEAD], email="lead@example.ac.uk")
    session, people = _workshop()
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(30000)
    try:
        _sign_in(page, lead.email)
        page.goto(f"/schedule/sessions/{session.id}/register")
        page.get_by_role("link", name="Mark everyone not yet recorded as attended…").click()
        page.wait_for_url(f"**/schedule/sessions/{session.id}/register/all")
        page.get_by_role("heading", name="Mark everyone attended?").wait_for()
        page.get_by_text("2 people booked on Portfolio workshop (Workshop 2 of 5) will be marked attended").wait_for()
        page.get_by_role("link", name="Keep the register as it is").click()
        page.wait_for_url(f"**/schedule/sessions/{session.id}/register")
        assert _attended(people) == [None, None]
        page.goto(f"/schedule/sessions/{session.id}/register/all")
        page.get_by_role("button", name="Mark 2 people attended").click()
        page.get_by_text("2 people marked as attended.").wait_for()
        assert _attended(people) == [True, True]
    finally:
        context.close()


def test_a_session_that_has_started_says_booking_closed_and_one_to_come_says_when_the_register_opens(app, page):
    lead = make_user(roles=[Role.LEAD], email="lead@example.ac.uk")
    started = make_session(title="Started workshop", starts_in=timedelta(minutes=-5), capacity=10)
    later = make_session(title="Later workshop", starts_in=timedelta(hours=3), capacity=10)
    make_booking(later, make_user(name="Early Bird"))
    _sign_in(page, lead.email)
    page.goto(f"/schedule/sessions/{started.id}")
    page.locator(f"#schedule-booking-{started.id}").get_by_text(
        "This session has already started: booking closed at the start time.").wait_for()
    assert page.locator(f"#schedule-booking-{started.id}").get_by_role("button").count() == 0
    page.goto(f"/schedule/sessions/{later.id}/register")
    page.get_by_text("The register opens when the session starts").wait_for()
    assert page.get_by_role("button", name=re.compile("Attended")).count() == 0
