"""Password reset end to end: outbox -> real SMTP server -> link -> new password."""
from __future__ import annotations

import re

from portal.outbox.services import send_pending
from tests.factories import DEFAULT_PASSWORD, make_user


def _link_from(message) -> str:
    body = message.get_body(preferencelist=("plain",)) if hasattr(message, "get_body") else None
    text = body.get_content() if body is not None else message.get_payload(decode=True).decode()
    match = re.search(r"http://localhost(/auth/reset/\S+)", text)
    assert match, text
    return match.group(1)


def test_password_reset_through_real_smtp(app, client, smtp_server):
    user = make_user(email="forgetful@example.ac.uk")
    response = client.post("/auth/reset", data={"email": "forgetful@example.ac.uk"}, follow_redirects=True)
    assert "If an account exists for that address" in response.get_data(as_text=True)
    # Unknown address: same answer, nothing queued.
    client.post("/auth/reset", data={"email": "nobody@example.ac.uk"})

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    report = send_pending()
    assert report.sent == 1
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "forgetful@example.ac.uk"
    path = _link_from(message)

    assert client.get(path).status_code == 200
    mismatch = client.post(path, data={"password": "a brand new passphrase", "confirm": "different"})
    assert "The two passwords differ" in mismatch.get_data(as_text=True)
    done = client.post(path, data={"password": "a brand new passphrase", "confirm": "a brand new passphrase"},
                       follow_redirects=True)
    assert "Your password has been changed" in done.get_data(as_text=True)

    old = client.post("/auth/sign-in", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert old.status_code == 400
    new = client.post("/auth/sign-in", data={"email": user.email, "password": "a brand new passphrase"})
    assert new.status_code == 303
    client.post("/auth/sign-out")

    reused = client.get(path)
    assert reused.status_code == 400
    assert "already been used" in reused.get_data(as_text=True)
    # Sending again delivers nothing twice.
    assert send_pending().sent == 0
    assert len(smtp_server.messages) == 1


def test_tampered_reset_link_shows_clear_message(client):
    response = client.get("/auth/reset/not-a-real-token")
    assert response.status_code == 400
    assert "This reset link is not valid" in response.get_data(as_text=True)
