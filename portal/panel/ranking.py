"""The ranked table the lead moderates: per proposal the aggregate, decision and (for the rows shown)
each reviewer's total, the spread, missing reviewers, disagreement and calibration.

Ranking reads one aggregate per proposal from the database, never the individual scores, and details
cost two queries whatever the number of rows (no N+1).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import and_, false, func, or_, select, true, union_all

from portal.auth.models import User
from portal.panel import calibration, scoring
from portal.panel.conflicts import (ApplicantFacts, ProposalFacts, declared_conflicts, find_conflicts,
                                    not_conflicted)
from portal.panel.funding import Funding, tally
from portal.panel.models import Aggregate, Assignment, Criterion, PanelSettings, Review, Score
from portal.panel.queries import (REVIEWABLE, DecisionLine, criteria, decision_lines, members, plain_rows,
                                  settings_for)
from portal.proposals.models import Proposal
from portal.rounds.models import Pathway, Round


class ProposalLine(NamedTuple):
    """A proposal as the moderation table shows it: plain values, a thousand of them at a time."""

    id: int
    applicant_name: str
    department: str
    pathway_name: str | None
    fee_pence: int


def proposal_lines(round_id: int) -> list[tuple[ProposalLine, ProposalFacts, ApplicantFacts]]:
    """The round's reviewable proposals as plain lines, each with the facts the conflict rules read."""
    return [(ProposalLine(pid, name, department or "", pathway, fee or 0),
             ProposalFacts(applicant_id, manager_email, department), ApplicantFacts(manager_id, applicant_department))
            for (pid, applicant_id, manager_email, department, name, manager_id, applicant_department, pathway,
                 fee) in plain_rows(
                select(Proposal.id, Proposal.user_id, Proposal.line_manager_email, Proposal.department, User.name,
                       User.line_manager_id, User.department, Pathway.name, Pathway.fee_pence)
                .join(User, User.id == Proposal.user_id).outerjoin(Pathway, Pathway.id == Proposal.pathway_id)
                .where(Proposal.round_id == round_id, Proposal.state.in_(REVIEWABLE)).order_by(Proposal.id))]


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


def counted_reviews(round_id: int, panel_ids: list[int], conflicts) -> tuple:
    """Conditions on Review selecting the totals that count: complete reviews by the round's panel
    members, on proposals they are not conflicted on (even if scored before the conflict)."""
    return (Review.round_id == round_id, Review.reviewer_id.in_(panel_ids), Review.submitted_at.is_not(None),
            Review.abstained.is_(False), Review.total.is_not(None),
            not_conflicted(Review.reviewer_id, Review.proposal_id, conflicts))


def _aggregates(round_id: int, panel_ids: list[int], conflicts, how: str) -> dict[int, float]:
    """{proposal id: aggregate} of every proposal with a counted total: the mean, or the median (the
    middle total, or the mean of the middle two). Computed in the database, so ranking a thousand
    proposals reads a thousand rows rather than every reviewer's total."""
    counted = counted_reviews(round_id, panel_ids, conflicts)
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
    return {pid: scoring.as_ranked(value) for pid, value in plain_rows(stmt)}


def _missing_by_member(round_id: int, panel_ids: list[int], conflicts) -> dict[int, int]:
    """{member id: how many proposals assigned to them (not conflicted) they have neither scored nor abstained from}."""
    # An outer join kept where nothing answered it (faster than NOT EXISTS on SQLite).
    answered = and_(Review.proposal_id == Assignment.proposal_id, Review.reviewer_id == Assignment.user_id,
                    or_(Review.abstained.is_(True), Review.submitted_at.is_not(None)))
    return dict(plain_rows(select(Assignment.user_id, func.count()).outerjoin(Review, answered)
                           .where(Assignment.round_id == round_id, Assignment.user_id.in_(panel_ids),
                                  Review.id.is_(None), not_conflicted(Assignment.user_id, Assignment.proposal_id,
                                                                      conflicts))
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
    conflicts = find_conflicts([(line.id, facts, applicant) for line, facts, applicant in found], people, settings,
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
                       funding=tally(round_, lines, decided), conflicts=conflicts)
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
    stmt = union_all(
        select(Assignment.user_id.label("reviewer_id"), Assignment.proposal_id, true(), Review.id.is_not(None),
               *review_columns)
        .outerjoin(Review, and_(Review.proposal_id == Assignment.proposal_id, Review.reviewer_id == Assignment.user_id))
        .where(Assignment.proposal_id.in_(ids)),
        select(Review.reviewer_id, Review.proposal_id, false(), true(), *review_columns)
        .outerjoin(Assignment, and_(Assignment.proposal_id == Review.proposal_id,
                                    Assignment.user_id == Review.reviewer_id))
        .where(Review.proposal_id.in_(ids), Assignment.id.is_(None)))
    if calibrate:
        stmt = calibration.with_scales(stmt, counted_reviews(table.round.id, panel_ids, table.conflicts))
    panel = {person.id: (position, person) for position, person in enumerate(table.members)}
    conflicts = table.conflicts
    scales: dict[int, scoring.Scale] = {}
    columns_of: dict[int, list[tuple[int, ReviewerColumn]]] = {}
    for uid, pid, assigned, started, submitted, abstained, total, comment, reason, *sums in plain_rows(stmt):
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
    for uid, pid, cid, value in plain_rows(select(Score.reviewer_id, Score.proposal_id, Score.criterion_id,
                                                  Score.value).where(Score.proposal_id.in_(ids))):
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
            calibration.calibrate(row, scales, how)
