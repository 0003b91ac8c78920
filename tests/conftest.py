"""Shared fixtures: an app on a real database (SQLite, or PostgreSQL via TEST_DATABASE_URL),
a CSRF-aware test client, a real SMTP server, a live server and chromium for browser tests."""
from __future__ import annotations

import os
import re
import threading
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


class CSRFClient(FlaskClient):
    """A test client that sends a valid CSRF token with every form post, as a browser would.

    Pass csrf=False to post without one.
    """

    def open(self, *args, **kwargs):
        csrf = kwargs.pop("csrf", True)
        method = kwargs.get("method", "GET")
        if csrf and method in {"POST", "PUT", "PATCH", "DELETE"}:
            data = kwargs.get("data")
            if data is None:
                data = {}
            if isinstance(data, dict) and "csrf_token" not in data:
                page = super().open("/", method="GET", follow_redirects=True)
                data = dict(data, csrf_token=csrf_token_from(page.get_data(as_text=True)))
                kwargs["data"] = data
        return super().open(*args, **kwargs)


def _test_config(tmp_path: Path, database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
        "MAIL_SERVER": None,
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    from portal.config import normalise_database_url
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    """Create the schema once per run (drop what a previous run left behind)."""
    os.environ["PORTAL_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    app = create_app(_test_config(Path("."), database_url))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return True


def _empty_tables() -> None:
    """Delete every row, children first, so each test starts from an empty database."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def make_app(_schema, database_url, tmp_path):
    """Build an app with extra config; the database is emptied before each test."""
    apps = []

    def factory(**overrides):
        config = _test_config(tmp_path, database_url)
        config.update(overrides)
        app = create_app(config)
        app.test_client_class = CSRFClient
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        _empty_tables()
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(client):
    """Sign a person in through the real sign-in form."""
    from tests.factories import DEFAULT_PASSWORD

    def do_login(user, password: str = DEFAULT_PASSWORD, target=client):
        response = target.post("/auth/sign-in", data={"email": user.email, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return target

    return do_login


@pytest.fixture
def login_as(app, login):
    """Create a person with the given roles and sign them in; returns the person."""
    from tests.factories import make_user

    def do(*roles, **fields):
        user = make_user(roles=roles, **fields)
        login(user)
        return user

    return do


# ---------------------------------------------------------------- real SMTP server

class _Collector:
    def __init__(self):
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free local port; .messages holds what it received."""
    from aiosmtpd.controller import Controller

    import socket

    collector = _Collector()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        collector.port = probe.getsockname()[1]
    controller = Controller(collector, hostname="127.0.0.1", port=collector.port)
    controller.start()
    try:
        yield collector
    finally:
        controller.stop()


# ---------------------------------------------------------------- live server + chromium

@pytest.fixture
def live_server(app):
    """Serve the test app on a free port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium).")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    # Generous: on a loaded two-core machine a page with autosave and live counts can take seconds to settle.
    # A wait that never ends still fails; a slow one is measured by the benchmark, not here.
    page.set_default_timeout(30000)
    yield page
    context.close()
