"""One outbox sender at a time per database: a PostgreSQL advisory lock, or a lease row elsewhere."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.outbox.models import OutboxSenderLock

LOCK_NAME = "outbox.send"
# Any fixed 64-bit number will do, as long as every sender of one database uses the same one.
ADVISORY_KEY = 0x6F7574626F78  # "outbox" in ASCII


@dataclass(frozen=True)
class HeldLock:
    """The lock this run holds. `renew(at)` is called after each message and says whether it still holds it."""

    renew: Callable[[datetime], bool]


def lease() -> timedelta:
    """How long a claim or the lease row lasts without news from its sender (OUTBOX_CLAIM_TIMEOUT seconds)."""
    return timedelta(seconds=int(current_app.config["OUTBOX_CLAIM_TIMEOUT"]))


@contextmanager
def sender_lock(now: datetime) -> Iterator[HeldLock | None]:
    """Yield a HeldLock when this run may send, or None when another sender is running.

    Side effect on SQLite: the lease row is written and removed in their own commits.
    """
    if db.engine.dialect.name == "postgresql":
        with _advisory_lock() as held:
            yield held
    else:
        with _lease_row(now) as held:
            yield held


@contextmanager
def _advisory_lock() -> Iterator[HeldLock | None]:
    # Its own connection: the session hands its connection back to the pool at every commit, and a
    # session-level advisory lock belongs to one connection. The server drops it if the process dies.
    connection = db.engine.connect()
    try:
        held = connection.scalar(select(func.pg_try_advisory_lock(ADVISORY_KEY)))
        connection.commit()
        if not held:
            yield None
            return
        try:
            yield HeldLock(renew=lambda at: True)
        finally:
            connection.scalar(select(func.pg_advisory_unlock(ADVISORY_KEY)))
            connection.commit()
    except BaseException:
        # Never hand a connection that may still hold the lock back to the pool.
        connection.invalidate()
        raise
    finally:
        connection.close()


@contextmanager
def _lease_row(now: datetime) -> Iterator[HeldLock | None]:
    holder = uuid.uuid4().hex
    if not _take_lease(holder, now):
        yield None
        return
    try:
        yield HeldLock(renew=lambda at: _renew_lease(holder, at))
    finally:
        db.session.rollback()
        db.session.execute(delete(OutboxSenderLock).where(OutboxSenderLock.name == LOCK_NAME,
                                                          OutboxSenderLock.holder == holder))
        db.session.commit()


def _take_lease(holder: str, now: datetime) -> bool:
    # The write comes first in its transaction, so SQLite takes its write lock at once and two
    # senders queue on it; the second then finds the lease current (or the row already there).
    db.session.commit()
    taken = db.session.execute(
        update(OutboxSenderLock).where(OutboxSenderLock.name == LOCK_NAME, OutboxSenderLock.expires_at <= now)
        .values(holder=holder, expires_at=now + lease())).rowcount
    if not taken:
        try:
            db.session.execute(insert(OutboxSenderLock).values(name=LOCK_NAME, holder=holder,
                                                               expires_at=now + lease()))
        except IntegrityError:
            db.session.rollback()
            return False
    db.session.commit()
    return True


def _renew_lease(holder: str, at: datetime) -> bool:
    kept = db.session.execute(
        update(OutboxSenderLock).where(OutboxSenderLock.name == LOCK_NAME, OutboxSenderLock.holder == holder)
        .values(expires_at=at + lease())).rowcount
    db.session.commit()
    return bool(kept)
