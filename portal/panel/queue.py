"""What a member sees while scoring: their queue (assigned, less conflicts) and the other members' reviews."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from sqlalchemy import and_, select

from portal.auth.models import User
from portal.extensions import db
from portal.panel import rules
from portal.panel.conflicts import ApplicantFacts, ProposalFacts, declared_conflicts, find_conflicts, member_facts
from portal.panel.models import Assignment, Conflict, PanelSettings, Review
from portal.panel.queries import REVIEWABLE, members, plain_rows, reviews_of_proposal, values_of_proposal
from portal.proposals.models import Proposal
from portal.rounds.models import Pathway, Round


def review_status(started: bool, submitted: bool, abstained: bool) -> str:
    """Where a member's review of a proposal stands, in the queue's words."""
    if not started:
        return "Not started"
    if abstained:
        return "Abstained"
    return "Scored" if submitted else "In progress"


class QueueItem(NamedTuple):
    """One proposal in a member's queue, as plain values (a queue can hold a thousand)."""

    proposal_id: int
    applicant_name: str
    pathway_name: str | None
    status: str


class ConflictedItem(NamedTuple):
    proposal_id: int
    applicant_name: str
    kind: str
    reason: str


TO_SCORE = ("Not started", "In progress")
# What the queue can be narrowed to: {name in the URL: (label, statuses shown, or None for all)}.
QUEUE_FILTERS = {"all": ("All", None), "to-score": ("Still to score", TO_SCORE), "scored": ("Scored", ("Scored",)),
                 "abstained": ("Abstained", ("Abstained",))}


@dataclass
class Queue:
    items: list[QueueItem]
    conflicted: list[ConflictedItem]

    @cached_property
    def scored(self) -> int:
        return sum(1 for i in self.items if i.status == "Scored")

    @cached_property
    def abstained(self) -> int:
        return sum(1 for i in self.items if i.status == "Abstained")

    @property
    def to_score(self) -> int:
        """What the member is expected to score: their list, less abstentions."""
        return len(self.items) - self.abstained

    def filtered(self, name: str | None) -> list[QueueItem]:
        """The items shown under one of QUEUE_FILTERS (unknown names show everything)."""
        _label, statuses = QUEUE_FILTERS.get(name or "all", QUEUE_FILTERS["all"])
        return self.items if statuses is None else [i for i in self.items if i.status in statuses]

    def holds(self, proposal_id: int) -> bool:
        """The proposal is in the member's list (assigned, not conflicted)."""
        return any(i.proposal_id == proposal_id for i in self.items)

    def next_after(self, proposal_id: int) -> int | None:
        """The proposal after this one in the queue, preferring one still to score."""
        ids = [i.proposal_id for i in self.items]
        if proposal_id not in ids:
            return None
        later = self.items[ids.index(proposal_id) + 1:]
        for item in later:
            if item.status in TO_SCORE:
                return item.proposal_id
        return later[0].proposal_id if later else None


def queue_for(round_: Round, user: User, settings: PanelSettings) -> Queue:
    """The proposals assigned to a member with conflicted ones removed, and their conflict list.

    Two queries of plain rows whatever the size of the round: the member's queue of a thousand
    proposals must not become a thousand ORM objects on every page.
    """
    member = member_facts(user)
    # Columns in the order ProposalFacts (1–3) and ApplicantFacts (5–6) take them.
    stmt = (select(Proposal.id, Proposal.user_id, Proposal.line_manager_email, Proposal.department,
                   User.name, User.line_manager_id, User.department, Pathway.name,
                   Assignment.id.is_not(None), Review.id.is_not(None), Review.submitted_at.is_not(None),
                   Review.abstained)
            .join(User, User.id == Proposal.user_id)
            .outerjoin(Pathway, Pathway.id == Proposal.pathway_id)
            .outerjoin(Assignment, and_(Assignment.proposal_id == Proposal.id, Assignment.user_id == member.id))
            .outerjoin(Review, and_(Review.proposal_id == Proposal.id, Review.reviewer_id == member.id))
            .where(Proposal.round_id == round_.id, Proposal.state.in_(REVIEWABLE)).order_by(Proposal.id))
    rows = plain_rows(stmt)
    conflicts = find_conflicts([(row[0], ProposalFacts(*row[1:4]), ApplicantFacts(*row[5:7])) for row in rows],
                               [user], settings, declared_conflicts(round_.id, member.id))
    items, conflicted = [], []
    for row in rows:
        pid, name, pathway, assigned, started, submitted, abstained = row[0], row[4], *row[7:]
        if (member.id, pid) in conflicts:
            conflicted.append(ConflictedItem(pid, name, *conflicts[(member.id, pid)]))
        elif assigned:
            items.append(QueueItem(pid, name, pathway, review_status(started, submitted, abstained)))
    return Queue(items=items, conflicted=conflicted)


def other_reviews(proposal: Proposal, viewer: User, settings: PanelSettings, reviews: dict[int, Review] | None = None,
                  values: dict[int, dict[int, int]] | None = None) -> list[tuple[User, Review, dict[int, int]]]:
    """Other non-conflicted members' complete reviews of a proposal (the caller checks blindness).

    reviews and values are the proposal's by reviewer (reviews_of_proposal, values_of_proposal),
    read here unless the caller already has them.
    """
    reviews = reviews_of_proposal(proposal.id) if reviews is None else reviews
    values = values_of_proposal(proposal.id) if values is None else values
    viewer_id = viewer.id
    people = [p for p in members(proposal.round_id) if p.id != viewer_id]
    declared = set(db.session.scalars(select(Conflict.user_id).where(Conflict.proposal_id == proposal.id)))
    out = []
    for person in people:
        review = reviews.get(person.id)
        if review is None or person.id in declared or rules.automatic_conflict_reason(
                person, proposal, proposal.applicant, settings.same_department_conflict):
            continue
        if review.submitted_at is None and not review.abstained:
            continue
        out.append((person, review, values.get(person.id, {})))
    return out
