"""Panel tables: per-round settings, members, rubric, assignments, conflicts, scores, reviews, decisions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db_types import LabelledEnum, UTCDateTime, str_enum, utcnow
from portal.extensions import db


_enum = str_enum


class Aggregate(LabelledEnum):
    MEAN = "mean"
    MEDIAN = "median"


class ConflictKind(LabelledEnum):
    DECLARED = "declared"
    AUTOMATIC = "automatic"


class Outcome(LabelledEnum):
    SELECTED = "selected"
    WAITLISTED = "waitlisted"
    NOT_SELECTED = "not_selected"


class Standing(LabelledEnum):
    """Where a decision stands now, in the words every view of it uses (pages, counts and exports)."""

    SELECTED = "selected"
    OFFERED = "offered", "Offered from the waitlist"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined"
    LAPSED = "lapsed", "Offer lapsed"
    WAITLISTED = "waitlisted"
    NOT_SELECTED = "not_selected"


def standing(outcome: Outcome, offered_at: datetime | None, accepted_at: datetime | None,
             declined_at: datetime | None, lapsed_at: datetime | None) -> Standing:
    """A decision's current state: a selected place may since have been accepted, declined or (an offer from
    the waitlist) left to lapse; the outcome alone says only what the lead first decided."""
    if outcome == Outcome.WAITLISTED:
        return Standing.WAITLISTED
    if outcome == Outcome.NOT_SELECTED:
        return Standing.NOT_SELECTED
    if lapsed_at is not None:
        return Standing.LAPSED
    if declined_at is not None:
        return Standing.DECLINED
    if accepted_at is not None:
        return Standing.ACCEPTED
    return Standing.OFFERED if offered_at is not None else Standing.SELECTED


class PanelSettings(db.Model):
    """How one round's panel works; created on first use with defaults."""

    __tablename__ = "panel_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), unique=True)
    aggregate: Mapped[Aggregate] = mapped_column(_enum(Aggregate), default=Aggregate.MEAN)
    # None: every proposal goes to every panel member.
    reviewers_per_proposal: Mapped[int | None] = mapped_column()
    same_department_conflict: Mapped[bool] = mapped_column(default=True)
    scoring_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scoring_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Days a promoted waitlisted applicant has to accept an offered place.
    offer_days: Mapped[int] = mapped_column(default=14)

    round = relationship("Round")


class PanelMember(db.Model):
    __tablename__ = "panel_members"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    user = relationship("User", lazy="joined")


class Criterion(db.Model):
    __tablename__ = "panel_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int] = mapped_column(default=1)
    # Recorded but not counted in the total (e.g. "would need extra support").
    counted_in_total: Mapped[bool] = mapped_column(default=True)
    # Five labels, for points 1..5.
    labels: Mapped[list] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)

    def label_for(self, value: int) -> str:
        labels = self.labels or []
        return labels[value - 1] if 0 < value <= len(labels) and labels[value - 1] else str(value)


class Assignment(db.Model):
    __tablename__ = "panel_assignments"
    # The round's assignments by member hold everything the missing-scores count reads (no table reads).
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),
                      Index("ix_panel_assignments_round_member", "round_id", "user_id", "proposal_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class Conflict(db.Model):
    """A declared conflict (automatic ones are computed from the rules, never stale)."""

    __tablename__ = "panel_conflicts"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ConflictKind] = mapped_column(_enum(ConflictKind), default=ConflictKind.DECLARED)
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Review(db.Model):
    """One panel member's review of one proposal: comment, abstention, whether it is complete.

    Per-criterion values live in Score rows, so two members saving at once touch different rows.
    """

    __tablename__ = "panel_reviews"
    # The round's reviews by proposal hold everything the ranking reads (panel.ranking._aggregates),
    # so ranking a thousand proposals reads this index alone, already in proposal order.
    __table_args__ = (UniqueConstraint("proposal_id", "reviewer_id"),
                      Index("ix_panel_reviews_round_standing", "round_id", "proposal_id", "reviewer_id",
                            "submitted_at", "abstained", "total"))

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    # Set when every criterion has a value; until then the member is still blind.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    abstained: Mapped[bool] = mapped_column(default=False)
    # The weighted total out of 100 of a complete review, kept with the scores each time they are
    # saved, so the moderation table can rank a thousand proposals without reading every score.
    # The rubric cannot change once scored, so it never goes stale.
    total: Mapped[float | None] = mapped_column(Float)
    # Seen by leads only.
    abstain_reason: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Score(db.Model):
    __tablename__ = "panel_scores"
    __table_args__ = (UniqueConstraint("proposal_id", "reviewer_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("panel_criteria.id", ondelete="CASCADE"), index=True)
    value: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Decision(db.Model):
    """The lead's decision on a proposal; applied to the proposal's state at release."""

    __tablename__ = "panel_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome))
    feedback: Mapped[str] = mapped_column(Text, default="")
    waitlist_position: Mapped[int | None] = mapped_column()
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A waitlisted proposal promoted after a decline: offered a place, to accept by a date.
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accept_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set with declined_at when an offer from the waitlist was not answered in time (nobody declined it).
    lapsed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An offer from the waitlist: the decision whose declined (or lapsed) place it took. Undoing that decline
    # withdraws this offer; a freed place that no decision points to was left unfilled.
    place_from_id: Mapped[int | None] = mapped_column(ForeignKey("panel_decisions.id", ondelete="SET NULL"),
                                                      index=True)

    proposal = relationship("Proposal")

    @property
    def holds_place(self) -> bool:
        return holds_place(self.outcome, self.declined_at)

    @property
    def standing(self) -> Standing:
        return standing(self.outcome, self.offered_at, self.accepted_at, self.declined_at, self.lapsed_at)


def holds_place(outcome: Outcome, declined_at: datetime | None) -> bool:
    """A selected proposal holds a funded place until its applicant declines it."""
    return outcome == Outcome.SELECTED and declined_at is None
