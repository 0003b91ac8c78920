"""Panel plain reads: settings, members, rubric, proposals under review, assignments, reviews, scores, decisions.

Every function reads a fixed number of queries whatever the number of proposals (no N+1). The conflict
map is in conflicts.py, a member's queue in queue.py, the ranked table in ranking.py.
"""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.auth.models import Role, RoleGrant, User
from portal.extensions import db
from portal.panel.models import (Aggregate, Assignment, Criterion, Decision, Outcome, PanelMember, PanelSettings,
                                 Review, Score, Standing, holds_place, standing)
from portal.proposals.models import Proposal
from portal.proposals.rules import COUNTS_AS_SUBMITTED
from portal.rounds.models import Pathway, Round

# Proposals the panel looks at: every one that counts as submitted (the proposals feature's rule).
REVIEWABLE = COUNTS_AS_SUBMITTED


def plain_rows(stmt):
    """Plain rows of a select of columns, executed on the session's connection without the ORM's
    per-row bookkeeping (about three times faster for the thousands of rows a round holds)."""
    return db.session.connection().execute(stmt).all()


def default_settings(round_: Round) -> PanelSettings:
    """The unsaved settings a round's panel works with until the lead sets its own."""
    return PanelSettings(round_id=round_.id, aggregate=Aggregate.MEAN, reviewers_per_proposal=None,
                         same_department_conflict=True, offer_days=14)


def settings_for(round_: Round) -> PanelSettings:
    """The round's panel settings, or unsaved defaults when the lead has not set any."""
    found = db.session.scalar(select(PanelSettings).where(PanelSettings.round_id == round_.id))
    return found if found is not None else default_settings(round_)


def rounds_for(user) -> list[Round]:
    """Rounds a person sees on the panel page: all for leads, their own panels for members."""
    stmt = select(Round).order_by(Round.opens_at.desc())
    if not user.is_lead:
        stmt = stmt.join(PanelMember, PanelMember.round_id == Round.id).where(PanelMember.user_id == user.id)
    return list(db.session.scalars(stmt))


def members(round_id: int) -> list[User]:
    """The round's panel, by name."""
    return list(db.session.scalars(
        select(User).join(PanelMember, PanelMember.user_id == User.id)
        .where(PanelMember.round_id == round_id).order_by(User.name)))


def is_member(round_id: int, user_id: int) -> bool:
    return db.session.scalar(select(PanelMember.id).where(PanelMember.round_id == round_id,
                                                          PanelMember.user_id == user_id)) is not None


def panel_candidates() -> list[User]:
    """People with the panel role, who can be put on a round's panel."""
    return list(db.session.scalars(
        select(User).join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == Role.PANEL, User.is_active_account.is_(True)).order_by(User.name)))


def criteria(round_id: int) -> list[Criterion]:
    return list(db.session.scalars(select(Criterion).where(Criterion.round_id == round_id)
                                   .order_by(Criterion.position, Criterion.id)))


def score_count(round_id: int) -> int:
    return db.session.scalar(select(func.count(Score.id)).where(Score.round_id == round_id)) or 0


def proposals(round_id: int) -> list[Proposal]:
    """The round's proposals under review, with applicant and pathway loaded."""
    return list(db.session.scalars(
        select(Proposal).options(joinedload(Proposal.applicant), joinedload(Proposal.pathway))
        .where(Proposal.round_id == round_id, Proposal.state.in_(REVIEWABLE)).order_by(Proposal.id)).unique())


def proposal_with_applicant(proposal_id: int) -> Proposal | None:
    """A proposal with its round, applicant and pathway, in one query."""
    return db.session.scalar(
        select(Proposal).where(Proposal.id == proposal_id)
        .options(joinedload(Proposal.round), joinedload(Proposal.pathway),
                 joinedload(Proposal.applicant)))


def is_assigned(proposal_id: int, user_id: int) -> bool:
    return db.session.scalar(select(Assignment.id).where(Assignment.proposal_id == proposal_id,
                                                         Assignment.user_id == user_id)) is not None


def assignments(round_id: int) -> set[tuple[int, int]]:
    """{(user id, proposal id)} assigned in a round."""
    return {(a.user_id, a.proposal_id) for a in db.session.scalars(
        select(Assignment).where(Assignment.round_id == round_id))}


def review_of(proposal_id: int, user_id: int) -> Review | None:
    return db.session.scalar(select(Review).where(Review.proposal_id == proposal_id, Review.reviewer_id == user_id))


def reviews_of_proposal(proposal_id: int) -> dict[int, Review]:
    """{reviewer id: review} of one proposal, in one query."""
    return {r.reviewer_id: r for r in db.session.scalars(select(Review).where(Review.proposal_id == proposal_id))}


def values_of_proposal(proposal_id: int) -> dict[int, dict[int, int]]:
    """{reviewer id: {criterion id: value}} of one proposal, in one query."""
    out: dict[int, dict[int, int]] = {}
    for reviewer_id, criterion_id, value in db.session.execute(
            select(Score.reviewer_id, Score.criterion_id, Score.value).where(Score.proposal_id == proposal_id)):
        out.setdefault(reviewer_id, {})[criterion_id] = value
    return out


def member_values(round_id: int, user_id: int) -> dict[int, dict[int, int]]:
    """{proposal id: {criterion id: value}} of one member's scores in a round, in one query."""
    out: dict[int, dict[int, int]] = {}
    for s in db.session.scalars(select(Score).where(Score.round_id == round_id, Score.reviewer_id == user_id)):
        out.setdefault(s.proposal_id, {})[s.criterion_id] = s.value
    return out


def member_comments(round_id: int, user_id: int) -> dict[int, str]:
    """{proposal id: comment} of one member's reviews in a round, in one query."""
    return dict(db.session.execute(select(Review.proposal_id, Review.comment).where(
        Review.round_id == round_id, Review.reviewer_id == user_id)).all())


# Decisions are read again after the round lock is taken (panel/deciding.py lock_round): populate_existing
# makes the rows already in the session take what the other side committed.
def decisions(round_id: int) -> dict[int, Decision]:
    """{proposal id: decision} of a round, fresh from the database."""
    return {d.proposal_id: d for d in db.session.scalars(
        select(Decision).where(Decision.round_id == round_id).execution_options(populate_existing=True))}


class DecisionLine(NamedTuple):
    """What the moderation table shows of a decision: plain values, read for a thousand proposals at once."""

    outcome: Outcome
    waitlist_position: int | None
    declined_at: datetime | None
    offered_at: datetime | None
    accepted_at: datetime | None
    lapsed_at: datetime | None

    @property
    def holds_place(self) -> bool:
        return holds_place(self.outcome, self.declined_at)

    @property
    def standing(self) -> Standing:
        return standing(self.outcome, self.offered_at, self.accepted_at, self.declined_at, self.lapsed_at)


# The columns of a DecisionLine, in its order.
_LINE_COLUMNS = (Decision.outcome, Decision.waitlist_position, Decision.declined_at, Decision.offered_at,
                 Decision.accepted_at, Decision.lapsed_at)


def decision_lines(round_id: int) -> dict[int, DecisionLine]:
    """{proposal id: decision} of a round, as plain lines (one query of plain rows)."""
    return {pid: DecisionLine(*rest) for pid, *rest in plain_rows(
        select(Decision.proposal_id, *_LINE_COLUMNS).where(Decision.round_id == round_id))}


class FeeLine(NamedTuple):
    """A decided proposal's id and its pathway's fee (0 with no pathway), what the funding tally reads."""

    id: int
    fee_pence: int


def decided_fees(round_id: int) -> tuple[list[FeeLine], dict[int, DecisionLine]]:
    """The round's decided proposals under review with their fees, and their decisions (one query of plain rows)."""
    fees, decided = [], {}
    for pid, fee, *rest in plain_rows(
            select(Proposal.id, Pathway.fee_pence, *_LINE_COLUMNS)
            .join(Decision, Decision.proposal_id == Proposal.id).outerjoin(Pathway, Pathway.id == Proposal.pathway_id)
            .where(Proposal.round_id == round_id, Proposal.state.in_(REVIEWABLE))):
        fees.append(FeeLine(pid, fee or 0))
        decided[pid] = DecisionLine(*rest)
    return fees, decided


def decision_for(proposal_id: int) -> Decision | None:
    """A proposal's decision, fresh from the database."""
    return db.session.scalar(select(Decision).where(Decision.proposal_id == proposal_id)
                             .execution_options(populate_existing=True))


def offer_from(decision_id: int) -> Decision | None:
    """The offer from the waitlist that took this decision's freed place, if any, fresh from the database."""
    return db.session.scalar(select(Decision).options(joinedload(Decision.proposal))
                             .where(Decision.place_from_id == decision_id).order_by(Decision.id.desc())
                             .execution_options(populate_existing=True))


def lead_recipients() -> list[User]:
    """The programme leads who can sign in, by name: who is told when the panel needs a lead."""
    return list(db.session.scalars(
        select(User).join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == Role.LEAD, User.is_active_account.is_(True)).order_by(User.name)))


def waitlist(round_id: int) -> list[Decision]:
    """The round's waitlisted decisions in offer order, with their proposals and pathways (whose fees decide who
    fits a freed place), fresh from the database."""
    return list(db.session.scalars(
        select(Decision).options(joinedload(Decision.proposal).joinedload(Proposal.pathway))
        .where(Decision.round_id == round_id, Decision.outcome == Outcome.WAITLISTED)
        .order_by(Decision.waitlist_position.is_(None), Decision.waitlist_position, Decision.id)
        .execution_options(populate_existing=True)))
