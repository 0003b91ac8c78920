"""Signing in and granting a role in real chromium, with CSRF on."""
from __future__ import annotations

import pytest

from portal.auth.models import Role
from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_lead_signs_in_and_grants_a_role_with_htmx(app, page):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    lead = make_user(roles=[Role.LEAD], name="Lena Lead", email="lena@example.ac.uk")
    make_user(name="Pat Panel", email="pat@example.ac.uk")
    page.goto("/auth/sign-in")
    page.get_by_label("Email address").fill(lead.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Welcome, Lena Lead").wait_for()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    page.get_by_role("heading", name="People and roles").wait_for()
    toggle = page.get_by_role("button", name="Panel member for Pat Panel")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    page.get_by_text("Roles of Pat Panel updated.").wait_for()
    assert page.get_by_role("button", name="Panel member for Pat Panel").get_attribute("aria-pressed") == "true"
    page.reload()
    assert page.get_by_role("button", name="Panel member for Pat Panel").get_attribute("aria-pressed") == "true"


def test_wrong_password_in_browser_shows_generic_message(app, page):
    make_user(email="someone@example.ac.uk")
    page.goto("/auth/sign-in")
    page.get_by_label("Email address").fill("someone@example.ac.uk")
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("do not match an account").wait_for()
    assert page.get_by_label("Email address").input_value() == "someone@example.ac.uk"
