"""In chromium: a long draft autosaves over htmx, survives a reload intact, and is then submitted; pathway
guidance with and without JavaScript; text kept while signed out offered in another browser; the autosave
wording with JavaScript on and off; a change refused after closing, with its kept text to copy."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.db_types import utcnow
from portal.extensions import db
from portal.proposals.models import PendingDraft, Proposal, ProposalState
from tests.factories import DEFAULT_PASSWORD, make_proposal, make_round, make_user

pytestmark = pytest.mark.browser

PARAGRAPH = ("Over the last four years I have moved our school's modules onto the new VLE, trained colleagues "
             "in accessible design and run a pilot of peer assessment with two hundred students. ")
LONG = "\n\n".join(f"{i + 1}. {PARAGRAPH}" for i in range(3))  # three paragraphs, about 100 words


def test_long_draft_autosaves_survives_reload_and_is_submitted(app, page):
    person = make_user(name="Dana Draft", email="dana@example.ac.uk", job_title="Learning Technologist",
                       department="Digital Learning Team")
    round_ = make_round(name="CMALT cohort 2026/27", word_limits={"motivation": 500, "role_summary": 250})
    page.goto("/auth/sign-in")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Welcome, Dana Draft").wait_for()

    page.goto(f"/rounds/{round_.id}")
    page.get_by_role("button", name="Start a proposal").click()
    page.get_by_role("heading", name="Your proposal for CMALT cohort 2026/27").wait_for()

    motivation = page.get_by_label("Motivation", exact=True)
    motivation.fill(LONG)
    page.get_by_text(f"{len(LONG.split())} of 500 words", exact=True).wait_for()  # counted live by proposals.js
    status = page.locator("[id^=proposals-autosave-]")
    status.get_by_text(re.compile(r"^Saved at \d\d:\d\d")).wait_for()
    assert status.get_attribute("aria-live") == "polite"

    page.reload()
    assert page.get_by_label("Motivation", exact=True).input_value() == LONG

    page.get_by_label("Role summary").fill("I support colleagues with the VLE.")
    page.get_by_label("How learning technology features in your role").fill("Daily: design, training, support.")
    page.get_by_label("Years of experience with learning technology").fill("4")
    page.get_by_text("Suggested: CMALT.").wait_for()
    assert page.locator("[id^=proposals-suggestion-] strong").inner_text() == "Suggested: CMALT."
    page.get_by_label(re.compile(r"^CMALT \(")).check()
    page.get_by_label("Intended submission window").fill("June next year")
    page.get_by_label("Line manager's name").fill("Morgan Manager")
    page.get_by_label("Line manager's email address").fill("morgan@example.ac.uk")
    page.get_by_label("My line manager supports this proposal").check()
    page.get_by_label("I agree to my answers being used").check()
    page.get_by_role("button", name="Submit proposal").click()

    page.get_by_text("is submitted. We have emailed you a copy of it.").wait_for()
    assert page.get_by_role("heading", name="Your proposal for CMALT cohort 2026/27").is_visible()
    db.session.expire_all()
    proposal = db.session.scalars(select(Proposal).where(Proposal.user_id == person.id)).one()
    assert proposal.state == ProposalState.SUBMITTED
    assert proposal.motivation == LONG


def sign_in(page, person):
    page.goto("/auth/sign-in")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=f"Welcome, {person.name}").wait_for()


@pytest.fixture
def no_js_page(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(30000)
    yield page
    context.close()


SENIOR_REASON = ("You have 20 years of experience and, as Head of Digital Education, leadership, strategy or research "
                 "responsibilities, so Senior CMALT fits")


def fill_guidance(page, years: str, leads: str):
    page.get_by_label("Job title").fill("Head of Digital Education")
    page.get_by_label("Years of experience with learning technology").fill(years)
    page.get_by_role("group", name="Do you have leadership, strategy or research responsibilities").get_by_label(
        leads, exact=True).check()


def test_pathway_guidance_follows_years_and_leadership_with_htmx(app, page):
    person = make_user(name="Hana Head")
    proposal = make_proposal(make_round(), person, complete=False)
    sign_in(page, person)
    page.goto(f"/proposals/{proposal.id}/edit")
    suggestion = page.locator(f"#proposals-suggestion-{proposal.id}")
    fill_guidance(page, "20", "Yes")
    suggestion.get_by_text("Suggested: Senior CMALT.").wait_for()
    assert SENIOR_REASON in suggestion.inner_text() and "CMALT is also open to you." in suggestion.inner_text()
    page.get_by_label("Years of experience with learning technology").fill("2")
    suggestion.get_by_text("Suggested: Associate CMALT.").wait_for()
    assert "so Associate CMALT fits (under 3 years)" in suggestion.inner_text()
    assert suggestion.get_attribute("aria-live") == "polite"


def test_pathway_guidance_without_javascript_is_a_round_trip(app, no_js_page):
    page = no_js_page
    person = make_user(name="Nora Noscript")
    proposal = make_proposal(make_round(), person, complete=False)
    sign_in(page, person)
    page.goto(f"/proposals/{proposal.id}/edit")
    fill_guidance(page, "20", "Yes")
    page.get_by_role("button", name="Suggest a pathway").click()
    suggestion = page.locator(f"#proposals-suggestion-{proposal.id}")
    assert "Suggested: Senior CMALT." in suggestion.inner_text() and SENIOR_REASON in suggestion.inner_text()
    assert page.get_by_label("Job title").input_value() == "Head of Digital Education"
    page.get_by_label("Years of experience with learning technology").fill("2")
    page.get_by_role("button", name="Suggest a pathway").click()
    assert "Suggested: Associate CMALT." in page.locator(f"#proposals-suggestion-{proposal.id}").inner_text()
    page.get_by_label("Department or school").fill("Library")
    page.get_by_label("Department or school").press("Enter")  # Enter saves, as it did before the new buttons
    page.get_by_text("Draft saved at").wait_for()


def test_autosave_wording_is_true_with_javascript_on_and_off(app, page, no_js_page):
    person = make_user(name="Wren Wording")
    proposal = make_proposal(make_round(), person, complete=False)
    for browser_page, promise in ((page, "Changes save as you type."), (no_js_page, "Save your changes with “Save draft”.")):
        sign_in(browser_page, person)
        browser_page.goto(f"/proposals/{proposal.id}/edit")
        status = browser_page.locator(f"#proposals-autosave-{proposal.id}")
        status.get_by_text(promise).wait_for()
    assert "Changes save as you type" not in no_js_page.locator(f"#proposals-autosave-{proposal.id}").inner_text()


KEPT = "Typed on the laptop after the sign-in had expired: what I learnt running the peer-assessment pilot."


def test_text_kept_while_signed_out_is_offered_in_another_browser(app, browser, live_server, page):
    person = make_user(name="Kit Kept")
    proposal = make_proposal(make_round(), person, complete=False, motivation="My first try.")
    laptop = browser.new_context(base_url=live_server)
    try:
        first = laptop.new_page()
        first.set_default_timeout(30000)
        sign_in(first, person)
        first.goto(f"/proposals/{proposal.id}/edit")
        laptop.clear_cookies()  # the sign-in expires while the page is open
        first.get_by_label("Motivation", exact=True).fill(KEPT)
        first.get_by_label("Role summary").fill("A role summary typed on the laptop.")
        first.get_by_role("button", name="Save draft").click()
        first.get_by_text("Your text is kept on the server").wait_for()
    finally:
        laptop.close()

    sign_in(page, person)  # another browser: nothing of the laptop's session is here
    page.goto(f"/proposals/{proposal.id}/edit")
    page.get_by_text("You have text kept from").first.wait_for()
    motivation = page.get_by_label("Motivation", exact=True)
    assert motivation.input_value() == "My first try."  # offered, not put in the form behind the person's back

    page.get_by_role("button", name="Discard the kept text for Role summary").click()
    page.locator(f"#proposals-kept-{proposal.id}-role_summary").get_by_text("The kept text is discarded.").wait_for()
    assert page.get_by_label("Role summary").input_value() == ""

    offer = page.locator(f"#proposals-kept-{proposal.id}-motivation")
    offer.get_by_text("Compare").click()
    assert KEPT in offer.locator(".word-diff").inner_text()
    page.get_by_role("button", name="Use it for Motivation").click()
    assert motivation.input_value() == KEPT
    page.get_by_text("The kept text is now in the field above, and saves with your draft.").wait_for()
    for _ in range(60):  # autosave runs 1.5 s after the last input
        db.session.expire_all()
        if db.session.get(Proposal, proposal.id).motivation == KEPT:
            break
        page.wait_for_timeout(500)
    page.reload()
    assert motivation.input_value() == KEPT
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).motivation == KEPT
    assert db.session.scalars(select(PendingDraft)).first() is None  # used and saved: nothing left to offer
    assert page.get_by_text("You have text kept from").count() == 0


def test_a_change_refused_after_closing_links_to_its_kept_text_until_discarded(app, no_js_page):
    page = no_js_page
    person = make_user(name="Lou Late")
    round_ = make_round()
    proposal = make_proposal(round_, person, state=ProposalState.SUBMITTED, motivation="As submitted.")
    sign_in(page, person)
    page.goto(f"/proposals/{proposal.id}/edit")
    page.get_by_label("Motivation", exact=True).fill(KEPT)
    round_.closes_at = utcnow()  # the deadline passes while the person is still typing
    db.session.commit()
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("This round has closed").first.wait_for()
    page.goto(f"/proposals/{proposal.id}")
    notice = page.locator("#proposals-kept-notice")
    assert "could not be saved: this proposal can no longer be changed (the round closed at" in notice.inner_text()
    notice.get_by_role("link", name="see the kept text").click()
    assert page.get_by_label("The kept text (read only, to copy)").input_value() == KEPT
    page.get_by_role("button", name="Discard the kept text for Motivation").click()
    page.get_by_text("The kept text is discarded.").wait_for()
    page.goto(f"/proposals/{proposal.id}")
    assert page.locator("#proposals-kept-notice").count() == 0
