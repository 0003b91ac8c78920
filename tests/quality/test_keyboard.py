"""Keyboard use with htmx: actions work from the keyboard, focus comes back after a swap, and
the result is announced."""
from __future__ import annotations

import pytest

from portal.auth.models import Role, User
from portal.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.quality.conftest import browser_sign_in

pytestmark = pytest.mark.browser


def _focused(page, pressed="true"):
    """The focused control's label and pressed state, once the swap has settled (polled from
    Python: the page's CSP rightly forbids the eval that wait_for_function would use)."""
    state = None
    for _ in range(50):
        state = tuple(page.evaluate("[document.activeElement.getAttribute('aria-label'),"
                                    " document.activeElement.getAttribute('aria-pressed')]"))
        if state[1] == pressed:
            break
        page.wait_for_timeout(100)
    return state


def test_role_toggle_by_keyboard_keeps_focus_on_the_same_toggle_and_announces(app, page):
    lead = make_user(roles=[Role.LEAD], name="Kay Keyboard", email="kay@example.ac.uk")
    make_user(name="Rae Row", email="rae@example.ac.uk")
    browser_sign_in(page, lead.email, DEFAULT_PASSWORD)
    page.goto("/admin/people")
    toggle = page.get_by_role("button", name="Mentor for Rae Row")
    toggle.focus()
    with page.expect_response(lambda r: r.request.method == "POST" and "/roles" in r.url):
        page.keyboard.press("Enter")
    status = page.locator("#admin-person-{} [role=status]".format(
        db.session.scalar(db.select(User.id).where(User.email == "rae@example.ac.uk"))))
    status.get_by_text("Roles of Rae Row updated.").wait_for()
    assert status.get_attribute("aria-live") == "polite"
    assert _focused(page) == ("Mentor for Rae Row", "true")
    # And again from the keyboard, straight away: focus is where the person left it.
    with page.expect_response(lambda r: r.request.method == "POST" and "/roles" in r.url):
        page.keyboard.press("Space")
    assert _focused(page, pressed="false") == ("Mentor for Rae Row", "false")


def test_skip_link_is_the_first_stop_and_moves_to_main(app, page):
    page.goto("/auth/sign-in")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
