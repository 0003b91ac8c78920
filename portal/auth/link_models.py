"""One-time links sent by email: sign-up address checks and invitations of external people."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import Role, User
from portal.db_types import UTCDateTime, str_enum, utcnow
from portal.extensions import db
from portal.timeutil import to_local


class EmailVerification(db.Model):
    """A link that proves a new account's address: the random token is kept only as its SHA-256."""

    __tablename__ = "email_verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class Invitation(db.Model):
    """A lead's invitation of an external person to an account with one role that expires."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # None: staff only (everyone who signs in is staff).
    role: Mapped[Role | None] = mapped_column(str_enum(Role))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    account_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def status(self) -> str:
        """"used", "expired" or "pending"."""
        if self.used_at is not None:
            return "used"
        if self.expires_at <= utcnow():
            return "expired"
        return "pending"

    @property
    def account_last_day(self) -> date:
        """The last day (in the institution's zone) the invited account works."""
        return to_local(self.account_expires_at - timedelta(seconds=1)).date()
