"""portal.web.links.absolute_url: links for mail and feeds come from the URL map under BASE_URL, path
prefix included, with or without a request, and the links the portal mails open the pages they name."""
from __future__ import annotations

import re

from sqlalchemy import select

from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.outbox.secrets import unmask
from portal.web.links import absolute_url
from tests.factories import make_user

PREFIXED = "https://portal.example.ac.uk/cohort"


def test_a_link_keeps_the_base_urls_scheme_host_and_path_prefix(app):
    app.config["BASE_URL"] = PREFIXED + "/"  # a trailing slash does not double
    assert absolute_url("privacy.reminders") == f"{PREFIXED}/my-data/reminders"
    assert absolute_url("auth.reset_password", token="a.b-c") == f"{PREFIXED}/auth/reset/a.b-c"
    assert absolute_url("schedule.session_page", session_id=7) == f"{PREFIXED}/schedule/sessions/7"
    app.config["BASE_URL"] = "http://localhost:5000"
    assert absolute_url("main.home") == "http://localhost:5000/"


def test_a_link_made_during_a_request_uses_the_base_url_not_the_requests_host(app):
    app.config["BASE_URL"] = PREFIXED
    with app.test_request_context("/", base_url="http://10.0.0.5:8000/internal/"):
        assert absolute_url("proposals.edit", proposal_id=3) == f"{PREFIXED}/proposals/3/edit"


def test_the_password_reset_email_links_under_the_prefix_to_the_reset_form(app, client):
    app.config["BASE_URL"] = PREFIXED
    person = make_user(email="forgetful@example.ac.uk")
    assert client.post("/auth/reset", data={"email": person.email}).status_code == 303
    message = db.session.scalars(select(OutboxMessage)).one()
    # The stored body has the link masked (a lead reads it in the Outbox); the recipient's copy has it.
    assert not re.findall(r"https?://\S+/auth/reset/\S+", message.body)
    (link,) = re.findall(r"https?://\S+", unmask(message.body, message.secret_parts))
    assert link.startswith(f"{PREFIXED}/auth/reset/")
    # The app itself is served at the root here: the prefix is the proxy's, the rest is the route.
    page = client.get(link.removeprefix(PREFIXED))
    assert page.status_code == 200 and 'name="password"' in page.get_data(as_text=True)
