"""Verified sign-up through HTTP: the link by real SMTP, the neutral answer, single use and expiry."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.link_models import EmailVerification
from portal.auth.models import User
from portal.auth.sign_up import token_hash
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.outbox.services import send_pending
from tests.factories import DEFAULT_PASSWORD, make_user

PASSWORD = "a long enough passphrase"


def _form(email: str, **extra) -> dict:
    return {"name": "Noor Haddad", "email": email, "job_title": "Lecturer", "department": "Law",
            "password": PASSWORD, "confirm": PASSWORD, **extra}


def _sent(app, smtp_server) -> list:
    """Send the outbox through the real SMTP server; the messages it received so far."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    send_pending()
    app.config.update(MAIL_SERVER=None)
    return smtp_server.messages


def _text(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


def _link(message, kind: str = "verify") -> str:
    match = re.search(rf"http://localhost(/auth/{kind}/\S+)", _text(message))
    assert match, _text(message)
    return match.group(1)


def _main(html: str) -> str:
    """The page's main content, without the per-request CSRF token."""
    main = html[html.index("<main"):html.index("</main>")]
    return re.sub(r'value="[^"]+"', "", main)


def test_sign_up_sends_a_link_and_the_account_can_do_nothing_until_it_is_used(app, client, smtp_server):
    response = client.post("/auth/sign-up", data=_form("noor@example.ac.uk"))
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "noor@example.ac.uk"))
    assert user is not None and user.verified_at is None and not user.is_active

    # Not signed in, and signing in with the right password is told to use the link.
    assert client.get("/proposals/").status_code == 302
    refused = client.post("/auth/sign-in", data={"email": "noor@example.ac.uk", "password": PASSWORD})
    assert refused.status_code == 400
    assert "not confirmed yet" in refused.get_data(as_text=True)
    assert "/auth/sign-up/resend" in refused.get_data(as_text=True)
    assert client.get("/proposals/").status_code == 302

    [message] = _sent(app, smtp_server)
    assert message["To"] == "noor@example.ac.uk"
    path = _link(message)
    token = path.rsplit("/", 1)[1]
    # Only the token's hash is stored; no audit event holds the token.
    row = db.session.scalar(select(EmailVerification))
    assert row.token_hash == token_hash(token) and token not in row.token_hash
    assert row.expires_at - row.created_at == timedelta(hours=24)
    for event in db.session.scalars(select(AuditEvent)):
        assert token not in (event.summary or "") + str(event.detail)
    # The stored copy of the mail does not hold the live link either.
    assert all(token not in m.body for m in db.session.scalars(select(OutboxMessage)))

    # Opening the link (as a mail scanner would) spends nothing; the wrong password spends nothing.
    assert client.get(path).status_code == 200
    wrong = client.post(path, data={"password": "not the password at all"})
    assert wrong.status_code == 400 and "not the password this account was created with" in wrong.get_data(as_text=True)
    done = client.post(path, data={"password": PASSWORD}, follow_redirects=True)
    assert "Your email address is confirmed" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).is_verified

    # Single use.
    again = client.get(path)
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)

    signed_in = client.post("/auth/sign-in", data={"email": "noor@example.ac.uk", "password": PASSWORD},
                            follow_redirects=True)
    assert "Welcome, Noor Haddad" in signed_in.get_data(as_text=True)
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[:3] == ["account.created", "account.verification_sent", "account.verified"]


def test_the_answer_is_the_same_for_a_new_and_an_existing_address(app, client, smtp_server):
    owner = make_user(email="taken@example.ac.uk", name="Tara Taken")
    new = client.post("/auth/sign-up", data=_form("fresh@example.ac.uk"))
    existing = client.post("/auth/sign-up", data=_form("TAKEN@example.ac.uk"))
    assert new.status_code == existing.status_code == 200
    assert _main(new.get_data(as_text=True)) == _main(existing.get_data(as_text=True))

    # The owner's account is unchanged, and they get an email saying they have an account.
    db.session.expire_all()
    assert db.session.get(User, owner.id).name == "Tara Taken"
    client.post("/auth/sign-in", data={"email": "taken@example.ac.uk", "password": DEFAULT_PASSWORD})
    messages = {m["To"]: m for m in _sent(app, smtp_server)}
    assert set(messages) == {"fresh@example.ac.uk", "taken@example.ac.uk"}
    assert "you already have one" in _text(messages["taken@example.ac.uk"])
    assert "/auth/verify/" not in _text(messages["taken@example.ac.uk"])
    assert db.session.scalar(select(EmailVerification.id).where(EmailVerification.user_id == owner.id)) is None


def test_a_second_sign_up_before_confirming_replaces_the_first_link(app, client, smtp_server):
    client.post("/auth/sign-up", data=_form("twice@example.ac.uk"))
    client.post("/auth/sign-up", data=_form("twice@example.ac.uk", password="another long passphrase",
                                            confirm="another long passphrase"))
    first, second = _sent(app, smtp_server)
    assert client.get(_link(first)).status_code == 400
    assert client.get(_link(second)).status_code == 200
    # The details of the latest sign-up count.
    done = client.post(_link(second), data={"password": "another long passphrase"})
    assert done.status_code == 303


def test_an_expired_link_is_refused_and_a_new_one_can_be_asked_for(app, client, smtp_server):
    client.post("/auth/sign-up", data=_form("late@example.ac.uk"))
    [message] = _sent(app, smtp_server)
    row = db.session.scalar(select(EmailVerification))
    row.expires_at = row.created_at - timedelta(seconds=1)
    db.session.commit()
    expired = client.post(_link(message), data={"password": PASSWORD})
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "late@example.ac.uk")).verified_at is None

    # Re-sending answers the same for an unknown address, and mails only the unverified account.
    resent = client.post("/auth/sign-up/resend", data={"email": "late@example.ac.uk"})
    unknown = client.post("/auth/sign-up/resend", data={"email": "nobody@example.ac.uk"})
    assert _main(resent.get_data(as_text=True)) == _main(unknown.get_data(as_text=True))
    later = _sent(app, smtp_server)
    assert [m["To"] for m in later] == ["late@example.ac.uk", "late@example.ac.uk"]
    done = client.post(_link(later[-1]), data={"password": PASSWORD}, follow_redirects=True)
    assert "Your email address is confirmed" in done.get_data(as_text=True)


def test_an_unknown_link_is_refused(client):
    response = client.get("/auth/verify/not-a-real-token")
    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)


def test_people_made_in_code_count_as_verified(app):
    user = make_user()
    assert user.verified_at is not None and user.is_active


def test_the_migration_counts_existing_people_as_verified(tmp_path):
    """Upgrading a database that already has people leaves them able to sign in."""
    import sqlite3

    from tests.test_cli import _flask
    assert _flask(tmp_path, "db", "upgrade", "0010").returncode == 0
    database = tmp_path / "cli.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO users (email, name, job_title, department, campus, password_hash, "
                           "is_active_account, created_at, wants_reminders) VALUES ('old@example.ac.uk', 'Old', "
                           "'', '', '', 'x', 1, '2025-01-02 03:04:05.000000', 1)")
    upgrade = _flask(tmp_path, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    with sqlite3.connect(database) as connection:
        verified, expires = connection.execute("SELECT verified_at, expires_at FROM users").fetchone()
    assert verified is not None and verified.startswith("2025-01-02") and expires is None
