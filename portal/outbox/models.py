"""Outgoing email, queued in the same transaction as the change that causes it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_types import LabelledEnum, UTCDateTime, str_enum, utcnow
from portal.extensions import db


class OutboxStatus(LabelledEnum):
    """Where a message is on its way out: waiting, claimed by a sender, sent, or given up on."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # The secret links masked out of body (outbox.secrets), encrypted with a key derived from SECRET_KEY;
    # blanked once the message is sent, so a live link is never kept readable.
    secret_parts: Mapped[str | None] = mapped_column(Text)
    # Optional calendar attachment (text/calendar) and its METHOD (REQUEST, CANCEL, PUBLISH).
    ics: Mapped[str | None] = mapped_column(Text)
    ics_method: Mapped[str | None] = mapped_column(String(20))
    # What caused this mail, so reminders can be sent once only.
    kind: Mapped[str] = mapped_column(String(60), default="", index=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(str_enum(OutboxStatus), default=OutboxStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    # When a sender claimed it (pending -> sending): a claim older than OUTBOX_CLAIM_TIMEOUT was left by
    # a sender that died, and the next run puts the message back in the queue.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[str] = mapped_column(String(200), default="")


class OutboxSenderLock(db.Model):
    """The one sender allowed to run, on databases without advisory locks (SQLite): a lease that
    the holder renews after each message and that lapses by itself if the holder dies."""

    __tablename__ = "outbox_sender_locks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
