"""In chromium: a long draft autosaves over htmx, survives a reload intact, and is then submitted."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.proposals.models import Proposal, ProposalState
from tests.factories import DEFAULT_PASSWORD, make_round, make_user

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
    page.get_by_text("looks the likely pathway").wait_for()
    assert "CMALT" in page.locator("[id^=proposals-suggestion-] strong").inner_text()
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
