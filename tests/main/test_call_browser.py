"""The public call page in chromium, signed out: from the home page to the call, the pathway question with
and without JavaScript, the calendar feed followed and parsed, no page wider than the window, axe-core clean."""
from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from portal.db_types import utcnow
from portal.rounds.models import RoundState
from portal.timeutil import to_local
from tests.factories import make_round, make_session
from tests.quality.crawl import AXE_TAGS, RUN_AXE
from tests.quality.tools import AXE_JS, ensure_tools

pytestmark = pytest.mark.browser

WIDTHS = (1280, 1024, 390)


@pytest.fixture
def call_round(app, live_server):
    # Links that leave the portal (the feed's https and webcal://) are built under BASE_URL: point it here.
    app.config["BASE_URL"] = live_server
    now = utcnow()
    round_ = make_round(name="CMALT cohort 2027: call for colleagues who support learning with technology",
                        closes_at=now + timedelta(days=3, hours=4, minutes=30), intro_required=True)
    make_session(kind="intro", title="Intro webinar", round_id=round_.id, capacity=20, location="Library room 2")
    make_round(name="Spring 2027", state=RoundState.SCHEDULED, opens_at=now + timedelta(days=5),
               closes_at=now + timedelta(days=30))
    return round_


def test_a_visitor_finds_the_call_from_the_home_page_and_subscribes_to_its_calendar(page, call_round):
    page.goto("/")
    page.get_by_role("link", name=call_round.name).click()
    page.get_by_role("heading", level=1, name=f"{call_round.name}: call for proposals").wait_for()
    closes = to_local(call_round.closes_at).strftime("%H:%M on %A %-d %B %Y")
    assert closes in page.locator(".call-when").inner_text()
    assert "3 days, 4 hours left" in page.locator("#calls-countdown").inner_text()

    webcal = page.get_by_role("link", name=f"Subscribe to {call_round.name} public feed in your calendar app")
    assert webcal.get_attribute("href").startswith("webcal://127.0.0.1:")
    https = page.get_by_role("link", name=f"Download {call_round.name} public feed (.ics)").get_attribute("href")
    assert webcal.get_attribute("href").split("://", 1)[1] == https.split("://", 1)[1]
    response = page.request.get(https)
    assert response.status == 200 and response.headers["content-type"].startswith("text/calendar")
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(response.body()).walk("VEVENT")]
    assert any("Intro webinar" in s for s in summaries), summaries

    page.get_by_role("link", name="Sign in to book Intro webinar").click()
    page.get_by_role("heading", name="Sign in").wait_for()


def test_which_pathway_answers_in_place_with_htmx(page, call_round):
    page.goto(f"/calls/{call_round.id}")
    page.get_by_label("Years of experience with learning technology").fill("20")
    page.get_by_label("Do you have leadership, strategy or research responsibilities").select_option("yes")
    page.get_by_role("button", name="Suggest a pathway").click()
    page.locator("#calls-pathway").get_by_text("so Senior CMALT fits").wait_for()
    assert page.url.endswith(f"/calls/{call_round.id}")  # answered in place: no page load


def test_which_pathway_works_without_javascript(browser, live_server, call_round):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"/calls/{call_round.id}")
        page.get_by_label("Years of experience with learning technology").fill("2")
        page.get_by_role("button", name="Suggest a pathway").click()
        page.wait_for_url("**years=2**")
        assert "so Associate CMALT fits" in page.locator("#calls-pathway").inner_text()
        assert page.get_by_label("Years of experience with learning technology").input_value() == "2"
    finally:
        context.close()


def test_the_home_and_the_call_fit_every_width_and_pass_axe(browser, live_server, call_round):
    ensure_tools()
    # axe is injected as a script tag, which the portal's own CSP (rightly) forbids.
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    page = context.new_page()
    try:
        for path in ("/", f"/calls/{call_round.id}", f"/calls/{call_round.id}?years=abc", "/calls/"):
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(path)
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{path} is {overflow}px wider than a {width}px window"
            page.add_script_tag(path=str(AXE_JS))
            violations = page.evaluate(RUN_AXE, AXE_TAGS)
            assert violations == [], f"{path}: {violations}"
    finally:
        context.close()
