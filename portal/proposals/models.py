"""A member of staff's proposal of interest for a round, and its states."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db_types import UTCDateTime, utcnow
from portal.extensions import db


class ProposalState(str, enum.Enum):
    """draft -> submitted -> withdrawn | selected | waitlisted | not selected (see states.py)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    SELECTED = "selected"
    WAITLISTED = "waitlisted"
    NOT_SELECTED = "not_selected"
    DECLINED = "declined"  # a selected person turned their place down

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


def _enum(cls):
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Proposal(db.Model):
    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    pathway_id: Mapped[int | None] = mapped_column(ForeignKey("pathways.id"), index=True)
    state: Mapped[ProposalState] = mapped_column(_enum(ProposalState), default=ProposalState.DRAFT, index=True)

    job_title: Mapped[str] = mapped_column(String(200), default="")
    department: Mapped[str] = mapped_column(String(200), default="", index=True)
    role_summary: Mapped[str] = mapped_column(Text, default="")
    learning_technology: Mapped[str] = mapped_column(Text, default="")
    years_experience: Mapped[int | None] = mapped_column()
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

    round = relationship("Round")
    applicant = relationship("User", foreign_keys=[user_id])
    pathway = relationship("Pathway")
