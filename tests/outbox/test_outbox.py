"""The outbox keeps mail when SMTP is down, retries with backoff and never sends twice."""
from __future__ import annotations

import socket
from datetime import timedelta

from portal.auth.models import Role
from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.models import OutboxMessage, OutboxStatus
from portal.outbox.services import queue_email, send_pending
from tests.factories import make_user


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_mail_is_kept_and_retried_when_smtp_is_down(app, smtp_server):
    queue_email("a@example.ac.uk", "Hello", "Body text")
    db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port())
    report = send_pending()
    assert (report.sent, report.retried) == (0, 1)
    message = db.session.query(OutboxMessage).one()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at > utcnow()
    assert "ConnectionRefusedError" in message.last_error

    # Not due yet: nothing is tried.
    app.config.update(MAIL_PORT=smtp_server.port)
    assert send_pending().sent == 0
    # Once due, it goes, once.
    assert send_pending(now=utcnow() + timedelta(minutes=5)).sent == 1
    assert send_pending(now=utcnow() + timedelta(hours=1)).sent == 0
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["Subject"] == "Hello"


def test_message_fails_after_max_attempts(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), OUTBOX_MAX_ATTEMPTS=2)
    queue_email("a@example.ac.uk", "Hello", "Body")
    db.session.commit()
    send_pending()
    send_pending(now=utcnow() + timedelta(hours=1))
    message = db.session.query(OutboxMessage).one()
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == 2


def test_without_mail_server_mail_stays_and_leads_can_read_it(client, login_as):
    queue_email("someone@example.ac.uk", "Your outcome", "Dear someone, you were selected.")
    db.session.commit()
    assert send_pending().skipped_no_server
    login_as(Role.LEAD)
    listing = client.get("/admin/outbox").get_data(as_text=True)
    assert "Your outcome" in listing and "No mail server is configured" in listing
    message = db.session.query(OutboxMessage).one()
    page = client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert "Dear someone, you were selected." in page


def test_dedupe_key_queues_once(app):
    assert queue_email("a@example.ac.uk", "Reminder", "x", dedupe_key="reminder:1") is not None
    db.session.commit()
    assert queue_email("a@example.ac.uk", "Reminder", "x", dedupe_key="reminder:1") is None


def test_calendar_invitation_is_attached(app, smtp_server):
    ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    queue_email("a@example.ac.uk", "Invitation", "See attached", ics=ics, ics_method="REQUEST")
    db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    assert send_pending().sent == 1
    parts = [p for p in smtp_server.messages[0].walk() if p.get_content_type() == "text/calendar"]
    assert parts and parts[0].get_param("method") == "REQUEST"
