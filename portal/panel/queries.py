"""Panel reads: settings, members, rubric, the conflict map, a member's queue, the moderation table, funding.

Every function reads a fixed number of queries whatever the number of proposals (no N+1).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import BigInteger, ColumnElement, and_, cast, false, func, or_, select, true, union_all
from sqlalchemy.orm import joinedload

from portal.auth.models import Role, RoleGrant, User
from portal.extensions import db
from portal.panel import rules, scoring
from portal.panel.models import (Aggregate, Assignment, Conflict, Criterion, Decision, Outcome, PanelMember,
                                 PanelSettings, Review, Score, holds_place)
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
                 joinedload(Proposal.applicant)))


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


class DecisionLine(NamedTuple):
    """What the moderation table shows of a decision: plain values, read for a thousand proposals at once."""

    outcome: Outcome
    waitlist_position: int | None
    declined_at: datetime | None

    @property
    def holds_place(self) -> bool:
        return holds_place(self.outcome, self.declined_at)


def decision_lines(round_id: int) -> dict[int, DecisionLine]:
    """{proposal id: decision} of a round, as plain lines (one query of plain rows)."""
    return {pid: DecisionLine(*rest) for pid, *rest in _rows(
        select(Decision.proposal_id, Decision.outcome, Decision.waitlist_position, Decision.declined_at)
        .where(Decision.round_id == round_id))}


def decision_for(proposal_id: int) -> Decision | None:
    return db.session.scalar(select(Decision).where(Decision.proposal_id == proposal_id))


# ---------------------------------------------------------------- a member's queue

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
    rows = _rows(stmt)
    conflicts = _conflicts([(row[0], ProposalFacts(*row[1:4]), ApplicantFacts(*row[5:7])) for row in rows], [user],
                           settings, declared_conflicts(round_.id, member.id))
    items, conflicted = [], []
    for row in rows:
        pid, name, pathway, assigned, started, submitted, abstained = row[0], row[4], *row[7:]
        if (member.id, pid) in conflicts:
            conflicted.append(ConflictedItem(pid, name, *conflicts[(member.id, pid)]))
        elif assigned:
            items.append(QueueItem(pid, name, pathway, review_status(started, submitted, abstained)))
    return Queue(items=items, conflicted=conflicted)


# ---------------------------------------------------------------- moderation

class ProposalLine(NamedTuple):
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


@dataclass(slots=True)
class Row:
    rank: int | None
    proposal: ProposalLine
    # The aggregate of the complete, non-conflicted reviewers' totals, read in the database for every row.
    aggregate: float | None
    decision: DecisionLine | None
    # The viewer (a lead who also sits on the panel) is conflicted: nothing of its scores is shown.
    hidden: bool = False
    # The rest is filled in only for the rows someone looks at (add_details); a thousand rows are
    # made on every request, so the defaults are shared empty tuples rather than new lists.
    reviewers: Sequence[ReviewerColumn] = ()
    totals: Sequence[float] = ()
    sd: float | None = None
    missing: Sequence[User] = ()
    # Criteria on which the reviewers disagree; None until the row's details are read.
    disagreement: list[Criterion] | None = None
    calibrated: float | None = None
    z: dict[int, float] = field(default_factory=dict)

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

    @cached_property
    def missing_by_member(self) -> dict[int, int]:
        """{member id: proposals assigned to them, not conflicted, neither scored nor abstained from},
        read when first asked for (the moderation page and the reminders ask; the decide page does not)."""
        return _missing_by_member(self.round.id, [person.id for person in self.members], self.conflicts)

    @property
    def undecided(self) -> int:
        return sum(1 for row in self.rows if row.decision is None)

    @property
    def ranked(self) -> int:
        """How many proposals have a total yet."""
        return sum(1 for row in self.rows if row.rank is not None)


def funding(round_: Round, props, decided: Mapping[int, Decision | DecisionLine]) -> Funding:
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


# Pair keys for _not_conflicted: member id × PAIR + proposal id, unique while ids stay below 2³².
PAIR = 2 ** 32


def _not_conflicted(member_column, proposal_column, conflicts) -> ColumnElement[bool]:
    """A condition leaving out every conflicted (member, proposal) pair.

    The conflicts are found in Python (_conflicts); this only carries them into a query, as one list
    of pair keys that the database probes once a row (a list a member is several times slower on SQLite).
    """
    if not conflicts:
        return true()
    key = cast(member_column, BigInteger) * PAIR + proposal_column
    return key.not_in(sorted(uid * PAIR + pid for uid, pid in conflicts))


def _counted_reviews(round_id: int, panel_ids: list[int], conflicts) -> tuple:
    """Conditions on Review selecting the totals that count: complete reviews by the round's panel
    members, on proposals they are not conflicted on (even if scored before the conflict)."""
    return (Review.round_id == round_id, Review.reviewer_id.in_(panel_ids), Review.submitted_at.is_not(None),
            Review.abstained.is_(False), Review.total.is_not(None),
            _not_conflicted(Review.reviewer_id, Review.proposal_id, conflicts))


def _aggregates(round_id: int, panel_ids: list[int], conflicts, how: str) -> dict[int, float]:
    """{proposal id: aggregate} of every proposal with a counted total: the mean, or the median (the
    middle total, or the mean of the middle two). Computed in the database, so ranking a thousand
    proposals reads a thousand rows rather than every reviewer's total."""
    counted = _counted_reviews(round_id, panel_ids, conflicts)
    if how == Aggregate.MEDIAN.value:
        ordered = (select(Review.proposal_id.label("proposal_id"), Review.total.label("total"),
                          func.row_number().over(partition_by=Review.proposal_id, order_by=Review.total).label("place"),
                          func.count().over(partition_by=Review.proposal_id).label("n"))
                   .where(*counted).subquery())
        stmt = (select(ordered.c.proposal_id, func.avg(ordered.c.total))
                .where(or_(ordered.c.place == (ordered.c.n + 1) // 2, ordered.c.place == (ordered.c.n + 2) // 2))
                .group_by(ordered.c.proposal_id))
    else:
        stmt = select(Review.proposal_id, func.avg(Review.total)).where(*counted).group_by(Review.proposal_id)
    return {pid: scoring.as_ranked(value) for pid, value in _rows(stmt)}


def _missing_by_member(round_id: int, panel_ids: list[int], conflicts) -> dict[int, int]:
    """{member id: how many proposals assigned to them (not conflicted) they have neither scored nor abstained from}."""
    # An outer join kept where nothing answered it (faster than NOT EXISTS on SQLite).
    answered = and_(Review.proposal_id == Assignment.proposal_id, Review.reviewer_id == Assignment.user_id,
                    or_(Review.abstained.is_(True), Review.submitted_at.is_not(None)))
    return dict(_rows(select(Assignment.user_id, func.count()).outerjoin(Review, answered)
                      .where(Assignment.round_id == round_id, Assignment.user_id.in_(panel_ids), Review.id.is_(None),
                             _not_conflicted(Assignment.user_id, Assignment.proposal_id, conflicts))
                      .group_by(Assignment.user_id)))


def moderation(round_: Round, settings: PanelSettings | None = None, viewer: User | None = None,
               details: bool = True, calibrate: bool = True) -> Moderation:
    """The ranked table: per proposal, the aggregate of its non-conflicted reviewers' weighted totals,
    the decision, and (with details) each reviewer's total, the spread, missing reviewers, disagreement
    and calibration (z-scores) beside.

    Ranking reads one aggregate per proposal from the database (_aggregates), never the individual
    scores; details are read for every row here, or by a page for the rows it shows (add_details).

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
    panel_ids = [person.id for person in people]
    aggregates = _aggregates(round_.id, panel_ids, conflicts, settings.aggregate.value)
    decided = decision_lines(round_.id)
    hidden = set() if viewer is None else {pid for uid, pid in conflicts if uid == viewer.id}
    rows = [Row(rank=None, proposal=line, aggregate=None if line.id in hidden else aggregates.get(line.id),
                decision=decided.get(line.id), hidden=line.id in hidden) for line in lines]
    rows.sort(key=lambda r: (r.aggregate is None, -(r.aggregate or 0), r.proposal.applicant_name.lower()))
    for i, row in enumerate(rows, start=1):
        row.rank = i if row.aggregate is not None else None
    table = Moderation(round=round_, settings=settings, criteria=crit, members=people, rows=rows,
                       funding=funding(round_, lines, decided), conflicts=conflicts)
    if details:
        add_details(table, rows, calibrate=calibrate)
    return table


def add_details(table: Moderation, rows: list[Row], calibrate: bool = True) -> None:
    """Fill in some rows' reviewers (total, missing, abstained, per-criterion values, comment, abstention
    reason), spread, missing list and disagreement flags, and with calibrate each reviewer's z-score
    (against that member's own mean and spread over the whole round) and the row's calibrated aggregate.
    Two queries whatever the number of rows; hidden rows stay empty.

    The proposal ids alone select the pairs (filtering on the round as well leads SQLite to scan the
    whole round's scores by its round index).
    """
    for row in rows:
        if row.hidden:
            row.disagreement = []
    shown = [row for row in rows if not row.hidden]
    if not shown:
        return
    ids = [row.proposal.id for row in shown]
    panel_ids = [person.id for person in table.members]
    # Every assignment with its review if any, and the reviews left behind by an unassignment.
    review_columns = (Review.submitted_at.is_not(None), Review.abstained, Review.total, Review.comment,
                      Review.abstain_reason)
    pairs = union_all(
        select(Assignment.user_id.label("reviewer_id"), Assignment.proposal_id, true(), Review.id.is_not(None),
               *review_columns)
        .outerjoin(Review, and_(Review.proposal_id == Assignment.proposal_id, Review.reviewer_id == Assignment.user_id))
        .where(Assignment.proposal_id.in_(ids)),
        select(Review.reviewer_id, Review.proposal_id, false(), true(), *review_columns)
        .outerjoin(Assignment, and_(Assignment.proposal_id == Review.proposal_id,
                                    Assignment.user_id == Review.reviewer_id))
        .where(Review.proposal_id.in_(ids), Assignment.id.is_(None)))
    stmt = pairs
    if calibrate:
        pairs = pairs.subquery()
        # Each member's scale over the round, joined on rather than read apart (one query, not two).
        scale = (select(Review.reviewer_id, func.count(), func.sum(Review.total), func.sum(Review.total * Review.total),
                        func.min(Review.total), func.max(Review.total))
                 .where(*_counted_reviews(table.round.id, panel_ids, table.conflicts))
                 .group_by(Review.reviewer_id).subquery())
        stmt = select(pairs, *list(scale.c)[1:]).outerjoin(scale, scale.c.reviewer_id == pairs.c.reviewer_id)
    panel = {person.id: (position, person) for position, person in enumerate(table.members)}
    conflicts = table.conflicts
    scales: dict[int, scoring.Scale] = {}
    columns_of: dict[int, list[tuple[int, ReviewerColumn]]] = {}
    for uid, pid, assigned, started, submitted, abstained, total, comment, reason, *sums in _rows(stmt):
        seat = panel.get(uid)
        if seat is None or (uid, pid) in conflicts:
            continue
        if sums and sums[0] and uid not in scales:
            scales[uid] = scoring.scale_from_sums(*sums)
        complete = bool(started and submitted and not abstained)
        columns_of.setdefault(pid, []).append((seat[0], ReviewerColumn(
            seat[1], total if complete else None, {}, missing=bool(assigned and not abstained and not complete),
            abstained=bool(abstained), complete=complete, abstain_reason=reason or "", comment=comment or "")))
    values: dict[tuple[int, int], dict[int, int]] = {}
    for uid, pid, cid, value in _rows(select(Score.reviewer_id, Score.proposal_id, Score.criterion_id, Score.value)
                                      .where(Score.proposal_id.in_(ids))):
        values.setdefault((uid, pid), {})[cid] = value
    criterion_ids = [c.id for c in table.criteria]
    how = table.settings.aggregate.value
    for row in shown:
        pid = row.proposal.id
        row.reviewers = [column for _, column in sorted(columns_of.get(pid, []), key=itemgetter(0))]  # panel order
        row.totals = [c.total for c in row.reviewers if c.total is not None]
        row.sd = scoring.spread(row.totals)
        row.missing = [c.reviewer for c in row.reviewers if c.missing]
        for column in row.reviewers:
            if column.complete:
                column.values = values.get((column.reviewer.id, pid), {})
        flagged = set(scoring.disagreements([c.values for c in row.reviewers if c.complete], criterion_ids))
        row.disagreement = [c for c in table.criteria if c.id in flagged]
        if calibrate:
            row.z = {c.reviewer.id: scales[c.reviewer.id].z(c.total) for c in row.reviewers
                     if c.total is not None and c.reviewer.id in scales}
            row.calibrated = scoring.aggregate(list(row.z.values()), how)


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
