"""Each demo role's home in chromium at 1280, 1024 and 390 px: it fits the window (no sideways scroll),
shows the role's parts, and axe-core finds nothing; and a staff member starts a proposal from it."""
from __future__ import annotations

import pytest

from tests.factories import DEFAULT_PASSWORD, make_round, make_user
from tests.quality.conftest import (ROLE_EMAILS, _fresh_g_for_every_request, browser_sign_in,  # noqa: F401
                                    demo_app, demo_server, quality_tools)
from tests.quality.crawl import AXE_TAGS, RUN_AXE
from tests.quality.known_issues import known
from tests.quality.tools import AXE_JS

pytestmark = pytest.mark.browser

WIDTHS = (1280, 1024, 390)
# The heading of each part a demo login's home must show.
PARTS = {"lead": ["What needs you"], "panel": ["Your panel scoring", "Your year"], "mentor": ["Your mentees"],
         "staff": ["Your year"]}
FITS = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.mark.parametrize("role", list(PARTS))
def test_home_fits_every_width_and_passes_axe(demo_server, browser, quality_tools, role):  # noqa: F811
    # axe is injected as a script tag, which the portal's own CSP (rightly) forbids.
    context = browser.new_context(base_url=demo_server, bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        browser_sign_in(page, ROLE_EMAILS[role])
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto("/")
            for heading in PARTS[role]:
                assert page.get_by_role("heading", level=2, name=heading).is_visible(), (role, width, heading)
            scroll_width, window_width = page.evaluate(FITS)
            assert scroll_width <= window_width, f"{role}'s home is {scroll_width}px wide in a {width}px window"
            page.add_script_tag(path=str(AXE_JS))
            problems = [f"{v['id']}: {v['help']} -> {v['nodes']}" for v in page.evaluate(RUN_AXE, AXE_TAGS)]
            problems = [p for p in problems if not known("axe", p)]
            assert not problems, f"{role} at {width}px:\n" + "\n".join(problems)
    finally:
        context.close()


def test_staff_member_starts_a_proposal_from_the_home(app, page):
    make_round(name="Spring call")
    person = make_user()
    page.goto("/auth/sign-in")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/auth/sign-in" not in url)
    page.goto("/")
    step = page.locator(".home-step", has=page.get_by_role("heading", name="Your proposal"))
    assert "You have not started a proposal" in step.inner_text()
    step.get_by_role("button", name="Start your proposal").click()
    page.wait_for_url("**/edit")
    page.goto("/")
    assert "Draft saved at" in page.locator(".home-step", has=page.get_by_role("heading", name="Your proposal")).inner_text()
    page.get_by_role("link", name="Continue your draft").click()
    page.wait_for_url("**/edit")
