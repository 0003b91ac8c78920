"""Sessions, office-hours blocks, bookings, personal feed tokens, term weeks and notice rules."""
from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, Index, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db_types import LabelledEnum, UTCDateTime, str_enum, utcnow
from portal.extensions import db


_enum = str_enum


class SessionKind(LabelledEnum):
    INTRO = "intro", "Intro session"
    WORKSHOP = "workshop"
    OFFICE_HOURS = "office_hours"
    DEADLINE = "deadline"
    OTHER = "other"


class SessionStatus(LabelledEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Audience(LabelledEnum):
    """Who may see and book a session."""

    EVERYONE = "everyone"
    APPLICANTS = "applicants", "The round's applicants"  # people with a non-draft proposal in the session's round
    COHORT = "cohort", "The round's cohort"  # people selected in the session's round


class BookingStatus(LabelledEnum):
    BOOKED = "booked"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


def new_uid() -> str:
    return f"{uuid.uuid4()}@cohort-portal"


class OfficeHoursBlock(db.Model):
    """A recurring office-hours block entered once (e.g. Tue 14:00-16:00 for 6 weeks), split into slots."""

    __tablename__ = "office_hours_blocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    first_day: Mapped[date] = mapped_column(Date)
    # Times of day on the institution's wall clock, with no zone: every week's slots start at the same
    # local time, whichever side of a clock change the week falls (migration 0009 made them Time columns).
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    weeks: Mapped[int] = mapped_column(default=1)
    slot_minutes: Mapped[int] = mapped_column(default=20)
    # How many slots one person may hold in this block.
    per_person: Mapped[int] = mapped_column(default=1)
    location: Mapped[str] = mapped_column(String(200), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    audience: Mapped["Audience"] = mapped_column(_enum(Audience), default=Audience.EVERYONE)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), index=True)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    host = relationship("User")
    round = relationship("Round")
    sessions: Mapped[list["Session"]] = relationship(back_populates="block", order_by="Session.starts_at")


class Session(db.Model):
    """Anything on the schedule. Times are UTC instants; all-day sessions span whole local days."""

    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_starts_at_status", "starts_at", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SessionKind] = mapped_column(_enum(SessionKind), default=SessionKind.OTHER, index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    all_day: Mapped[bool] = mapped_column(default=False)
    location: Mapped[str] = mapped_column(String(200), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None] = mapped_column()
    # Places taken, kept in step with BOOKED bookings by the booking service; the conditional
    # UPDATE on this counter is what keeps capacity exact under concurrent booking.
    booked_count: Mapped[int] = mapped_column(default=0)
    audience: Mapped[Audience] = mapped_column(_enum(Audience), default=Audience.EVERYONE)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), index=True)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    block_id: Mapped[int | None] = mapped_column(ForeignKey("office_hours_blocks.id"), index=True)
    status: Mapped[SessionStatus] = mapped_column(_enum(SessionStatus), default=SessionStatus.SCHEDULED, index=True)
    # iCal: UID never changes; SEQUENCE grows on each change calendars should notice.
    uid: Mapped[str] = mapped_column(String(120), unique=True, default=new_uid)
    sequence: Mapped[int] = mapped_column(default=0)
    series_number: Mapped[int | None] = mapped_column()
    series_total: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    host = relationship("User")
    round = relationship("Round")
    block: Mapped[OfficeHoursBlock | None] = relationship(back_populates="sessions")
    bookings: Mapped[list["Booking"]] = relationship(back_populates="session", order_by="Booking.id")

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def places_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.booked_count, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.booked_count >= self.capacity

    @property
    def bookable_kind(self) -> bool:
        return self.kind != SessionKind.DEADLINE

    @property
    def display_title(self) -> str:
        if self.series_number and self.series_total:
            return f"{self.title} ({self.kind.label} {self.series_number} of {self.series_total})"
        return self.title


class Booking(db.Model):
    """One person's place (or waitlist entry) on a session; never deleted, only cancelled."""

    __tablename__ = "bookings"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[BookingStatus] = mapped_column(_enum(BookingStatus), default=BookingStatus.BOOKED, index=True)
    attended: Mapped[bool | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Waitlist order: earliest waitlisted_at first (id breaks ties).
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Highest iCal SEQUENCE sent to this person in an invitation, so a re-invitation after a
    # cancellation always carries a higher one than the CANCEL did.
    invite_sequence: Mapped[int | None] = mapped_column()
    attendance_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    session: Mapped[Session] = relationship(back_populates="bookings")
    user = relationship("User", foreign_keys=[user_id])


class BlockWaitlistEntry(db.Model):
    """Someone waiting for any slot in a full office-hours block; offered the first slot that frees up."""

    __tablename__ = "office_hours_waitlist"
    __table_args__ = (UniqueConstraint("block_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    block_id: Mapped[int] = mapped_column(ForeignKey("office_hours_blocks.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the person got a slot or left the waitlist.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    block: Mapped[OfficeHoursBlock] = relationship()
    user = relationship("User")


class FeedToken(db.Model):
    """A personal calendar feed's secret; each feed has its own, revocable one by one.

    Only the SHA-256 of the secret is kept (token_hash). Setting `token` (a new link) sets the hash and
    keeps the secret on this object alone, so the page that created it can show the link once.
    """

    __tablename__ = "feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # "personal" (everything of theirs) or "cohort" (the cohort's programme for round_id).
    scope: Mapped[str] = mapped_column(String(20), default="personal")
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(80), default="My calendar")
    # Minutes before each event for a reminder alarm (None: no alarm).
    alarm_minutes: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
    round = relationship("Round")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def token(self) -> str | None:
        """The secret, only on the object that was given it (never read back from the database)."""
        return self.__dict__.get("_secret")

    @token.setter
    def token(self, secret: str) -> None:
        self.__dict__["_secret"] = secret
        self.token_hash = feed_token_hash(secret)


def feed_token_hash(secret: str) -> str:
    """The SHA-256 (hex) a feed secret is stored and found by."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class Term(db.Model):
    """A teaching term for week labels: week 1 starts on starts_on (shown as "Wk 1, HT24")."""

    __tablename__ = "terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    starts_on: Mapped[date] = mapped_column(Date)
    weeks: Mapped[int] = mapped_column(default=10)


class KindNotice(db.Model):
    """Minimum notice (hours) for booking changes per session kind."""

    __tablename__ = "session_kind_notice"

    kind: Mapped[SessionKind] = mapped_column(_enum(SessionKind), primary_key=True)
    hours: Mapped[int] = mapped_column(default=0)
