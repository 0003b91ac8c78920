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
    page.get_by_role("heading", name="Welcome, Lena Lead").wait_for()

    page.get_by_role("link", name="Dashboard").first.click()
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
