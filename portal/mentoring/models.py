"""Tables of the mentoring feature: mentor profiles, pairings, progress, meetings, example portfolios."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db_types import LabelledEnum, UTCDateTime, str_enum, utcnow
from portal.extensions import db


_enum = str_enum


class PairingState(LabelledEnum):
    """proposed -> locked -> confirmed -> ended (proposed pairs are replaced by each matching run)."""

    PROPOSED = "proposed"
    LOCKED = "locked"
    CONFIRMED = "confirmed"
    ENDED = "ended"


class SectionStatus(LabelledEnum):
    NOT_STARTED = "not_started"
    DRAFTING = "drafting"
    SHARED = "shared", "Shared with mentor"
    FEEDBACK = "feedback", "Mentor feedback given"
    READY = "ready"


class Outcome(LabelledEnum):
    AWARDED = "awarded"
    RESUBMIT = "resubmit", "Resubmission requested"
    WITHDRAWN = "withdrawn"


class MentorProfile(db.Model):
    """A holder who volunteers to mentor; matched only once a lead has approved it and while not paused."""

    __tablename__ = "mentor_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    award_name: Mapped[str] = mapped_column(String(120))
    # Same scale as Pathway.level (1 Associate, 2 CMALT, 3 Senior).
    award_level: Mapped[int] = mapped_column(default=1)
    award_year: Mapped[int | None] = mapped_column()
    department: Mapped[str] = mapped_column(String(200), default="")
    campus: Mapped[str] = mapped_column(String(120), default="")
    specialist_areas: Mapped[list] = mapped_column(JSON, default=list)
    capacity: Mapped[int] = mapped_column(default=1)
    availability_notes: Mapped[str] = mapped_column(Text, default="")
    # Colleagues this mentor works closely with (never matched with them), as user ids.
    close_collaborator_ids: Mapped[list] = mapped_column(JSON, default=list)
    paused: Mapped[bool] = mapped_column(default=False)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def is_available(self) -> bool:
        return self.is_approved and not self.paused

    @property
    def status_label(self) -> str:
        if not self.is_approved:
            return "Awaiting approval"
        return "Paused" if self.paused else "Active"


class MenteeAreas(db.Model):
    """The specialist areas a participant would like their mentor to share."""

    __tablename__ = "mentee_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    areas: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Pairing(db.Model):
    __tablename__ = "pairings"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("mentor_profiles.id", ondelete="CASCADE"), index=True)
    state: Mapped[PairingState] = mapped_column(_enum(PairingState), default=PairingState.PROPOSED, index=True)
    explanation: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str] = mapped_column(String(300), default="")
    # Either person may tell the lead the pairing is not working; the lead then ends it and rematches.
    concern_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    concern: Mapped[str] = mapped_column(Text, default="")
    # Who wrote it: the form promises that only the lead reads it, so the other person of the pair must not.
    concern_reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    round = relationship("Round")
    proposal = relationship("Proposal")
    mentee = relationship("User", foreign_keys=[mentee_id])
    mentor: Mapped[MentorProfile] = relationship()
    meetings: Mapped[list["Meeting"]] = relationship(back_populates="pairing", cascade="all, delete-orphan",
                                                     order_by="Meeting.held_on.desc()")


class MatchingRun(db.Model):
    """The last matching run of a round: who could not be matched and why (shown to the lead)."""

    __tablename__ = "matching_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    run_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # {proposal_id (as text): reason}
    unmatched: Mapped[dict] = mapped_column(JSON, default=dict)
    proposed: Mapped[int] = mapped_column(default=0)


class Progress(db.Model):
    """A participant's way to submission; survives a change of mentor (it belongs to the proposal)."""

    __tablename__ = "mentoring_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    registered_on: Mapped[date | None] = mapped_column(Date)
    target_deadline: Mapped[date | None] = mapped_column(Date)
    # The schedule deadline session the target was taken from; deleting it clears the link, the date stays.
    deadline_session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    outcome: Mapped[Outcome | None] = mapped_column(_enum(Outcome))
    outcome_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reciprocity_invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal = relationship("Proposal")
    sections: Mapped[list["ProgressSection"]] = relationship(
        back_populates="progress", cascade="all, delete-orphan", order_by="ProgressSection.position", lazy="selectin")


class ProgressSection(db.Model):
    __tablename__ = "mentoring_sections"
    __table_args__ = (UniqueConstraint("progress_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(ForeignKey("mentoring_progress.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(300))
    status: Mapped[SectionStatus] = mapped_column(_enum(SectionStatus), default=SectionStatus.NOT_STARTED)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    progress: Mapped[Progress] = relationship(back_populates="sections")


class Meeting(db.Model):
    __tablename__ = "mentoring_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    notes: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    # The next meeting the pair agreed; it appears in both people's calendar feeds.
    next_meeting_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pairing: Mapped[Pairing] = relationship(back_populates="meetings")


class ExamplePortfolio(db.Model):
    """An entry in the institution's portfolio register: a link or an uploaded PDF."""

    __tablename__ = "example_portfolios"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    pathway_id: Mapped[int | None] = mapped_column(ForeignKey("pathways.id", ondelete="SET NULL"), index=True)
    job_role: Mapped[str] = mapped_column(String(200), default="")
    specialist_areas: Mapped[list] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    link_url: Mapped[str] = mapped_column(String(500), default="")
    # Random name of the stored PDF under instance/uploads (never a user-supplied path).
    stored_name: Mapped[str] = mapped_column(String(80), default="")
    original_filename: Mapped[str] = mapped_column(String(200), default="")
    file_size: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner = relationship("User")
    pathway = relationship("Pathway")


class NudgeRecipient(LabelledEnum):
    MENTEE = "mentee", "Participant"
    MENTOR = "mentor", "Mentor"


class Nudge(db.Model):
    """An email the lead sent a participant at risk, or their mentor, from the at-risk list.

    One per participant, recipient and day (the institution's calendar day): a double click, a second tab
    or a repeated post sends one, and the database refuses the second even when both arrive at once.
    """

    __tablename__ = "mentoring_nudges"
    __table_args__ = (UniqueConstraint("proposal_id", "recipient", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    recipient: Mapped[NudgeRecipient] = mapped_column(_enum(NudgeRecipient))
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    message: Mapped[str] = mapped_column(Text, default="")
