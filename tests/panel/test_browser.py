"""In chromium: a panel member declares a conflict and scores two proposals inline; the lead's ranked table updates."""
from __future__ import annotations

import re

import pytest

from portal.extensions import db
from tests.factories import DEFAULT_PASSWORD
from tests.panel.helpers import build_panel, score

pytestmark = pytest.mark.browser


def _sign_in(page, user):
    page.goto("/auth/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=f"Welcome, {user.name}").wait_for()


def _score_inline(page, criteria, points: str):
    for criterion in criteria:
        group = page.get_by_role("group", name=re.compile("^" + re.escape(criterion.name)))
        group.get_by_label(points).check()
    page.get_by_label("Comments for the panel").fill("Scored in the browser")
    page.evaluate("window.__stillSamePage = true")
    page.get_by_role("button", name="Save scores").click()
    page.get_by_text("Scores saved. You can now see the other panel members’ scores.").wait_for()
    # An inline save: the page was not reloaded.
    assert page.evaluate("window.__stillSamePage === true")


def test_member_declares_conflict_scores_two_inline_and_lead_sees_ranking_update(app, page, browser, live_server):
    p = build_panel(members=2, proposals=3)
    member, other = p.members
    first, second, conflicted = p.proposals
    score(other, first, p.criteria, [3, 3, 3, 3])   # 60
    score(other, second, p.criteria, [2, 2, 2, 2])  # 40
    db.session.commit()

    lead_context = browser.new_context(base_url=live_server)
    lead_page = lead_context.new_page()
    lead_page.set_default_timeout(10000)
    _sign_in(lead_page, p.lead)
    lead_page.goto(f"/panel/rounds/{p.round.id}/moderation")
    row = lead_page.locator(f"#panel-row-{first.id}")
    assert row.locator("td").nth(2).inner_text() == "60.0"

    _sign_in(page, member)
    page.get_by_role("link", name="Panel").first.click()
    page.get_by_role("link", name=f"Conflicts of interest for {p.round.name}").click()
    page.get_by_label(f"Reason for a conflict with {conflicted.applicant.name} (optional)").fill("My sister")
    page.get_by_role("button", name=f"Declare a conflict with {conflicted.applicant.name}").click()
    page.get_by_text(f"Conflict declared: {conflicted.applicant.name}’s proposal is removed from your list.").wait_for()

    page.get_by_role("link", name="Go to your scoring queue").click()
    page.get_by_text("0 of 2 scored").wait_for()
    assert page.get_by_role("link", name=conflicted.applicant.name).count() == 0
    page.get_by_role("link", name=first.applicant.name).click()
    _score_inline(page, p.criteria, "5 – Excellent")
    assert page.get_by_role("rowheader", name="Member B").count() == 1  # unblinded: the other member's scores
    page.get_by_text("(1 of 2 scored)").wait_for()  # the progress updated out of band
    page.get_by_role("link", name="Next proposal").click()
    page.get_by_role("heading", name=f"Score {second.applicant.name}’s proposal").wait_for()
    _score_inline(page, p.criteria, "4 – Good")
    page.get_by_role("link", name="Back to your queue").click()
    page.get_by_text("2 of 2 scored").wait_for()

    lead_page.reload()
    ranked = lead_page.locator("#panel-ranked-table tbody tr")
    assert [ranked.nth(i).get_by_role("rowheader").inner_text() for i in range(3)] == [
        first.applicant.name, second.applicant.name, conflicted.applicant.name]
    assert lead_page.locator(f"#panel-row-{first.id} td").nth(2).inner_text() == "80.0"  # (100 + 60) / 2
    assert lead_page.locator(f"#panel-row-{second.id} td").nth(2).inner_text() == "60.0"  # (80 + 40) / 2
    assert "conflict" in lead_page.locator(f"#panel-row-{conflicted.id}").inner_text()
    lead_context.close()
