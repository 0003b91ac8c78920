"""Panel reads: settings, members, rubric, the conflict map, a member's queue, the moderation table, funding.

Every function reads a fixed number of queries whatever the number of proposals (no N+1).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import and_, false, func, select, true, union_all
from sqlalchemy.orm import joinedload, lazyload

from portal.auth.models import Role, RoleGrant, User
from portal.extensions import db
from portal.panel import rules, scoring
from portal.panel.models import (Aggregate, Assignment, Conflict, Criterion, Decision, Outcome, PanelMember,
                                 PanelSettings, Review, Score)
from portal.proposals.models import Proposal, ProposalState
from portal.rounds.models import Pathway, Round

# Proposals the panel looks at: everything that was submitted and not withdrawn.
REVIEWABLE = (ProposalState.SUBMITTED, ProposalState.SELECTED, ProposalState.WAITLISTED,
              ProposalState.NOT_SELECTED, ProposalState.DECLINED)


def _rows(stmt):
    """Plain rows of a select of columns, executed on the session's connection without the ORM's
    per-row bookkeeping (about three times faster for the thousands of rows a round holds)."""
    return db.session.connection().execute(stmt).all()


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
    """The round's panel, by name (their roles load only if asked for)."""
    return list(db.session.scalars(
        select(User).options(lazyload(User.role_grants)).join(PanelMember, PanelMember.user_id == User.id)
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


class MemberFacts(NamedTuple):
    """What the conflict rules need of a panel member, read once (not through a request proxy)."""

    id: int
    email: str
    department: str | None


class ProposalFacts(NamedTuple):
    """What the conflict rules need of a proposal."""

    user_id: int
    line_manager_email: str | None
    department: str | None


class ApplicantFacts(NamedTuple):
    """What the conflict rules need of an applicant."""

    line_manager_id: int | None
    department: str | None


def member_facts(user: User) -> MemberFacts:
    return MemberFacts(user.id, user.email, user.department)


def conflict_map(round_: Round, props: list[Proposal], people: list[User],
                 settings: PanelSettings) -> dict[tuple[int, int], tuple[str, str]]:
    """{(user id, proposal id): (kind, reason)} for every conflict, declared or automatic."""
    found = [(p.id, ProposalFacts(p.user_id, p.line_manager_email, p.department),
              ApplicantFacts(p.applicant.line_manager_id, p.applicant.department) if p.applicant else None)
             for p in props]
    return _conflicts(found, people, settings, declared_conflicts(round_.id))


def declared_conflicts(round_id: int, user_id: int | None = None) -> dict[tuple[int, int], str]:
    """{(user id, proposal id): reason} of the conflicts declared in a round (by one member, if given)."""
    stmt = select(Conflict.user_id, Conflict.proposal_id, Conflict.reason).where(Conflict.round_id == round_id)
    if user_id is not None:
        stmt = stmt.where(Conflict.user_id == user_id)
    return {(uid, pid): reason for uid, pid, reason in _rows(stmt)}


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


def proposal_with_applicant(proposal_id: int) -> Proposal | None:
    """A proposal with its round, applicant and pathway, in one query."""
    return db.session.scalar(
        select(Proposal).where(Proposal.id == proposal_id)
        .options(joinedload(Proposal.round), joinedload(Proposal.pathway),
                 joinedload(Proposal.applicant).lazyload(User.role_grants)))


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


def decisions(round_id: int) -> dict[int, Decision]:
    return {d.proposal_id: d for d in db.session.scalars(select(Decision).where(Decision.round_id == round_id))}


def decision_for(proposal_id: int) -> Decision | None:
    return db.session.scalar(select(Decision).where(Decision.proposal_id == proposal_id))


# ---------------------------------------------------------------- a member's queue

@dataclass(frozen=True)
class QueueItem:
    """One proposal in a member's queue, as plain values (a queue can hold a thousand)."""

    proposal_id: int
    applicant_name: str
    pathway_name: str | None
    started: bool
    submitted: bool
    abstained: bool

    @property
    def status(self) -> str:
        if not self.started:
            return "Not started"
        if self.abstained:
            return "Abstained"
        if self.submitted:
            return "Scored"
        return "In progress"


@dataclass(frozen=True)
class ConflictedItem:
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
    rows = _rows(stmt)
    conflicts = _conflicts([(row[0], ProposalFacts(*row[1:4]), ApplicantFacts(*row[5:7])) for row in rows], [user],
                           settings, declared_conflicts(round_.id, member.id))
    items, conflicted = [], []
    for row in rows:
        pid, name, pathway, assigned, started, submitted, abstained = row[0], row[4], *row[7:]
        if (member.id, pid) in conflicts:
            conflicted.append(ConflictedItem(pid, name, *conflicts[(member.id, pid)]))
        elif assigned:
            items.append(QueueItem(pid, name, pathway, bool(started), bool(submitted), bool(abstained)))
    return Queue(items=items, conflicted=conflicted)


# ---------------------------------------------------------------- moderation

@dataclass(frozen=True)
class ProposalLine:
    """A proposal as the moderation table shows it: plain values, a thousand of them at a time."""

    id: int
    applicant_name: str
    department: str
    pathway_name: str | None
    fee_pence: int


@dataclass
class ReviewerColumn:
    reviewer: User
    total: float | None
    values: dict[int, int]
    missing: bool
    abstained: bool
    complete: bool = False
    abstain_reason: str = ""
    comment: str = ""


@dataclass
class Row:
    rank: int | None
    proposal: ProposalLine
    # (reviewer, total, missing, abstained, complete) per non-conflicted reviewer; the columns are
    # built from these only for rows someone looks at.
    cells: list[tuple]
    aggregate: float | None
    sd: float | None
    missing: list[User]
    decision: Decision | None
    totals: list[float] = field(default_factory=list)
    calibrated: float | None = None
    z: dict[int, float] = field(default_factory=dict)
    # Criteria on which the reviewers disagree; None until the row's details are read (add_details).
    disagreement: list[Criterion] | None = None
    # The viewer (a lead who also sits on the panel) is conflicted: nothing of its scores is shown.
    hidden: bool = False
    _columns: list[ReviewerColumn] | None = field(default=None, repr=False)

    @property
    def reviewers(self) -> list[ReviewerColumn]:
        if self._columns is None:
            self._columns = [ReviewerColumn(person, total, {}, missing, abstained, complete)
                             for person, total, missing, abstained, complete in self.cells]
        return self._columns

    @property
    def by_member(self) -> dict[int, ReviewerColumn]:
        return {c.reviewer.id: c for c in self.reviewers}

    @property
    def fee(self) -> int:
        return self.proposal.fee_pence

    @property
    def chart(self) -> scoring.SpreadChart:
        return scoring.spread_chart(self.totals, self.aggregate)


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


def funding(round_: Round, props, decided: dict[int, Decision]) -> Funding:
    """Places and budget used by the proposals holding a place (a pathway's fee counts against the budget).

    props: anything with id and fee_pence (ProposalLine).
    """
    used = [p for p in props if p.id in decided and decided[p.id].holds_place]
    return Funding(places=round_.funded_places, budget=round_.budget_pence, places_used=len(used),
                   budget_used=sum(p.fee_pence for p in used))


def proposal_lines(round_id: int) -> list[tuple[ProposalLine, ProposalFacts, ApplicantFacts]]:
    """The round's reviewable proposals as plain lines, each with the facts the conflict rules read."""
    return [(ProposalLine(pid, name, department or "", pathway, fee or 0),
             ProposalFacts(applicant_id, manager_email, department), ApplicantFacts(manager_id, applicant_department))
            for (pid, applicant_id, manager_email, department, name, manager_id, applicant_department, pathway,
                 fee) in _rows(
                select(Proposal.id, Proposal.user_id, Proposal.line_manager_email, Proposal.department, User.name,
                       User.line_manager_id, User.department, Pathway.name, Pathway.fee_pence)
                .join(User, User.id == Proposal.user_id).outerjoin(Pathway, Pathway.id == Proposal.pathway_id)
                .where(Proposal.round_id == round_id, Proposal.state.in_(REVIEWABLE)).order_by(Proposal.id))]


def _conflicts(found: list[tuple], people: list[User], settings: PanelSettings,
               declared: dict[tuple[int, int], str]) -> dict[tuple[int, int], tuple[str, str]]:
    """{(user id, proposal id): (kind, reason)} for every member's conflicts, automatic and declared.

    found: (proposal id, ProposalFacts, ApplicantFacts) per proposal.

    Automatic conflicts are found by the facts a member and a proposal share (rules.*_conflict_keys),
    so the cost grows with members plus proposals, not their product.
    """
    same_department = settings.same_department_conflict
    by_key: dict[tuple, list[int]] = {}
    for pid, facts, applicant in found:
        for key in rules.proposal_conflict_keys(facts, applicant, same_department):
            by_key.setdefault(key, []).append(pid)
    conflicts: dict[tuple[int, int], tuple[str, str]] = {}
    for person in people:
        for key, reason in rules.member_conflict_keys(member_facts(person), same_department):
            for pid in by_key.get(key, ()):
                conflicts.setdefault((person.id, pid), ("automatic", reason))
    for (uid, pid), reason in declared.items():
        conflicts.setdefault((uid, pid), ("declared", reason or "Declared by the panel member."))
    return conflicts


def _calibrate(rows: list[Row], how: str) -> None:
    """Each row's reviewer totals as z-scores against each reviewer's own mean and spread, and their aggregate."""
    totals_by_member: dict[int, dict[int, float]] = {}
    for row in rows:
        for person, total, *_ in row.cells:
            if total is not None:
                totals_by_member.setdefault(person.id, {})[row.proposal.id] = total
    z = scoring.z_scores(totals_by_member)
    for row in rows:
        row.z = {m: z[m][row.proposal.id] for m in z if row.proposal.id in z[m]}
        row.calibrated = scoring.aggregate(list(row.z.values()), how)


def moderation(round_: Round, settings: PanelSettings | None = None, viewer: User | None = None,
               details: bool = True, calibrate: bool = True) -> Moderation:
    """The ranked table: per proposal, each non-conflicted reviewer's weighted total, the aggregate,
    spread, missing reviewers, the decision; with calibration (z-scores) beside.

    Ranking reads each review's stored total, never the individual scores; with details, every
    row also gets its per-criterion values, comments and disagreement flags (add_details), which
    a page showing a few rows adds for those rows only. Calibration can be left out when not shown.

    A conflicted member's scores are left out of everything, even if entered before the conflict.
    With a viewer who is conflicted on a proposal (a lead on the panel), that row keeps only its
    identity and decision, unranked.
    """
    settings = settings or settings_for(round_)
    crit = criteria(round_.id)
    people = members(round_.id)
    found = proposal_lines(round_.id)
    lines = [line for line, _, _ in found]
    conflicts = _conflicts([(line.id, facts, applicant) for line, facts, applicant in found], people, settings,
                           declared_conflicts(round_.id))
    # Every assignment with its review if any, and the few reviews left behind by an unassignment,
    # turned straight into cells: (panel position, reviewer, total, missing, abstained, complete).
    with_assignment = (
        select(Assignment.user_id, Assignment.proposal_id, true(), Review.id.is_not(None),
               Review.submitted_at.is_not(None), Review.abstained, Review.total)
        .outerjoin(Review, and_(Review.proposal_id == Assignment.proposal_id, Review.reviewer_id == Assignment.user_id))
        .where(Assignment.round_id == round_.id))
    left_behind = (
        select(Review.reviewer_id, Review.proposal_id, false(), true(), Review.submitted_at.is_not(None),
               Review.abstained, Review.total)
        .outerjoin(Assignment, and_(Assignment.proposal_id == Review.proposal_id,
                                    Assignment.user_id == Review.reviewer_id))
        .where(Review.round_id == round_.id, Assignment.id.is_(None)))
    panel = {person.id: (position, person) for position, person in enumerate(people)}
    cells_of: dict[int, list[tuple]] = {}
    for uid, pid, assigned, started, submitted, abstained, total in _rows(union_all(with_assignment, left_behind)):
        seat = panel.get(uid)
        if seat is None or (uid, pid) in conflicts:
            continue
        complete = bool(started and submitted and not abstained)
        missing = bool(assigned and not abstained and not complete)
        cells_of.setdefault(pid, []).append((*seat, total if complete else None, missing, bool(abstained), complete))
    decided = decisions(round_.id)
    how = settings.aggregate.value

    rows: list[Row] = []
    aggregate, spread = scoring.aggregate, scoring.spread
    for line in lines:
        cells = cells_of.get(line.id, [])
        cells.sort(key=itemgetter(0))  # panel order
        totals = [cell[2] for cell in cells if cell[2] is not None]
        rows.append(Row(rank=None, proposal=line, cells=[cell[1:] for cell in cells],
                        aggregate=aggregate(totals, how), sd=spread(totals),
                        missing=[cell[1] for cell in cells if cell[3]], decision=decided.get(line.id), totals=totals))
    if calibrate:
        _calibrate(rows, how)
    if viewer is not None:
        viewer_id = viewer.id
        for row in rows:
            if (viewer_id, row.proposal.id) in conflicts:
                row.hidden = True
                row.cells, row.missing, row.disagreement, row.z, row.totals = [], [], [], {}, []
                row.aggregate = row.sd = row.calibrated = None
    rows.sort(key=lambda r: (r.aggregate is None, -(r.aggregate or 0), r.proposal.applicant_name.lower()))
    for i, row in enumerate(rows, start=1):
        row.rank = i if row.aggregate is not None else None
    table = Moderation(round=round_, settings=settings, criteria=crit, members=people, rows=rows,
                       funding=funding(round_, lines, decided), conflicts=conflicts)
    if details:
        add_details(table, rows)
    return table


def add_details(table: Moderation, rows: list[Row]) -> None:
    """Fill in the per-criterion values, comments, abstention reasons and disagreement flags of some
    rows (two queries whatever their number). Hidden rows stay empty.

    The proposal ids alone select the rows (filtering on the round as well leads SQLite to scan the
    whole round's scores by its round index).
    """
    ids = [row.proposal.id for row in rows if not row.hidden]
    values: dict[tuple[int, int], dict[int, int]] = {}
    notes: dict[tuple[int, int], tuple[str, str]] = {}
    if ids:
        for uid, pid, cid, value in _rows(select(Score.reviewer_id, Score.proposal_id, Score.criterion_id, Score.value)
                                          .where(Score.proposal_id.in_(ids))):
            values.setdefault((uid, pid), {})[cid] = value
        notes = {(uid, pid): (comment, reason) for uid, pid, comment, reason in _rows(
            select(Review.reviewer_id, Review.proposal_id, Review.comment, Review.abstain_reason)
            .where(Review.proposal_id.in_(ids)))}
    criterion_ids = [c.id for c in table.criteria]
    for row in rows:
        if row.hidden:
            row.disagreement = []
            continue
        complete_values = []
        for column in row.reviewers:
            key = (column.reviewer.id, row.proposal.id)
            column.comment, column.abstain_reason = notes.get(key, ("", ""))
            if column.complete:
                column.values = values.get(key, {})
                complete_values.append(column.values)
        flagged = set(scoring.disagreements(complete_values, criterion_ids))
        row.disagreement = [c for c in table.criteria if c.id in flagged]


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


def waitlist(round_id: int) -> list[Decision]:
    return list(db.session.scalars(
        select(Decision).where(Decision.round_id == round_id, Decision.outcome == Outcome.WAITLISTED)
        .order_by(Decision.waitlist_position.is_(None), Decision.waitlist_position, Decision.id)))
