"""The grouped navigation in chromium: a lead goes one level down through a section, the bar and the
section's row fit the window at every width (every link inside it), and axe-core finds nothing on them."""
from __future__ import annotations

import pytest

from portal.auth.models import Role
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.quality.crawl import AXE_TAGS, RUN_AXE
from tests.quality.tools import AXE_JS, ensure_tools

pytestmark = pytest.mark.browser

WIDTHS = (1280, 1024, 390)


def _sign_in(page, user):
    page.goto("/auth/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").wait_for()


def test_a_lead_goes_through_admin_to_the_outbox_and_the_section_stays_marked(browser, live_server, app):
    ensure_tools()
    lead = make_user(roles=[Role.LEAD], name="Lena Lead", email="lena@example.ac.uk")
    # axe is injected as a script tag, which the portal's own CSP (rightly) forbids.
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    page = context.new_page()
    try:
        _sign_in(page, lead)
        bar = page.get_by_role("navigation", name="Main")
        assert bar.get_by_role("link").all_inner_texts() == [
            "Home", "Rounds & proposals", "Panel", "Schedule", "Mentoring", "Reports", "Admin"]
        bar.get_by_role("link", name="Admin").click()
        page.get_by_role("navigation", name="Admin").get_by_role("link", name="Outbox").click()
        page.wait_for_url("**/admin/outbox")
        assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin") \
            .get_attribute("aria-current") == "true"
        assert page.get_by_role("navigation", name="Admin").get_by_role("link", name="Outbox") \
            .get_attribute("aria-current") == "page"
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            page.reload()
            # The navigation's own width (the page's tables are measured by the crawl's width check).
            for nav in ("Main", "Admin"):
                links = page.get_by_role("navigation", name=nav).get_by_role("link")
                rights = [box["x"] + box["width"] for box in (link.bounding_box() for link in links.all())]
                assert max(rights) <= width, (nav, width, rights)
            header = page.locator(".site-header").evaluate("el => el.scrollWidth - el.clientWidth")
            assert header <= 0, f"the header is {header}px wider than a {width}px window"
        page.add_script_tag(path=str(AXE_JS))
        assert page.evaluate(RUN_AXE, AXE_TAGS) == []
    finally:
        context.close()
