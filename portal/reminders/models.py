"""Award holders' opt-in reminders of the awarding body's annual fee and three-yearly review."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_types import UTCDateTime, utcnow
from portal.extensions import db


class AwardReminders(db.Model):
    """One holder's choice; absent means no award reminders (they are opt-in)."""

    __tablename__ = "award_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # Anniversaries are counted from this day.
    awarded_on: Mapped[date] = mapped_column(Date)
    membership_fee: Mapped[bool] = mapped_column(default=False)
    portfolio_review: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
