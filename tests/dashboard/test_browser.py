"""The lead opens the dashboard in chromium and the charts render with their tables."""
from __future__ import annotations

import pytest

from portal.auth.models import Role
from tests.dashboard.cohort import build_cohort
from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_lead_opens_the_dashboard_and_sees_charts(app, page):
    build_cohort()
    lead = make_user(roles=[Role.LEAD], name="Lena Lead", email="lena@example.ac.uk")
    page.goto("/auth/sign-in")
    page.get_by_label("Email address").fill(lead.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/auth/sign-in" not in url)

    page.goto("/dashboard/")  # the navigation's own tests cover how the lead gets here
    page.get_by_role("heading", name="Dashboard: Cohort 2026").wait_for()
    chart = page.get_by_role("img", name="Funnel for Cohort 2026")
    assert chart.count() == 1
    assert page.locator("#chart-funnel svg rect.chart-bar").count() == 7
    box = page.locator("#chart-funnel svg").bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    table = page.get_by_role("table", name="Funnel for Cohort 2026")
    assert table.get_by_role("row", name="Selected 3").count() == 1
    assert page.get_by_role("img", name="Applications by department").count() == 1
    assert page.get_by_role("table", name="Awards over the years").count() == 1


def test_lead_nudges_a_participant_from_the_at_risk_list(app, page):
    """In chromium: open the nudge, edit the prefilled reason, send; the row says what was sent, in place."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.outbox.models import OutboxMessage

    cohort = build_cohort()
    lead = make_user(roles=[Role.LEAD], name="Lena Lead", email="lena@example.ac.uk")
    page.goto("/auth/sign-in")
    page.get_by_label("Email address").fill(lead.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/auth/sign-in" not in url)
    page.goto(f"/dashboard/rounds/{cohort.round.id}")

    row = page.locator(f"#dashboard-risk-{cohort.drafting.id}")
    row.get_by_role("link", name="Applicant 1").wait_for()
    row.locator("summary", has_text="Nudge Applicant 1").click()
    message = row.get_by_label("Message to Applicant 1")
    assert "No meeting since" in message.input_value()  # prefilled with why they are at risk
    message.fill("Could we talk about core area 2 this week?")
    row.get_by_role("button", name="Send nudge to Applicant 1").click()

    row.get_by_role("status").filter(has_text="Nudge sent to Applicant 1").wait_for()
    assert row.get_by_text("Applicant 1 was nudged today at").count() == 1
    assert page.get_by_role("heading", name="Funnel").count() == 1  # swapped in place, the page stays
    email = cohort.drafting.applicant.email
    (sent,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email))
    assert "Could we talk about core area 2 this week?" in sent.body
