"""portal.web.errors: every status the portal answers with a page of its own renders that page with its
code, from real causes where the portal has them; a 500 keeps nothing of the failed request; the sign-in
page answers its own 429 with the form still there."""
from __future__ import annotations

import pytest
from flask import abort
from sqlalchemy import func, select

from portal.auth.models import User
from portal.extensions import db
from portal.web.errors import ERROR_PAGES

HEADINGS = {
    400: "Something in that request was not right",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not available here",
    413: "That file is too large",
    429: "Too many requests",
    500: "Sorry, something went wrong",
}


def test_every_error_page_has_a_heading_here():
    assert set(HEADINGS) == set(ERROR_PAGES)


@pytest.fixture
def aborting(app):
    """A route that answers the status it is asked for, and one that fails after writing a row."""

    def answer(code: int):
        abort(code)

    def fail():
        db.session.add(User(email="half-done@example.ac.uk", name="Half done", password_hash="x"))
        db.session.flush()
        raise RuntimeError("a bug")

    app.add_url_rule("/test-only/abort/<int:code>", "test_abort", answer)
    app.add_url_rule("/test-only/fail", "test_fail", fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer a bug as production does, not by raising in the test
    return app.test_client()


@pytest.mark.parametrize("code", ERROR_PAGES)
def test_each_status_renders_its_own_page_with_its_code(aborting, code):
    response = aborting.get(f"/test-only/abort/{code}")
    assert response.status_code == code
    page = response.get_data(as_text=True)
    assert f"<h1>{HEADINGS[code]}</h1>" in page
    assert all(f"<h1>{heading}</h1>" not in page for other, heading in HEADINGS.items() if other != code)


def test_real_causes_get_their_pages(app, client, login_as):
    assert client.get("/no-such-page").status_code == 404
    assert HEADINGS[404] in client.get("/no-such-page").get_data(as_text=True)
    wrong_method = client.get("/auth/sign-out")
    assert wrong_method.status_code == 405 and HEADINGS[405] in wrong_method.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 64
    too_large = client.post("/auth/sign-up", data={"name": "x" * 200}, csrf=False)
    assert too_large.status_code == 413 and HEADINGS[413] in too_large.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024
    login_as()
    forbidden = client.get("/admin/people")
    assert forbidden.status_code == 403 and HEADINGS[403] in forbidden.get_data(as_text=True)


def test_a_500_renders_its_page_and_keeps_nothing_the_request_wrote(aborting):
    response = aborting.get("/test-only/fail")
    assert response.status_code == 500 and HEADINGS[500] in response.get_data(as_text=True)
    # The test shares the request's session: had the handler not rolled back, the flushed row would show.
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_the_sign_in_page_answers_its_429_with_the_form_and_other_pages_get_the_429_page(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="1 per minute")
    with app.app_context():
        client = app.test_client()
        wrong = {"email": "x@example.ac.uk", "password": "not the password"}
        assert client.post("/auth/sign-in", data=wrong).status_code == 400
        limited = client.post("/auth/sign-in", data=wrong)
        assert limited.status_code == 429
        page = limited.get_data(as_text=True)
        assert "Too many sign-in attempts. Wait a minute and try again." in page
        assert 'name="email"' in page and 'name="password"' in page and HEADINGS[429] not in page
        assert client.post("/auth/reset", data={"email": "x@example.ac.uk"}).status_code == 303
        reset = client.post("/auth/reset", data={"email": "x@example.ac.uk"})
        assert reset.status_code == 429 and HEADINGS[429] in reset.get_data(as_text=True)
        assert 'name="password"' not in reset.get_data(as_text=True)
