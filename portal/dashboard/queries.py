"""Reads behind the lead's dashboard: funnel, funding, scoring progress, sessions, risks, year on year.

Every figure counts rows that survive anonymisation (proposal states, departments, pathways, dates),
so retention never changes a report.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from portal.auth.models import User
from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring.models import Meeting, MentorProfile, Outcome as AwardOutcome, Pairing, PairingState, Progress, SectionStatus
from portal.panel.models import Assignment, Decision, PanelMember, Review
from portal.proposals.models import Proposal, ProposalState
from portal.rounds.models import Pathway, Round, RoundState
from portal.schedule.models import Booking, BookingStatus, Session, SessionKind, SessionStatus
from portal.timeutil import to_local

QUIET_WEEKS = 6
DEADLINE_NEAR_DAYS = 28
REGISTRATION_WARNING_DAYS = 60
# Intro sessions not tied to a round count for the round they happened before.
INTRO_LOOKBACK_DAYS = 180

SUBMITTED_STATES = (ProposalState.SUBMITTED, ProposalState.SELECTED, ProposalState.WAITLISTED,
                    ProposalState.NOT_SELECTED, ProposalState.DECLINED)
OPEN_PAIRING_STATES = (PairingState.LOCKED, PairingState.CONFIRMED)


@dataclass
class Step:
    label: str
    count: int
    conversion: float | None  # share of the step before, 0..1


@dataclass
class Funding:
    places: int | None
    selected: int
    budget_pence: int | None
    used_pence: int


@dataclass
class ScoringRow:
    name: str
    assigned: int
    done: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.assigned) if self.assigned else 100


@dataclass
class SessionRow:
    session: Session
    booked: int
    waitlisted: int


@dataclass
class Risk:
    proposal_id: int
    name: str
    reasons: list[str] = field(default_factory=list)


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


def rounds() -> list[Round]:
    """Every round past drafting, newest first."""
    return list(db.session.scalars(
        select(Round).where(Round.state != RoundState.DRAFT).order_by(Round.opens_at.desc(), Round.id.desc())))


def default_round() -> Round | None:
    """The round the lead most likely means: the newest one that is past drafting."""
    found = rounds()
    return found[0] if found else None


def _intro_attendees(round_: Round) -> int:
    window_start = round_.opens_at - timedelta(days=INTRO_LOOKBACK_DAYS)
    return db.session.scalar(
        select(func.count(func.distinct(Booking.user_id)))
        .join(Session, Session.id == Booking.session_id)
        .where(Session.kind == SessionKind.INTRO, Booking.attended.is_(True),
               or_(Session.round_id == round_.id,
                   and_(Session.round_id.is_(None), Session.starts_at >= window_start,
                        Session.starts_at <= round_.closes_at)))) or 0


def _portfolio_submitted(progress: Progress) -> bool:
    """Approximation: every section marked ready, or the awarding body's outcome is known."""
    if progress.outcome is not None:
        return True
    return bool(progress.sections) and all(s.status == SectionStatus.READY for s in progress.sections)


def selected_proposal_ids(round_id: int) -> list[int]:
    return list(db.session.scalars(select(Proposal.id).where(
        Proposal.round_id == round_id, Proposal.state == ProposalState.SELECTED)))


def progress_for(proposal_ids: list[int]) -> list[Progress]:
    if not proposal_ids:
        return []
    return list(db.session.scalars(select(Progress).where(Progress.proposal_id.in_(proposal_ids))))


def funnel(round_: Round) -> list[Step]:
    """Intro attended -> draft -> submitted -> selected -> registered -> portfolio submitted -> awarded."""
    counts = dict(db.session.execute(
        select(Proposal.state, func.count()).where(Proposal.round_id == round_.id).group_by(Proposal.state)).all())
    started = sum(counts.values())
    submitted = db.session.scalar(select(func.count()).select_from(Proposal).where(
        Proposal.round_id == round_.id,
        or_(Proposal.state.in_(SUBMITTED_STATES), Proposal.submitted_at.is_not(None)))) or 0
    selected = counts.get(ProposalState.SELECTED, 0)
    progress = progress_for(selected_proposal_ids(round_.id))
    registered = sum(1 for p in progress if p.registered_on is not None)
    portfolio = sum(1 for p in progress if _portfolio_submitted(p))
    awarded = sum(1 for p in progress if p.outcome == AwardOutcome.AWARDED)
    raw = [("Intro session attended", _intro_attendees(round_)), ("Started a proposal", started),
           ("Submitted", submitted), ("Selected", selected), ("Registered with the awarding body", registered),
           ("Portfolio submitted", portfolio), ("Awarded", awarded)]
    steps, before = [], None
    for label, count in raw:
        steps.append(Step(label, count, (count / before) if before else None))
        before = count
    return steps


def funding(round_: Round) -> Funding:
    rows = db.session.execute(
        select(Pathway.fee_pence, func.count()).join(Proposal, Proposal.pathway_id == Pathway.id)
        .where(Proposal.round_id == round_.id, Proposal.state == ProposalState.SELECTED)
        .group_by(Pathway.fee_pence)).all()
    selected = sum(n for _fee, n in rows)
    used = sum((fee or 0) * n for fee, n in rows)
    return Funding(round_.funded_places, selected, round_.budget_pence, used)


def scoring_progress(round_id: int) -> list[ScoringRow]:
    """Per panel member: reviews to do (assignments, or every submitted proposal when none) and done."""
    members = list(db.session.execute(
        select(User.id, User.name).join(PanelMember, PanelMember.user_id == User.id)
        .where(PanelMember.round_id == round_id).order_by(User.name)).all())
    if not members:
        return []
    assigned = dict(db.session.execute(
        select(Assignment.user_id, func.count()).where(Assignment.round_id == round_id)
        .group_by(Assignment.user_id)).all())
    any_assignments = bool(db.session.scalar(select(func.count()).select_from(Assignment)
                                             .where(Assignment.round_id == round_id)))
    in_review = db.session.scalar(select(func.count()).select_from(Proposal).where(
        Proposal.round_id == round_id, Proposal.state.in_(SUBMITTED_STATES))) or 0
    done = dict(db.session.execute(
        select(Review.reviewer_id, func.count()).where(
            Review.round_id == round_id, or_(Review.submitted_at.is_not(None), Review.abstained.is_(True)))
        .group_by(Review.reviewer_id)).all())
    return [ScoringRow(name, assigned.get(uid, 0) if any_assignments else in_review, done.get(uid, 0))
            for uid, name in members]


def upcoming_sessions(round_id: int | None, now: datetime | None = None, limit: int = 10) -> list[SessionRow]:
    now = now or utcnow()
    query = select(Session).where(Session.starts_at >= now, Session.status == SessionStatus.SCHEDULED,
                                  Session.kind != SessionKind.DEADLINE, Session.block_id.is_(None))
    if round_id is not None:
        query = query.where(or_(Session.round_id == round_id, Session.round_id.is_(None)))
    sessions = list(db.session.scalars(query.order_by(Session.starts_at).limit(limit)))
    if not sessions:
        return []
    waiting = dict(db.session.execute(
        select(Booking.session_id, func.count()).where(
            Booking.session_id.in_([s.id for s in sessions]), Booking.status == BookingStatus.WAITLISTED)
        .group_by(Booking.session_id)).all())
    return [SessionRow(s, s.booked_count, waiting.get(s.id, 0)) for s in sessions]


def last_meeting_dates(pairing_ids: list[int]) -> dict[int, date]:
    if not pairing_ids:
        return {}
    return dict(db.session.execute(
        select(Meeting.pairing_id, func.max(Meeting.held_on)).where(Meeting.pairing_id.in_(pairing_ids))
        .group_by(Meeting.pairing_id)).all())


def registration_expires_on(registered_on: date) -> date:
    months = int(current_app.config.get("REGISTRATION_MONTHS", 12))
    return registered_on + timedelta(days=round(months * 365 / 12))


def at_risk(round_: Round, now: datetime | None = None) -> list[Risk]:
    """Participants still on their way to an award who need the lead's attention, and why."""
    now = now or utcnow()
    today = to_local(now).date()
    people = list(db.session.execute(
        select(Proposal.id, User.name).join(User, User.id == Proposal.user_id)
        .where(Proposal.round_id == round_.id, Proposal.state == ProposalState.SELECTED).order_by(User.name)).all())
    if not people:
        return []
    ids = [pid for pid, _ in people]
    progress = {p.proposal_id: p for p in progress_for(ids)}
    pairings = {p.proposal_id: p for p in db.session.scalars(select(Pairing).where(
        Pairing.proposal_id.in_(ids), Pairing.state.in_(OPEN_PAIRING_STATES)))}
    last = last_meeting_dates([p.id for p in pairings.values()])
    risks = []
    for pid, name in people:
        prog = progress.get(pid)
        if prog is not None and prog.outcome is not None:
            continue
        reasons = []
        pairing = pairings.get(pid)
        if pairing is None:
            reasons.append("No mentor")
        else:
            since = last.get(pairing.id) or to_local(pairing.confirmed_at or pairing.created_at).date()
            if (today - since).days >= QUIET_WEEKS * 7:
                reasons.append(f"No meeting since {since.isoformat()}")
        if prog is not None and prog.registered_on is not None:
            expires = registration_expires_on(prog.registered_on)
            if (expires - today).days <= REGISTRATION_WARNING_DAYS:
                reasons.append(f"Registration expires {expires.isoformat()}")
        if prog is not None and prog.target_deadline is not None:
            days = (prog.target_deadline - today).days
            not_ready = [s for s in prog.sections if s.status != SectionStatus.READY]
            if days <= DEADLINE_NEAR_DAYS and not_ready:
                reasons.append(f"Deadline {prog.target_deadline.isoformat()} with {len(not_ready)} section(s) not ready")
        if reasons:
            risks.append(Risk(pid, name, reasons))
    return risks


def applications_by(round_id: int) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Submitted applications counted by department and by pathway."""
    where = (Proposal.round_id == round_id, Proposal.state.in_(SUBMITTED_STATES))
    by_department = [(d or "Not given", n) for d, n in db.session.execute(
        select(Proposal.department, func.count()).where(*where).group_by(Proposal.department)
        .order_by(func.count().desc(), Proposal.department)).all()]
    by_pathway = [(name or "Not chosen", n) for name, n in db.session.execute(
        select(Pathway.name, func.count()).select_from(Proposal).outerjoin(Pathway, Pathway.id == Proposal.pathway_id)
        .where(*where).group_by(Pathway.name, Pathway.position).order_by(Pathway.position)).all()]
    return by_department, by_pathway


def year_rows() -> list[YearRow]:
    """One row per round (oldest first): what a funder asks about."""
    rows = []
    all_rounds = sorted(rounds(), key=lambda r: (r.opens_at, r.id))
    for round_ in all_rounds:
        counts = dict(db.session.execute(
            select(Proposal.state, func.count()).where(Proposal.round_id == round_.id).group_by(Proposal.state)).all())
        applications = sum(n for state, n in counts.items() if state in SUBMITTED_STATES)
        selected_ids = selected_proposal_ids(round_.id)
        progress = progress_for(selected_ids)
        awarded = sum(1 for p in progress if p.outcome == AwardOutcome.AWARDED)
        referred = sum(1 for p in progress if p.outcome == AwardOutcome.RESUBMIT)
        decided_at = dict(db.session.execute(select(Proposal.id, Proposal.decided_at).where(
            Proposal.id.in_(selected_ids))).all()) if selected_ids else {}
        days = []
        for p in progress:
            start = decided_at.get(p.proposal_id)
            if p.outcome_recorded_at is not None and start is not None:
                days.append((p.outcome_recorded_at - start).days)
        mentor_rows = db.session.execute(
            select(Pairing.mentor_id, func.count()).where(
                Pairing.round_id == round_.id, Pairing.state.in_((*OPEN_PAIRING_STATES, PairingState.ENDED)))
            .group_by(Pairing.mentor_id)).all()
        mentors = len(mentor_rows)
        rows.append(YearRow(
            round=round_, applications=applications, selected=len(selected_ids), awarded=awarded, referred=referred,
            completion_rate=(awarded / len(selected_ids)) if selected_ids else None,
            median_days_to_submission=statistics.median(days) if days else None,
            mentors=mentors, mentor_load=(sum(n for _m, n in mentor_rows) / mentors) if mentors else None))
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


# ---------------------------------------------------------------- exports (rows, streamed)

def proposal_rows(round_id: int):
    query = (select(Proposal, User.name, User.email, Pathway.name).join(User, User.id == Proposal.user_id)
             .outerjoin(Pathway, Pathway.id == Proposal.pathway_id)
             .where(Proposal.round_id == round_id).order_by(Proposal.id))
    for p, name, email, pathway in db.session.execute(query).yield_per(200):
        yield [p.id, name, email, p.department, p.job_title, pathway, p.state, p.years_experience,
               p.created_at, p.submitted_at, p.decided_at]


PROPOSAL_HEADER = ["proposal_id", "name", "email", "department", "job_title", "pathway", "state",
                   "years_experience", "created_at", "submitted_at", "decided_at"]


def decision_rows(round_id: int):
    query = (select(Decision, User.name, Proposal.department).join(Proposal, Proposal.id == Decision.proposal_id)
             .join(User, User.id == Proposal.user_id).where(Decision.round_id == round_id).order_by(Decision.id))
    for d, name, department in db.session.execute(query).yield_per(200):
        yield [d.proposal_id, name, department, d.outcome, d.waitlist_position, d.decided_at, d.offered_at,
               d.accept_by, d.accepted_at, d.declined_at, d.feedback]


DECISION_HEADER = ["proposal_id", "name", "department", "outcome", "waitlist_position", "decided_at", "offered_at",
                   "accept_by", "accepted_at", "declined_at", "feedback"]


def attendance_rows(round_id: int):
    query = (select(Session, Booking, User.name, User.email).join(Booking, Booking.session_id == Session.id)
             .join(User, User.id == Booking.user_id)
             .where(or_(Session.round_id == round_id, Session.round_id.is_(None)))
             .order_by(Session.starts_at, Session.id, User.name))
    for s, b, name, email in db.session.execute(query).yield_per(200):
        yield [s.id, s.title, s.kind, s.starts_at, name, email, b.status, b.attended]


ATTENDANCE_HEADER = ["session_id", "session", "kind", "starts_at", "name", "email", "booking_status", "attended"]


def pairing_rows(round_id: int):
    mentor_user = aliased(User)
    query = (select(Pairing, User.name, mentor_user.name).join(User, User.id == Pairing.mentee_id)
             .join(MentorProfile, MentorProfile.id == Pairing.mentor_id)
             .join(mentor_user, mentor_user.id == MentorProfile.user_id)
             .where(Pairing.round_id == round_id).order_by(Pairing.id))
    for p, mentee, mentor in db.session.execute(query).yield_per(200):
        yield [p.id, p.proposal_id, mentee, mentor, p.state, p.created_at, p.confirmed_at, p.ended_at, p.ended_reason]


PAIRING_HEADER = ["pairing_id", "proposal_id", "mentee", "mentor", "state", "created_at", "confirmed_at",
                  "ended_at", "ended_reason"]


def progress_rows(round_id: int):
    query = (select(Progress, User.name).join(Proposal, Proposal.id == Progress.proposal_id)
             .join(User, User.id == Proposal.user_id).where(Proposal.round_id == round_id).order_by(Progress.id))
    for prog, name in db.session.execute(query).all():
        ready = sum(1 for s in prog.sections if s.status == SectionStatus.READY)
        yield [prog.proposal_id, name, prog.registered_on, prog.target_deadline, ready, len(prog.sections),
               prog.outcome, prog.outcome_recorded_at]


PROGRESS_HEADER = ["proposal_id", "name", "registered_on", "target_deadline", "sections_ready", "sections",
                   "outcome", "outcome_recorded_at"]

EXPORTS = {
    "proposals": (PROPOSAL_HEADER, proposal_rows),
    "decisions": (DECISION_HEADER, decision_rows),
    "attendance": (ATTENDANCE_HEADER, attendance_rows),
    "pairings": (PAIRING_HEADER, pairing_rows),
    "progress": (PROGRESS_HEADER, progress_rows),
}
