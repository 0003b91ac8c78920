"""Fixtures for the quality gates: the demo institution on a live server, signed-in browsers per role."""
from __future__ import annotations

import threading

import pytest
from flask import g, request_started
from werkzeug.serving import make_server

from portal import create_app
from portal.demo import DEMO_PASSWORD, load_demo
from portal.extensions import db
from tests.conftest import CSRFClient, _empty_tables, _test_config
from tests.quality.tools import ensure_tools

# The demo's logins, one per role the crawl and the sweeps act as.
ROLE_EMAILS = {
    "staff": "staff1@example.ac.uk",
    "panel": "panel1@example.ac.uk",
    "mentor": "mentor1@example.ac.uk",
    "lead": "lead@example.ac.uk",
}


# Lines the quality gates report (pages crawled per role...), shown in pytest's closing summary.
REPORT: list[str] = []


def report(line: str) -> None:
    REPORT.append(line)


def pytest_terminal_summary(terminalreporter):
    if REPORT:
        terminalreporter.section("quality gates")
        for line in REPORT:
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _fresh_g_for_every_request():
    """Give each test-client request a fresh flask.g, as production does.

    The shared `app` fixture keeps one app context pushed, and Flask reuses it for every
    request, so g (Flask-WTF's csrf_valid, Flask-Login's cached user) would carry over from
    one request to the next and hide a missing CSRF token or a signed-out session.
    """
    def clear(_sender, **_extra):
        vars(g).clear()

    request_started.connect(clear)
    yield
    request_started.disconnect(clear)


@pytest.fixture(scope="session")
def quality_tools():
    ensure_tools()


@pytest.fixture(scope="module")
def demo_app(_schema, database_url, tmp_path_factory):
    """An app whose database holds the whole demo institution (every feature's demo data).

    No app context stays pushed: each request gets its own, as in production (a shared one
    would carry flask.g, and with it the signed-in user, from one request to the next).
    Tests open `with app.app_context():` around their own database reads.
    """
    app = create_app(_test_config(tmp_path_factory.mktemp("quality"), database_url))
    app.test_client_class = CSRFClient
    with app.app_context():
        _empty_tables()
        load_demo()
        db.session.remove()
    yield app
    with app.app_context():
        _empty_tables()
        db.session.remove()


@pytest.fixture(scope="module")
def demo_server(demo_app):
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def browser_sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real form in chromium (CSRF on)."""
    page.goto("/auth/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/auth/sign-in" not in url)


def client_sign_in(client, email: str, password: str = DEMO_PASSWORD) -> None:
    response = client.post("/auth/sign-in", data={"email": email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
