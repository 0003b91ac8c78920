"""Queueing mail in the outbox and sending it with retries and backoff."""
from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import select, update

from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.models import OutboxMessage, OutboxStatus


def queue_email(recipient: str, subject: str, body: str, *, kind: str = "", dedupe_key: str | None = None,
                ics: str | None = None, ics_method: str | None = None) -> OutboxMessage | None:
    """Add an email to the outbox in the caller's transaction.

    With a dedupe_key, a second message with the same key is not queued (returns None),
    which is how reminders are sent once across runs.
    """
    if dedupe_key is not None:
        exists = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
        if exists:
            return None
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2] or "localhost"
    message = OutboxMessage(
        recipient=recipient, subject=subject, body=body, kind=kind, dedupe_key=dedupe_key,
        ics=ics, ics_method=ics_method, message_id=make_msgid(idstring=uuid.uuid4().hex[:12], domain=domain),
    )
    db.session.add(message)
    return message


def backoff(attempts: int) -> timedelta:
    """Delay before the next try: 1, 2, 4, 8… minutes, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def build_email(message: OutboxMessage) -> EmailMessage:
    """The RFC 5322 message for an outbox row, with its calendar part if it has one."""
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id or make_msgid()
    email.set_content(message.body)
    if message.ics:
        method = message.ics_method or "PUBLISH"
        # Outlook and Google read an invitation from a text/calendar alternative with METHOD.
        email.add_alternative(message.ics, subtype="calendar", params={"method": method})
        email.add_attachment(message.ics.encode("utf-8"), maintype="application", subtype="ics",
                             filename="invite.ics")
    return email


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped_no_server: bool = False


def _connect():
    cfg = current_app.config
    if cfg["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"],
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"])
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
    if cfg["MAIL_USERNAME"]:
        smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
    return smtp


def send_pending(now: datetime | None = None, limit: int = 200) -> SendReport:
    """Send due outbox messages.

    Each message is claimed (pending -> sending) in its own committed update before it
    is handed to SMTP, so two senders running at once never send the same message.
    A failure puts the message back to pending with exponential backoff; after
    OUTBOX_MAX_ATTEMPTS it is marked failed and shown to leads.
    """
    report = SendReport()
    if not current_app.config.get("MAIL_SERVER"):
        report.skipped_no_server = True
        return report
    now = now or utcnow()
    due_ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id).limit(limit)
    ).all()
    if not due_ids:
        return report
    smtp = None
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    try:
        for message_id in due_ids:
            claimed = db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING)
                .values(status=OutboxStatus.SENDING, attempts=OutboxMessage.attempts + 1)
            ).rowcount
            db.session.commit()
            if not claimed:
                continue
            message = db.session.get(OutboxMessage, message_id)
            try:
                if smtp is None:
                    smtp = _connect()
                smtp.send_message(build_email(message))
            except (smtplib.SMTPException, OSError) as exc:
                smtp = None
                message.last_error = f"{type(exc).__name__}: {exc}"[:500]
                if message.attempts >= max_attempts:
                    message.status = OutboxStatus.FAILED
                    report.failed += 1
                else:
                    message.status = OutboxStatus.PENDING
                    message.next_attempt_at = utcnow() + backoff(message.attempts)
                    report.retried += 1
            else:
                message.status = OutboxStatus.SENT
                message.sent_at = utcnow()
                message.last_error = ""
                report.sent += 1
            db.session.commit()
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
    return report


def retry_message(message: OutboxMessage) -> OutboxMessage:
    """Put a failed message back in the queue (lead action)."""
    message.status = OutboxStatus.PENDING
    message.next_attempt_at = utcnow()
    message.attempts = 0
    return message
