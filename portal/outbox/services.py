"""Queueing mail in the outbox and sending it with retries and backoff."""
from __future__ import annotations

import smtplib
import ssl
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import or_, select, update

from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.lock import HeldLock, lease, sender_lock
from portal.outbox.models import OutboxMessage, OutboxStatus
from portal.outbox.secrets import SecretUnreadable, mask_secrets, unmask


# What a blanked message says instead of its subject and body.
REMOVED = "(removed after the retention period)"


def queue_email(recipient: str, subject: str, body: str, *, kind: str = "", dedupe_key: str | None = None,
                ics: str | None = None, ics_method: str | None = None,
                secret_links: Sequence[str] = ()) -> OutboxMessage | None:
    """Add an email to the outbox in the caller's transaction.

    With a dedupe_key, a second message with the same key is not queued (returns None),
    which is how reminders are sent once across runs. Each string in secret_links (a reset,
    verification or invitation link that appears in the body) is never stored readable: the kept
    body shows secrets.MASK in its place, and the link is kept encrypted only until it is sent.
    """
    if dedupe_key is not None:
        exists = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
        if exists:
            return None
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2] or "localhost"
    body, sealed = mask_secrets(body, secret_links)
    message = OutboxMessage(
        recipient=recipient, subject=subject, body=body, secret_parts=sealed, kind=kind, dedupe_key=dedupe_key,
        ics=ics, ics_method=ics_method, message_id=make_msgid(idstring=uuid.uuid4().hex[:12], domain=domain),
    )
    db.session.add(message)
    return message


def backoff(attempts: int) -> timedelta:
    """Delay before the next try: 1, 2, 4, 8… minutes, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def build_email(message: OutboxMessage) -> EmailMessage:
    """The RFC 5322 message for an outbox row, with its calendar part if it has one.

    Hidden links are put back in (SecretUnreadable when they cannot be).
    """
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id or make_msgid()
    email.set_content(unmask(message.body, message.secret_parts))
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
    reclaimed: int = 0  # claims left by a sender that died, put back in the queue
    deferred: int = 0  # due messages not tried because the SMTP server could not be reached
    stopped: bool = False  # the run stopped at a connection failure
    locked_out: bool = False  # another sender was running, so this run did nothing
    skipped_no_server: bool = False


# Refusals of one message on a working connection; anything else means the connection is gone.
_MESSAGE_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


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
    """Send due outbox messages; commits each claim and each result itself.

    One sender runs at a time per database (sender_lock); a second one started meanwhile does nothing
    and says so. Claims older than OUTBOX_CLAIM_TIMEOUT, left by a sender that was killed, go back
    in the queue first. Each message is claimed (pending -> sending) in its own committed update
    before it is handed to SMTP. A refused message goes back to pending with exponential backoff;
    after OUTBOX_MAX_ATTEMPTS it is marked failed and shown to leads. When the server cannot be
    reached the run stops at once: the message tried counts the attempt and the rest of the queue
    waits as long as it does, so a run never waits out one connection timeout per message.
    """
    report = SendReport()
    if not current_app.config.get("MAIL_SERVER"):
        report.skipped_no_server = True
        return report
    start, started = now or utcnow(), utcnow()

    def clock() -> datetime:
        return start + (utcnow() - started)

    with sender_lock(start) as lock:
        if lock is None:
            report.locked_out = True
            return report
        report.reclaimed = reclaim_stale_claims(start)
        db.session.commit()
        _send_due(report, lock, clock, limit)
    return report


def reclaim_stale_claims(now: datetime) -> int:
    """Put messages claimed longer than OUTBOX_CLAIM_TIMEOUT ago back in the queue; returns how many.

    Only the sender holding the lock calls this, so such a claim's sender is gone. Caller commits.
    """
    stale = or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - lease())
    return db.session.execute(
        update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENDING, stale)
        .values(status=OutboxStatus.PENDING, next_attempt_at=now,
                last_error="The sender stopped before it finished; sent again.")).rowcount


def _send_due(report: SendReport, lock: HeldLock, clock, limit: int) -> None:
    due_ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= clock())
        .order_by(OutboxMessage.id).limit(limit)
    ).all()
    db.session.commit()
    smtp = None
    try:
        for message_id in due_ids:
            claimed = db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING)
                .values(status=OutboxStatus.SENDING, attempts=OutboxMessage.attempts + 1, claimed_at=clock())
            ).rowcount
            db.session.commit()
            if not claimed:
                continue
            message = db.session.get(OutboxMessage, message_id)
            try:
                email = build_email(message)
            except SecretUnreadable as exc:
                message.status = OutboxStatus.FAILED
                message.secret_parts = None
                message.last_error = str(exc)
                report.failed += 1
                db.session.commit()
                continue
            try:
                if smtp is None:
                    smtp = _connect()
                smtp.send_message(email)
            except _MESSAGE_REFUSED as exc:
                _try_again_later(report, message, exc, clock())
            except (smtplib.SMTPException, OSError) as exc:
                smtp = None
                retry_at = _try_again_later(report, message, exc, clock())
                report.deferred = _defer_queue(retry_at)
                report.stopped = True
                db.session.commit()
                return
            else:
                message.status = OutboxStatus.SENT
                message.secret_parts = None  # delivered: the only copy of a hidden link is the recipient's
                message.sent_at = clock()
                message.last_error = ""
                report.sent += 1
            db.session.commit()
            if not lock.renew(clock()):
                return  # the lease lapsed and another sender may have it: stop rather than race it
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass


def _try_again_later(report: SendReport, message: OutboxMessage, exc: Exception, now: datetime) -> datetime:
    message.last_error = f"{type(exc).__name__}: {exc}"[:500]
    if message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        message.status = OutboxStatus.FAILED
        report.failed += 1
    else:
        message.status = OutboxStatus.PENDING
        message.next_attempt_at = now + backoff(message.attempts)
        report.retried += 1
    return now + backoff(message.attempts)


def _defer_queue(until: datetime) -> int:
    # The server is down for every message alike: the others wait with the one that was tried, and
    # keep their attempts, rather than each spending one on the same outage.
    return db.session.execute(
        update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING,
                                    OutboxMessage.next_attempt_at < until)
        .values(next_attempt_at=until)).rowcount


def blank_sent_before(cutoff: datetime) -> int:
    """Remove the recipient, subject, body and invitation of mail sent or given up on before `cutoff`.

    For retention. The row stays, with its kind, dates and dedupe key, so a reminder still goes only
    once and the outbox still counts it. Returns how many were blanked. Caller commits.
    """
    return db.session.execute(
        update(OutboxMessage).where(OutboxMessage.status.in_((OutboxStatus.SENT, OutboxStatus.FAILED)),
                                    OutboxMessage.created_at < cutoff, OutboxMessage.body != REMOVED)
        .values(recipient="", subject=REMOVED, body=REMOVED, secret_parts=None, ics=None, ics_method=None,
                last_error="")).rowcount


def retry_message(message: OutboxMessage) -> OutboxMessage:
    """Put a failed message back in the queue (lead action)."""
    message.status = OutboxStatus.PENDING
    message.next_attempt_at = utcnow()
    message.attempts = 0
    return message
