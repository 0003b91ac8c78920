"""One sender at a time, a stopped run when SMTP is down, and claims a killed sender left behind."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.lock import lease
from portal.outbox.models import OutboxMessage, OutboxStatus
from portal.outbox.services import queue_email, send_pending

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _SlowCollector:
    """A real SMTP server's handler that takes a moment over each message and notes the connection."""

    def __init__(self, delay: float):
        self.delay = delay
        self.received: list[tuple[str, tuple]] = []  # (subject, the client's address and port)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        time.sleep(self.delay)  # blocks the server's loop on purpose: a slow relay
        subject = next(line for line in envelope.content.decode().splitlines() if line.startswith("Subject:"))
        with self.lock:
            self.received.append((subject.removeprefix("Subject: "), session.peer))
        return "250 Message accepted for delivery"


@pytest.fixture
def slow_smtp():
    handler = _SlowCollector(delay=0.05)
    handler.port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


def _queue(count: int) -> list[str]:
    subjects = [f"Message {n}" for n in range(count)]
    for subject in subjects:
        queue_email("someone@example.ac.uk", subject, "Body")
    db.session.commit()
    return subjects


def _two_senders(app, now=None):
    """Start two senders together, each in its own thread, app context and database session."""
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def sender():
        with app.app_context():
            try:
                barrier.wait()
                reports.append(send_pending(now=now))
            except Exception as exc:  # surfaced below: a thread's exception would otherwise vanish
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(reports) == 2
    return reports


def test_two_senders_started_together_send_each_message_once_over_one_connection(app, slow_smtp):
    subjects = _queue(12)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=slow_smtp.port)
    reports = _two_senders(app)
    assert sorted(subject for subject, _peer in slow_smtp.received) == sorted(subjects)
    assert sorted(r.locked_out for r in reports) == [False, True]
    assert sum(r.sent for r in reports) == 12
    assert len({peer for _subject, peer in slow_smtp.received}) == 1  # one sender, one connection
    assert set(db.session.scalars(select(OutboxMessage.status))) == {OutboxStatus.SENT}


def test_with_the_server_down_a_run_stops_at_once_then_every_message_goes_once(app, slow_smtp):
    subjects = _queue(5)
    down = _free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=down)
    report = send_pending()
    assert (report.sent, report.retried, report.stopped, report.deferred) == (0, 1, True, 4)
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    # One connection tried, one attempt spent; the others wait as long as the one that was tried.
    assert [m.attempts for m in messages] == [1, 0, 0, 0, 0]
    assert len({m.next_attempt_at for m in messages}) == 1 and messages[0].next_attempt_at > utcnow()
    assert all(m.status == OutboxStatus.PENDING for m in messages)

    # Two senders together while it is still down: still one attempt between them, nothing sent.
    _two_senders(app, now=utcnow() + timedelta(minutes=2))
    db.session.expire_all()
    assert sum(m.attempts for m in db.session.scalars(select(OutboxMessage))) == 2

    # The server is back: two senders together send every message exactly once.
    app.config.update(MAIL_PORT=slow_smtp.port)
    reports = _two_senders(app, now=utcnow() + timedelta(minutes=10))
    assert sum(r.sent for r in reports) == 5
    assert send_pending(now=utcnow() + timedelta(hours=7)).sent == 0
    assert sorted(subject for subject, _peer in slow_smtp.received) == sorted(subjects)
    db.session.expire_all()
    assert set(db.session.scalars(select(OutboxMessage.status))) == {OutboxStatus.SENT}


def _status() -> OutboxStatus:
    status = db.session.scalar(select(OutboxMessage.status))
    db.session.commit()  # end the read, so the next one sees the other process's commits
    return status


def test_a_claim_left_by_a_killed_sender_is_sent_after_the_timeout(app, database_url, slow_smtp):
    queue_email("someone@example.ac.uk", "Left sending", "Body")
    db.session.commit()
    # A server that accepts the connection and never greets: the sender claims, then hangs in connect.
    hang = socket.socket()
    hang.bind(("127.0.0.1", 0))
    hang.listen(1)
    env = dict(os.environ, DATABASE_URL=database_url, PORTAL_MAIL_SERVER="127.0.0.1",
               PORTAL_MAIL_PORT=str(hang.getsockname()[1]), PORTAL_MAIL_TIMEOUT="120")
    sender = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "send"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while _status() != OutboxStatus.SENDING:
            assert sender.poll() is None and time.monotonic() < deadline, "the sender never claimed the message"
            time.sleep(0.1)
    finally:
        sender.kill()
        sender.wait()
        hang.close()

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=slow_smtp.port)
    assert send_pending().sent == 0  # a fresh claim may belong to a sender that is still working
    assert _status() == OutboxStatus.SENDING
    report = send_pending(now=utcnow() + lease() + timedelta(seconds=1))
    assert (report.reclaimed, report.sent) == (1, 1)
    assert send_pending(now=utcnow() + timedelta(hours=1)).sent == 0
    assert [subject for subject, _peer in slow_smtp.received] == ["Left sending"]
    message = db.session.scalar(select(OutboxMessage))
    db.session.refresh(message)
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)


def test_the_command_reports_a_run_stopped_by_a_mail_server_that_is_down(app, slow_smtp):
    _queue(1)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=slow_smtp.port)
    runner = app.test_cli_runner()
    assert "sent 1, will retry 0, failed 0" in runner.invoke(args=["outbox", "send"]).output
    app.config.update(MAIL_PORT=_free_port())
    _queue(2)
    output = runner.invoke(args=["outbox", "send"]).output
    assert "the mail server could not be reached, so the run stopped (1 waiting)" in output
