"""Panel reads: settings, members, rubric, the conflict map, a member's queue, the moderation table, funding.

Every function reads a fixed number of queries whatever the number of proposals (no N+1).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.auth.models import Role, RoleGrant, User
from portal.extensions import db
from portal.panel import rules, scoring
from portal.panel.models import (Aggregate, Assignment, Conflict, Criterion, Decision, Outcome, PanelMember,
                                 PanelSettings, Review, Score)
from portal.proposals.models import Proposal, ProposalState
from portal.rounds.models import Round

# Proposals the panel looks at: everything that was submitted and not withdrawn.
REVIEWABLE = (ProposalState.SUBMITTED, ProposalState.SELECTED, ProposalState.WAITLISTED,
              ProposalState.NOT_SELECTED, ProposalState.DECLINED)


def settings_for(round_: Round) -> PanelSettings:
    """The round's panel settings, or unsaved defaults when the lead has not set any."""
    found = db.session.scalar(select(PanelSettings).where(PanelSettings.round_id == round_.id))
    if found is not None:
        return found
    return PanelSettings(round_id=round_.id, aggregate=Aggregate.MEAN, reviewers_per_proposal=None,
                         same_department_conflict=True, offer_days=14)


def rounds_for(user) -> list[Round]:
    """Rounds a person sees on the panel page: all for leads, their own panels for members."""
    stmt = select(Round).order_by(Round.opens_at.desc())
    if not user.is_lead:
        stmt = stmt.join(PanelMember, PanelMember.round_id == Round.id).where(PanelMember.user_id == user.id)
    return list(db.session.scalars(stmt))


def members(round_id: int) -> list[User]:
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


def conflict_map(round_: Round, props: list[Proposal], people: list[User],
                 settings: PanelSettings) -> dict[tuple[int, int], tuple[str, str]]:
    """{(user id, proposal id): (kind, reason)} for every conflict, declared or automatic."""
    out: dict[tuple[int, int], tuple[str, str]] = {}
    for person in people:
        for proposal in props:
            reason = rules.automatic_conflict_reason(person, proposal, proposal.applicant,
                                                     settings.same_department_conflict)
            if reason:
                out[(person.id, proposal.id)] = ("automatic", reason)
    for conflict in db.session.scalars(select(Conflict).where(Conflict.round_id == round_.id)):
        out.setdefault((conflict.user_id, conflict.proposal_id),
                       ("declared", conflict.reason or "Declared by the panel member."))
    return out


def conflict_for(user: User, proposal: Proposal, settings: PanelSettings) -> tuple[str, str] | None:
    """The conflict, if any, between one person and one proposal."""
    reason = rules.automatic_conflict_reason(user, proposal, proposal.applicant, settings.same_department_conflict)
    if reason:
        return ("automatic", reason)
    declared = db.session.scalar(select(Conflict).where(Conflict.proposal_id == proposal.id,
                                                        Conflict.user_id == user.id))
    if declared is not None:
        return ("declared", declared.reason or "Declared by the panel member.")
    return None


def is_assigned(proposal_id: int, user_id: int) -> bool:
    return db.session.scalar(select(Assignment.id).where(Assignment.proposal_id == proposal_id,
                                                         Assignment.user_id == user_id)) is not None


def assignments(round_id: int) -> set[tuple[int, int]]:
    """{(user id, proposal id)} assigned in a round."""
    return {(a.user_id, a.proposal_id) for a in db.session.scalars(
        select(Assignment).where(Assignment.round_id == round_id))}


def review_of(proposal_id: int, user_id: int) -> Review | None:
    return db.session.scalar(select(Review).where(Review.proposal_id == proposal_id, Review.reviewer_id == user_id))


def values_of(proposal_id: int, user_id: int) -> dict[int, int]:
    return {s.criterion_id: s.value for s in db.session.scalars(
        select(Score).where(Score.proposal_id == proposal_id, Score.reviewer_id == user_id))}


def member_values(round_id: int, user_id: int) -> dict[int, dict[int, int]]:
    """{proposal id: {criterion id: value}} of one member's scores in a round, in one query."""
    out: dict[int, dict[int, int]] = {}
    for s in db.session.scalars(select(Score).where(Score.round_id == round_id, Score.reviewer_id == user_id)):
        out.setdefault(s.proposal_id, {})[s.criterion_id] = s.value
    return out


def decisions(round_id: int) -> dict[int, Decision]:
    return {d.proposal_id: d for d in db.session.scalars(select(Decision).where(Decision.round_id == round_id))}


def decision_for(proposal_id: int) -> Decision | None:
    return db.session.scalar(select(Decision).where(Decision.proposal_id == proposal_id))


# ---------------------------------------------------------------- a member's queue

@dataclass
class QueueItem:
    proposal: Proposal
    review: Review | None

    @property
    def status(self) -> str:
        if self.review is None:
            return "Not started"
        if self.review.abstained:
            return "Abstained"
        if self.review.submitted_at is not None:
            return "Scored"
        return "In progress"


@dataclass
class Queue:
    items: list[QueueItem]
    conflicted: list[tuple[Proposal, str, str]]

    @property
    def scored(self) -> int:
        return sum(1 for i in self.items if i.status == "Scored")

    @property
    def abstained(self) -> int:
        return sum(1 for i in self.items if i.status == "Abstained")

    @property
    def to_score(self) -> int:
        """What the member is expected to score: their list, less abstentions."""
        return len(self.items) - self.abstained


def queue_for(round_: Round, user: User, settings: PanelSettings) -> Queue:
    """The proposals assigned to a member with conflicted ones removed, and their conflict list."""
    props = proposals(round_.id)
    conflicts = conflict_map(round_, props, [user], settings)
    assigned = {pid for uid, pid in assignments(round_.id) if uid == user.id}
    reviews = {r.proposal_id: r for r in db.session.scalars(
        select(Review).where(Review.round_id == round_.id, Review.reviewer_id == user.id))}
    items, conflicted = [], []
    for proposal in props:
        if (user.id, proposal.id) in conflicts:
            kind, reason = conflicts[(user.id, proposal.id)]
            conflicted.append((proposal, kind, reason))
        elif proposal.id in assigned:
            items.append(QueueItem(proposal, reviews.get(proposal.id)))
    return Queue(items=items, conflicted=conflicted)


# ---------------------------------------------------------------- moderation

@dataclass
class ReviewerColumn:
    reviewer: User
    total: float | None
    values: dict[int, int]
    review: Review | None
    missing: bool
    abstained: bool


@dataclass
class Row:
    rank: int | None
    proposal: Proposal
    reviewers: list[ReviewerColumn]
    aggregate: float | None
    sd: float | None
    disagreement: list[Criterion]
    missing: list[User]
    chart: scoring.SpreadChart
    decision: Decision | None
    calibrated: float | None = None
    z: dict[int, float] = field(default_factory=dict)
    # The viewer (a lead who also sits on the panel) is conflicted: nothing of its scores is shown.
    hidden: bool = False

    @property
    def by_member(self) -> dict[int, ReviewerColumn]:
        return {c.reviewer.id: c for c in self.reviewers}

    @property
    def fee(self) -> int:
        return self.proposal.pathway.fee_pence if self.proposal.pathway else 0


@dataclass
class Funding:
    places: int | None
    budget: int | None
    places_used: int
    budget_used: int

    @property
    def places_left(self) -> int | None:
        return None if self.places is None else self.places - self.places_used

    @property
    def budget_left(self) -> int | None:
        return None if self.budget is None else self.budget - self.budget_used


@dataclass
class Moderation:
    round: Round
    settings: PanelSettings
    criteria: list[Criterion]
    members: list[User]
    rows: list[Row]
    funding: Funding
    conflicts: dict = field(default_factory=dict)

    @property
    def missing_by_member(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for row in self.rows:
            for person in row.missing:
                counts[person.id] = counts.get(person.id, 0) + 1
        return counts

    @property
    def undecided(self) -> int:
        return sum(1 for row in self.rows if row.decision is None)


def funding(round_: Round, props: list[Proposal], decided: dict[int, Decision]) -> Funding:
    """Places and budget used by the proposals holding a place (a pathway's fee counts against the budget)."""
    used = [p for p in props if p.id in decided and decided[p.id].holds_place]
    return Funding(places=round_.funded_places, budget=round_.budget_pence, places_used=len(used),
                   budget_used=sum(p.pathway.fee_pence if p.pathway else 0 for p in used))


def moderation(round_: Round, settings: PanelSettings | None = None, viewer: User | None = None) -> Moderation:
    """The ranked table: per proposal, each non-conflicted reviewer's weighted total, the aggregate,
    spread, disagreement flags, missing reviewers, the decision; with calibration (z-scores) beside.

    A conflicted member's scores are left out of everything, even if entered before the conflict.
    With a viewer who is conflicted on a proposal (a lead on the panel), that row keeps only its
    identity and decision, unranked.
    """
    settings = settings or settings_for(round_)
    crit = criteria(round_.id)
    weights = [scoring.CriterionWeight(c.id, c.weight, c.counted_in_total) for c in crit]
    people = members(round_.id)
    props = proposals(round_.id)
    conflicts = conflict_map(round_, props, people, settings)
    assigned = assignments(round_.id)
    reviews = {(r.reviewer_id, r.proposal_id): r for r in db.session.scalars(
        select(Review).where(Review.round_id == round_.id))}
    values: dict[tuple[int, int], dict[int, int]] = {}
    for score in db.session.scalars(select(Score).where(Score.round_id == round_.id)):
        values.setdefault((score.reviewer_id, score.proposal_id), {})[score.criterion_id] = score.value
    decided = decisions(round_.id)

    rows: list[Row] = []
    totals_by_member: dict[int, dict[int, float]] = {}
    for proposal in props:
        columns, totals, complete_values, missing = [], [], [], []
        for person in people:
            key = (person.id, proposal.id)
            if key in conflicts:
                continue
            review = reviews.get(key)
            mine = values.get(key, {})
            abstained = bool(review and review.abstained)
            complete = bool(review and review.submitted_at is not None and not abstained)
            total = scoring.weighted_total(mine, weights) if complete else None
            is_missing = key in assigned and not abstained and not complete
            if key not in assigned and review is None:
                continue
            columns.append(ReviewerColumn(person, total, mine if complete else {}, review, is_missing, abstained))
            if is_missing:
                missing.append(person)
            if complete:
                complete_values.append(mine)
                if total is not None:
                    totals.append(total)
                    totals_by_member.setdefault(person.id, {})[proposal.id] = total
        centre = scoring.aggregate(totals, settings.aggregate.value)
        flagged = set(scoring.disagreements(complete_values, [c.id for c in crit]))
        rows.append(Row(rank=None, proposal=proposal, reviewers=columns, aggregate=centre,
                        sd=scoring.spread(totals), disagreement=[c for c in crit if c.id in flagged],
                        missing=missing, chart=scoring.spread_chart(totals, centre), decision=decided.get(proposal.id)))

    z = scoring.z_scores(totals_by_member)
    for row in rows:
        row.z = {m: z[m][row.proposal.id] for m in z if row.proposal.id in z[m]}
        zs = list(row.z.values())
        row.calibrated = scoring.aggregate(zs, settings.aggregate.value)
    if viewer is not None:
        for row in rows:
            if (viewer.id, row.proposal.id) in conflicts:
                row.hidden = True
                row.reviewers, row.missing, row.disagreement, row.z = [], [], [], {}
                row.aggregate = row.sd = row.calibrated = None
                row.chart = scoring.spread_chart([], None)
    rows.sort(key=lambda r: (r.aggregate is None, -(r.aggregate or 0), r.proposal.applicant.name.lower()))
    for i, row in enumerate(rows, start=1):
        row.rank = i if row.aggregate is not None else None
    return Moderation(round=round_, settings=settings, criteria=crit, members=people, rows=rows,
                      funding=funding(round_, props, decided), conflicts=conflicts)


def other_reviews(proposal: Proposal, viewer: User, settings: PanelSettings) -> list[tuple[User, Review, dict[int, int]]]:
    """Other non-conflicted members' complete reviews of a proposal (the caller checks blindness)."""
    people = [p for p in members(proposal.round_id) if p.id != viewer.id]
    conflicts = conflict_map(proposal.round, [proposal], people, settings)
    reviews = {r.reviewer_id: r for r in db.session.scalars(select(Review).where(Review.proposal_id == proposal.id))}
    values: dict[int, dict[int, int]] = {}
    for score in db.session.scalars(select(Score).where(Score.proposal_id == proposal.id)):
        values.setdefault(score.reviewer_id, {})[score.criterion_id] = score.value
    out = []
    for person in people:
        review = reviews.get(person.id)
        if (person.id, proposal.id) in conflicts or review is None:
            continue
        if review.submitted_at is None and not review.abstained:
            continue
        out.append((person, review, values.get(person.id, {})))
    return out


def waitlist(round_id: int) -> list[Decision]:
    return list(db.session.scalars(
        select(Decision).where(Decision.round_id == round_id, Decision.outcome == Outcome.WAITLISTED)
        .order_by(Decision.waitlist_position.is_(None), Decision.waitlist_position, Decision.id)))
