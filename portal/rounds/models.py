"""A scheme (e.g. CMALT), its pathways, and the rounds that call for proposals."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db_types import LabelledEnum, UTCDateTime, str_enum, utcnow
from portal.extensions import db


class RoundState(LabelledEnum):
    """draft -> scheduled -> open -> closed -> in review -> decided -> running -> archived.

    Scheduled and open follow the clock (rounds/rules.py phase); the stored value is kept up to date by
    rounds/clock.py advance_rounds.
    """

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    IN_REVIEW = "in_review"
    DECIDED = "decided"
    RUNNING = "running"
    ARCHIVED = "archived"


# The long answers of a proposal that can carry a word limit, and the limits a new round starts with.
LIMITED_QUESTIONS = {
    "role_summary": "Role summary",
    "learning_technology": "How learning technology features in your role",
    "motivation": "Motivation",
}
DEFAULT_WORD_LIMITS = {"role_summary": 250, "learning_technology": 400, "motivation": 500}

# The most a form or service accepts. Money columns are integers (pence), and PostgreSQL's integer stops at
# 2147483647, so a budget above about £21m could not be stored at all; these leave room and stay plausible.
MAX_FEE_PENCE = 100_000 * 100
MAX_BUDGET_PENCE = 10_000_000 * 100
MAX_FUNDED_PLACES = 10_000


class Scheme(db.Model):
    __tablename__ = "schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    awarding_body: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(300), default="")

    pathways: Mapped[list["Pathway"]] = relationship(back_populates="scheme", order_by="Pathway.position",
                                                     cascade="all, delete-orphan")


class Pathway(db.Model):
    __tablename__ = "pathways"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    fee_pence: Mapped[int] = mapped_column(default=0)
    eligibility: Mapped[str] = mapped_column(Text, default="")
    # Years of experience this pathway is usually for, to suggest a pathway (None = no bound).
    min_years: Mapped[int | None] = mapped_column()
    max_years: Mapped[int | None] = mapped_column()
    # The pathway also asks for leadership, strategy or research responsibilities (Senior CMALT): the one
    # question besides years that decides the guidance (portal/rounds/guidance.py).
    requires_leadership: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Award level, for mentor matching: a mentor's level must be at least a mentee's.
    level: Mapped[int] = mapped_column(default=1)
    portfolio_sections: Mapped[list] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)

    scheme: Mapped[Scheme] = relationship(back_populates="pathways")


round_pathways = Table(
    "round_pathways",
    db.metadata,
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("pathway_id", ForeignKey("pathways.id", ondelete="RESTRICT"), primary_key=True),
)


class Round(db.Model):
    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    funded_places: Mapped[int | None] = mapped_column()
    budget_pence: Mapped[int | None] = mapped_column()
    intro_required: Mapped[bool] = mapped_column(default=True)
    guidance: Mapped[str] = mapped_column(Text, default="")
    # Word limits per long answer, e.g. {"motivation": 500}; a missing or empty entry means no limit.
    word_limits: Mapped[dict] = mapped_column(JSON, default=lambda: dict(DEFAULT_WORD_LIMITS))
    state: Mapped[RoundState] = mapped_column(str_enum(RoundState), default=RoundState.DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    scheme: Mapped[Scheme] = relationship()
    pathways: Mapped[list[Pathway]] = relationship(secondary=round_pathways, order_by=Pathway.position)

    def word_limit(self, question: str) -> int | None:
        """The word limit for one long answer, or None when it has none."""
        limit = (self.word_limits or {}).get(question)
        return int(limit) if limit else None
