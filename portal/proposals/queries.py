"""Reads of proposals: a person's own, the lead's filtered list of a round (one query each), and what
rounds asks about the proposals made in its rounds."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from portal.auth.models import User
from portal.extensions import db
from portal.proposals.models import Proposal, ProposalState
from portal.rounds.models import Pathway, Round
from portal.rounds.proposal_facts import ProposalFacts


def live_proposal_for(user, round_: Round) -> Proposal | None:
    """The person's proposal in a round that is not withdrawn (there is at most one)."""
    return db.session.scalars(select(Proposal).where(
        Proposal.round_id == round_.id, Proposal.user_id == user.id, Proposal.state != ProposalState.WITHDRAWN,
    ).order_by(Proposal.id.desc()).limit(1)).first()


def proposals_of(user) -> list[Proposal]:
    """Everything a person has written, newest round first."""
    return list(db.session.scalars(
        select(Proposal).join(Proposal.round).options(contains_eager(Proposal.round), selectinload(Proposal.pathway))
        .where(Proposal.user_id == user.id).order_by(Round.closes_at.desc(), Proposal.id.desc())))


@dataclass
class ProposalFilters:
    q: str = ""
    pathway_id: int | None = None
    state: ProposalState | None = None
    department: str = ""


def proposals_for_round(round_: Round, filters: ProposalFilters):
    """select() of a round's proposals with applicant and pathway loaded, filtered, by applicant name."""
    stmt = (select(Proposal).join(Proposal.applicant).outerjoin(Proposal.pathway)
            .options(contains_eager(Proposal.applicant), contains_eager(Proposal.pathway))
            .where(Proposal.round_id == round_.id).order_by(User.name, Proposal.id))
    if filters.q.strip():
        stmt = stmt.where(User.name.ilike(f"%{filters.q.strip()}%"))
    if filters.pathway_id:
        stmt = stmt.where(Proposal.pathway_id == filters.pathway_id)
    if filters.state:
        stmt = stmt.where(Proposal.state == filters.state)
    if filters.department:
        stmt = stmt.where(Proposal.department == filters.department)
    return stmt


def departments_in(round_: Round) -> list[str]:
    return [d for d in db.session.scalars(
        select(Proposal.department).where(Proposal.round_id == round_.id, Proposal.department != "")
        .distinct().order_by(Proposal.department))]


def pathways_of(round_: Round) -> list[Pathway]:
    return list(round_.pathways)


# ---------------------------------------------------------------- what rounds asks (it sits below proposals)

def counts_by_round() -> dict[int, dict[str, int]]:
    """{round_id: {state value: count}} for the lead's list of rounds."""
    counts: dict[int, dict[str, int]] = {}
    for round_id, state, n in db.session.execute(
            select(Proposal.round_id, Proposal.state, func.count()).group_by(Proposal.round_id, Proposal.state)):
        counts.setdefault(round_id, {})[state.value] = n
    return counts


def any_in_round(round_: Round) -> bool:
    """Whether anyone has started a proposal in the round (in any state)."""
    return db.session.scalar(select(func.count(Proposal.id)).where(Proposal.round_id == round_.id)) > 0


def pathways_chosen_in(round_: Round) -> list[Pathway]:
    """The pathways the round's proposals chose, in their scheme's order."""
    return list(db.session.scalars(
        select(Pathway).where(Pathway.id.in_(
            select(Proposal.pathway_id).where(Proposal.round_id == round_.id, Proposal.pathway_id.is_not(None))
        )).order_by(Pathway.position)
    ))


# Handed to rounds by the composition root (portal/blueprints.py).
FOR_ROUNDS = ProposalFacts(any_in=any_in_round, pathways_chosen_in=pathways_chosen_in,
                           counts_by_round=counts_by_round, live_proposal_for=live_proposal_for)
