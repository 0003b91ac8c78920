"""In chromium: the lead confirms the release of outcomes, an applicant confirms declining a place (with and
without JavaScript), and the lead undoes the decline; the moderation table reads each decision as it now stands."""
from __future__ import annotations

import pytest

from portal.extensions import db
from portal.panel import deciding
from tests.panel.test_browser import _sign_in
from tests.panel.test_places import CMALT, released_round
from tests.panel.helpers import build_panel

pytestmark = pytest.mark.browser


def test_the_lead_confirms_the_release_in_place_and_must_override_open_scoring(app, page, live_server):
    p = build_panel(members=1, proposals=3)
    chosen, waiting, refused = p.proposals
    deciding.decide(p.lead, chosen, outcome="selected", feedback="")
    deciding.decide(p.lead, waiting, outcome="waitlisted", feedback="")
    deciding.decide(p.lead, refused, outcome="not_selected", feedback="")
    db.session.commit()

    _sign_in(page, p.lead)
    page.goto(f"/panel/rounds/{p.round.id}/moderation")
    page.evaluate("window.__stillSamePage = true")
    page.get_by_role("link", name="Release outcomes to applicants…").click()
    confirm = page.get_by_role("region", name="Release outcomes to applicants?")
    confirm.get_by_text("3 applicants will be emailed: 1 selected, 1 waitlisted, 1 not selected").wait_for()
    assert page.evaluate("window.__stillSamePage === true")  # shown in place by htmx

    confirm.get_by_role("button", name="Release outcomes and email 3 applicants").click()
    page.get_by_role("alert").get_by_text(
        "Scoring is still open. Close scoring first, or tick the box to release anyway.").wait_for()
    page.get_by_label("Scoring is still open: release anyway and close scoring now").check()
    page.get_by_role("button", name="Release outcomes and email 3 applicants").click()
    page.get_by_text("Outcomes released: 3 applicant(s) emailed.").wait_for()
    assert page.get_by_role("link", name="Release outcomes to applicants…").count() == 0
    row = page.locator(f"#panel-row-{chosen.id}")
    assert row.locator("td").last.inner_text() == "Selected"


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_an_applicant_confirms_declining_and_the_lead_undoes_it(app, browser, live_server, javascript):
    p, (chosen,), (waiting,), _ = released_round([CMALT], [CMALT])
    context = browser.new_context(base_url=live_server, java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(10000)
    _sign_in(page, chosen.applicant)
    page.goto(f"/panel/outcome/{chosen.id}")
    page.get_by_role("link", name="Decline my place…").click()
    confirm = page.get_by_role("region", name="If you decline")
    confirm.get_by_text("Your place will be offered to the next person on the waiting list whose place fits the "
                        "funding.").wait_for()
    # With htmx the confirmation comes into the outcome page; without JavaScript it is a page of its own.
    assert page.url.endswith("/decline") is not javascript
    confirm.get_by_role("button", name="Yes, decline my place").click()
    page.get_by_text("You have declined your place. Thank you for letting us know.").wait_for()
    page.get_by_role("heading", name="You declined your place").wait_for()
    context.close()

    lead_context = browser.new_context(base_url=live_server, java_script_enabled=javascript)
    lead = lead_context.new_page()
    lead.set_default_timeout(10000)
    _sign_in(lead, p.lead)
    lead.goto(f"/panel/rounds/{p.round.id}/moderation")
    assert lead.locator(f"#panel-row-{chosen.id} td").last.inner_text() == "Declined"
    assert lead.locator(f"#panel-row-{waiting.id} td").last.inner_text() == "Offered from the waitlist"
    lead.get_by_role("link", name=f"Undo {chosen.applicant.name}’s decline").click()
    lead.get_by_text(f"The place offered to {waiting.applicant.name} on").wait_for()
    lead.get_by_role("button", name="Undo the decline").click()
    lead.get_by_text(f"Decline undone: {chosen.applicant.name}’s place is restored.").wait_for()
    assert lead.locator(f"#panel-row-{chosen.id} td").last.inner_text() == "Selected"
    assert lead.locator(f"#panel-row-{waiting.id} td").last.inner_text() == "Waitlisted #1"
    lead_context.close()
