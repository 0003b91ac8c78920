"""A member of staff's proposal of interest for a round, and its states."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db_types import LabelledEnum, UTCDateTime, str_enum, utcnow
from portal.extensions import db


class ProposalState(LabelledEnum):
    """draft -> submitted -> withdrawn | selected | waitlisted | not selected (see states.py)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    SELECTED = "selected"
    WAITLISTED = "waitlisted"
    NOT_SELECTED = "not_selected"
    DECLINED = "declined"  # a selected person turned their place down


# The answers a person gives; a version and a pending draft keep exactly these.
ANSWER_FIELDS = ("job_title", "department", "role_summary", "learning_technology", "years_experience",
                 "leads_learning_technology", "pathway_id", "motivation", "submission_window", "line_manager_name", "line_manager_email",
                 "line_manager_supports", "consent")


class Proposal(db.Model):
    __tablename__ = "proposals"
    # One live proposal per person per round: active_slot is 1 while it is live and NULL once
    # withdrawn (NULLs never clash), so two quick "start" clicks cannot make two drafts.
    __table_args__ = (UniqueConstraint("round_id", "user_id", "active_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    pathway_id: Mapped[int | None] = mapped_column(ForeignKey("pathways.id"), index=True)
    state: Mapped[ProposalState] = mapped_column(str_enum(ProposalState), default=ProposalState.DRAFT, index=True)

    job_title: Mapped[str] = mapped_column(String(200), default="")
    department: Mapped[str] = mapped_column(String(200), default="", index=True)
    role_summary: Mapped[str] = mapped_column(Text, default="")
    learning_technology: Mapped[str] = mapped_column(Text, default="")
    years_experience: Mapped[int | None] = mapped_column()
    # Leadership, strategy or research responsibilities in learning technology: None until answered.
    leads_learning_technology: Mapped[bool | None] = mapped_column()
    motivation: Mapped[str] = mapped_column(Text, default="")
    submission_window: Mapped[str] = mapped_column(String(120), default="")
    line_manager_name: Mapped[str] = mapped_column(String(200), default="")
    line_manager_email: Mapped[str] = mapped_column(String(254), default="")
    line_manager_supports: Mapped[bool] = mapped_column(default=False)
    consent: Mapped[bool] = mapped_column(default=False)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Increases on each submitted edit; the panel always sees the latest.
    version: Mapped[int] = mapped_column(default=0)
    active_slot: Mapped[int | None] = mapped_column(default=None)

    round = relationship("Round")
    applicant = relationship("User", foreign_keys=[user_id])
    pathway = relationship("Pathway")

    versions: Mapped[list["ProposalVersion"]] = relationship(
        back_populates="proposal", order_by="ProposalVersion.version", cascade="all, delete-orphan")

    def answers(self) -> dict:
        """The answers as plain values (what a version or an email copy holds)."""
        return {name: getattr(self, name) for name in ANSWER_FIELDS}


class ProposalVersion(db.Model):
    """A copy of the answers as submitted; each edit after submission adds the next version."""

    __tablename__ = "proposal_versions"
    __table_args__ = (UniqueConstraint("proposal_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column()
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="versions")


class PendingDraft(db.Model):
    """Text that arrived when it could not be saved (sign-in expired, stale security token).

    Kept on the server so that nothing typed is lost: keyed to the account when we know it,
    otherwise to a random token held in that browser's session until the person signs in again.
    It is offered back in the form, never applied without the person saving it. Each proposal has at
    most one; they expire (services.KEPT_FOR), and each person and each client may keep only a few.
    """

    __tablename__ = "pending_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # A keyed hash of the client's address (never the address itself), so one client cannot fill the table.
    client: Mapped[str] = mapped_column(String(64), default="", server_default="", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
