"""The year-on-year table (and the annual report built on it) and the awards over the years."""
from __future__ import annotations

import statistics
from dataclasses import dataclass

from sqlalchemy import func, select

from portal.dashboard.queries import OPEN_PAIRING_STATES, rounds
from portal.extensions import db
from portal.mentoring.models import Outcome as AwardOutcome, Pairing, PairingState, Progress
from portal.proposals.models import Proposal, ProposalState
from portal.proposals.rules import COUNTS_AS_SUBMITTED
from portal.rounds.models import Round
from portal.timeutil import to_local


@dataclass
class YearRow:
    round: Round
    applications: int
    selected: int
    awarded: int
    referred: int
    completion_rate: float | None
    median_days_to_submission: float | None
    mentors: int
    mentor_load: float | None


def year_rows(listed: list[Round] | None = None) -> list[YearRow]:
    """One row per round (oldest first): what a funder asks about. Three queries however many rounds,
    plus one for the rounds unless the caller has them (listed)."""
    all_rounds = sorted(rounds() if listed is None else listed, key=lambda r: (r.opens_at, r.id))
    applications = dict(db.session.execute(
        select(Proposal.round_id, func.count()).where(Proposal.state.in_(COUNTS_AS_SUBMITTED))
        .group_by(Proposal.round_id)).all())
    selected: dict[int, list[tuple]] = {}
    for round_id, decided_at, outcome, recorded_at in db.session.execute(
            select(Proposal.round_id, Proposal.decided_at, Progress.outcome, Progress.outcome_recorded_at)
            .outerjoin(Progress, Progress.proposal_id == Proposal.id)
            .where(Proposal.state == ProposalState.SELECTED)):
        selected.setdefault(round_id, []).append((decided_at, outcome, recorded_at))
    mentor_loads: dict[int, list[int]] = {}
    for round_id, _mentor, pairings in db.session.execute(
            select(Pairing.round_id, Pairing.mentor_id, func.count())
            .where(Pairing.state.in_((*OPEN_PAIRING_STATES, PairingState.ENDED)))
            .group_by(Pairing.round_id, Pairing.mentor_id)):
        mentor_loads.setdefault(round_id, []).append(pairings)
    rows = []
    for round_ in all_rounds:
        people = selected.get(round_.id, [])
        awarded = sum(1 for _, outcome, _ in people if outcome == AwardOutcome.AWARDED)
        referred = sum(1 for _, outcome, _ in people if outcome == AwardOutcome.RESUBMIT)
        days = [(recorded_at - decided_at).days for decided_at, _, recorded_at in people
                if recorded_at is not None and decided_at is not None]
        loads = mentor_loads.get(round_.id, [])
        rows.append(YearRow(
            round=round_, applications=applications.get(round_.id, 0), selected=len(people), awarded=awarded,
            referred=referred, completion_rate=(awarded / len(people)) if people else None,
            median_days_to_submission=statistics.median(days) if days else None,
            mentors=len(loads), mentor_load=(sum(loads) / len(loads)) if loads else None))
    return rows


def awards_by_year() -> list[tuple[str, int]]:
    """Awards counted by the calendar year the outcome was recorded in."""
    found = db.session.scalars(select(Progress.outcome_recorded_at).where(
        Progress.outcome == AwardOutcome.AWARDED, Progress.outcome_recorded_at.is_not(None))).all()
    years: dict[int, int] = {}
    for at in found:
        year = to_local(at).year
        years[year] = years.get(year, 0) + 1
    return [(str(y), years[y]) for y in sorted(years)]
