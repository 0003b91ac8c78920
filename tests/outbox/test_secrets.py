"""Secret links in mail: masked in the outbox and on its page, sent whole over real SMTP, blanked once sent."""
from __future__ import annotations

import base64
import email
import re
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.auth.services import PASSWORD_RESET_MAIL, request_password_reset
from portal.extensions import db
from portal.outbox.models import OutboxMessage, OutboxStatus
from portal.outbox.secrets import MASK
from portal.outbox.services import queue_email, send_pending
from tests.factories import make_user

LINK = re.compile(r"https?://\S+/auth/reset/(\S+)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Collector:
    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(app):
    handler = _Collector()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        yield handler
    finally:
        controller.stop()


def _reset_message() -> OutboxMessage:
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == PASSWORD_RESET_MAIL))


def _everything_stored() -> str:
    rows = [(m.subject, m.body, m.secret_parts or "") for m in db.session.scalars(select(OutboxMessage))]
    rows += [(a.action, a.summary, repr(a.detail)) for a in db.session.scalars(select(AuditEvent))]
    return repr(rows)


def test_the_outbox_page_shows_a_reset_mail_without_a_usable_link(client, login_as):
    ann = make_user(email="ann@example.ac.uk")
    request_password_reset(ann.email)
    db.session.commit()
    message = _reset_message()
    assert MASK in message.body and "/auth/reset/" not in message.body
    login_as(Role.LEAD)
    page = client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert "link removed: sent only to the recipient" in page and "/auth/reset/" not in page
    listing = client.get("/admin/outbox").get_data(as_text=True)
    assert "/auth/reset/" not in listing


def test_the_recipient_gets_the_working_link_by_real_smtp_and_it_is_blanked_once_sent(app, client, smtp):
    ann = make_user(email="ann@example.ac.uk")
    request_password_reset(ann.email)
    db.session.commit()
    sealed = _reset_message().secret_parts
    assert sealed and "/auth/reset/" not in sealed  # kept, but only encrypted

    assert send_pending().sent == 1
    [received] = smtp.messages
    token = LINK.search(received.get_payload(decode=True).decode()).group(1)
    assert MASK not in received.get_payload(decode=True).decode()
    message = _reset_message()
    db.session.refresh(message)
    assert message.status == OutboxStatus.SENT and message.secret_parts is None
    # Nowhere in the outbox or the audit log is the token, before or after it is used.
    assert token not in _everything_stored()

    assert client.get(f"/auth/reset/{token}").status_code == 200
    done = client.post(f"/auth/reset/{token}", data={"password": "a brand new long passphrase",
                                                      "confirm": "a brand new long passphrase"})
    assert done.status_code == 303
    assert client.get(f"/auth/reset/{token}").status_code == 400  # used once, spent
    assert token not in _everything_stored()


def test_a_reset_link_does_not_carry_any_part_of_the_password_hash(app, smtp):
    ann = make_user(email="ann@example.ac.uk")
    request_password_reset(ann.email)
    db.session.commit()
    send_pending()
    body = smtp.messages[0].get_payload(decode=True).decode()
    token = LINK.search(body).group(1)
    payload = token.split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert ann.password_hash[-16:] not in decoded and ann.password_hash[-8:] not in decoded


def test_any_mail_can_hide_several_links_and_each_goes_back_in_its_place(app, smtp):
    body = "First https://x.example/a?t=1\nSecond https://x.example/b?t=2\nAgain https://x.example/a?t=1\n"
    message = queue_email("bob@example.ac.uk", "Links", body,
                          secret_links=["https://x.example/a?t=1", "https://x.example/b?t=2"])
    db.session.commit()
    assert message.body == f"First {MASK}\nSecond {MASK}\nAgain {MASK}\n"
    send_pending()
    assert smtp.messages[0].get_payload(decode=True).decode().replace("\r\n", "\n") == body


def test_a_link_to_hide_must_be_in_the_body(app):
    with pytest.raises(ValueError):
        queue_email("bob@example.ac.uk", "Oops", "No link here", secret_links=["https://x.example/secret"])


def test_a_hidden_link_sealed_under_another_secret_key_fails_the_message_instead_of_sending_a_mask(app, smtp):
    queue_email("bob@example.ac.uk", "Link", "Go to https://x.example/s3cret now", secret_links=["https://x.example/s3cret"])
    db.session.commit()
    app.config["SECRET_KEY"] = "another secret key that is long enough to pass"
    report = send_pending()
    message = db.session.scalar(select(OutboxMessage))
    assert (report.sent, report.failed, smtp.messages) == (0, 1, [])
    assert message.status == OutboxStatus.FAILED and message.secret_parts is None
