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
from portal.mentoring.models import (Meeting, MentorProfile, Outcome as AwardOutcome, Pairing, PairingState,
                                     Progress, ProgressSection, SectionStatus)
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


@dataclass
class RoundCounts:
    """A round's proposals counted once, for the funnel and the funding."""
    intro_attendees: int
    started: int
    submitted: int
    selected: int
    funded: int        # selected with a pathway (its fee is what the budget pays)
    used_pence: int


@dataclass
class Participant:
    """A selected proposal with what the funnel and the at-risk list need of its progress and pairing."""
    proposal_id: int
    name: str
    registered_on: date | None
    target_deadline: date | None
    outcome: AwardOutcome | None
    sections: int
    sections_ready: int
    pairing_id: int | None
    paired_at: datetime | None     # confirmed, or else proposed
    last_meeting: date | None

    @property
    def portfolio_submitted(self) -> bool:
        """Approximation: every section marked ready, or the awarding body's outcome is known."""
        if self.outcome is not None:
            return True
        return self.sections > 0 and self.sections_ready == self.sections


def rounds() -> list[Round]:
    """Every round past drafting, newest first."""
    return list(db.session.scalars(
        select(Round).where(Round.state != RoundState.DRAFT).order_by(Round.opens_at.desc(), Round.id.desc())))


def default_round() -> Round | None:
    """The round the lead most likely means: the newest one that is past drafting."""
    found = rounds()
    return found[0] if found else None


def _intro_attendees(round_: Round):
    """People who attended an intro session of the round (or one before it, not tied to a round): a subquery."""
    window_start = round_.opens_at - timedelta(days=INTRO_LOOKBACK_DAYS)
    return (select(func.count(func.distinct(Booking.user_id)))
            .join(Session, Session.id == Booking.session_id)
            .where(Session.kind == SessionKind.INTRO, Booking.attended.is_(True),
                   or_(Session.round_id == round_.id,
                       and_(Session.round_id.is_(None), Session.starts_at >= window_start,
                            Session.starts_at <= round_.closes_at)))
            .scalar_subquery())


def round_counts(round_: Round) -> RoundCounts:
    """The round's proposal counts, fees of the selected and intro attendance, in one query."""
    selected = Proposal.state == ProposalState.SELECTED
    row = db.session.execute(
        select(_intro_attendees(round_), func.count(),
               func.count().filter(or_(Proposal.state.in_(SUBMITTED_STATES), Proposal.submitted_at.is_not(None))),
               func.count().filter(selected),
               func.count(Pathway.id).filter(selected),
               func.sum(Pathway.fee_pence).filter(selected))
        .select_from(Proposal).outerjoin(Pathway, Pathway.id == Proposal.pathway_id)
        .where(Proposal.round_id == round_.id)).one()
    intro, started, submitted, selected_n, funded, used = row
    return RoundCounts(intro or 0, started, submitted, selected_n, funded, used or 0)


def participants(round_id: int) -> list[Participant]:
    """The round's selected proposals by name, with progress, section counts, open pairing and last meeting."""
    sections = (select(func.count()).where(ProgressSection.progress_id == Progress.id)
                .correlate(Progress).scalar_subquery())
    ready = (select(func.count()).where(ProgressSection.progress_id == Progress.id,
                                        ProgressSection.status == SectionStatus.READY)
             .correlate(Progress).scalar_subquery())
    last_meeting = (select(func.max(Meeting.held_on)).where(Meeting.pairing_id == Pairing.id)
                    .correlate(Pairing).scalar_subquery())
    rows = db.session.execute(
        select(Proposal.id, User.name, Progress.registered_on, Progress.target_deadline,
               Progress.outcome, sections, ready, Pairing.id, Pairing.confirmed_at, Pairing.created_at, last_meeting)
        .join(User, User.id == Proposal.user_id)
        .outerjoin(Progress, Progress.proposal_id == Proposal.id)
        .outerjoin(Pairing, and_(Pairing.proposal_id == Proposal.id, Pairing.state.in_(OPEN_PAIRING_STATES)))
        .where(Proposal.round_id == round_id, Proposal.state == ProposalState.SELECTED)
        .order_by(User.name, Proposal.id, Pairing.id)).all()
    found: dict[int, Participant] = {}  # one per proposal: the newest open pairing counts
    for (pid, name, registered_on, target_deadline, outcome, n_sections, n_ready,
         pairing_id, confirmed_at, created_at, last) in rows:
        found[pid] = Participant(pid, name, registered_on, target_deadline, outcome,
                                 n_sections or 0, n_ready or 0, pairing_id,
                                 confirmed_at or created_at, last)
    return list(found.values())


def funnel(round_: Round, counts: RoundCounts | None = None,
           people: list[Participant] | None = None) -> list[Step]:
    """Intro attended -> draft -> submitted -> selected -> registered -> portfolio submitted -> awarded."""
    counts = round_counts(round_) if counts is None else counts
    people = participants(round_.id) if people is None else people
    registered = sum(1 for p in people if p.registered_on is not None)
    portfolio = sum(1 for p in people if p.portfolio_submitted)
    awarded = sum(1 for p in people if p.outcome == AwardOutcome.AWARDED)
    raw = [("Intro session attended", counts.intro_attendees), ("Started a proposal", counts.started),
           ("Submitted", counts.submitted), ("Selected", counts.selected),
           ("Registered with the awarding body", registered), ("Portfolio submitted", portfolio),
           ("Awarded", awarded)]
    steps, before = [], None
    for label, count in raw:
        steps.append(Step(label, count, (count / before) if before else None))
        before = count
    return steps


def funding(round_: Round, counts: RoundCounts | None = None) -> Funding:
    """Funded places and budget against the selected proposals with a pathway and its fee."""
    counts = round_counts(round_) if counts is None else counts
    return Funding(round_.funded_places, counts.funded, round_.budget_pence, counts.used_pence)


def scoring_progress(round_id: int) -> list[ScoringRow]:
    """Per panel member: reviews to do (assignments, or every submitted proposal when none) and done."""
    assigned = (select(Assignment.user_id, func.count().label("n")).where(Assignment.round_id == round_id)
                .group_by(Assignment.user_id).subquery())
    done = (select(Review.reviewer_id, func.count().label("n"))
            .where(Review.round_id == round_id, or_(Review.submitted_at.is_not(None), Review.abstained.is_(True)))
            .group_by(Review.reviewer_id).subquery())
    any_assignments = select(Assignment.id).where(Assignment.round_id == round_id).exists()
    in_review = select(func.count()).select_from(Proposal).where(
        Proposal.round_id == round_id, Proposal.state.in_(SUBMITTED_STATES)).scalar_subquery()
    rows = db.session.execute(
        select(User.name, assigned.c.n, done.c.n, any_assignments, in_review)
        .join(PanelMember, PanelMember.user_id == User.id)
        .outerjoin(assigned, assigned.c.user_id == User.id).outerjoin(done, done.c.reviewer_id == User.id)
        .where(PanelMember.round_id == round_id).order_by(User.name)).all()
    return [ScoringRow(name, (to_do or 0) if has_assignments else (reviewable or 0), done_n or 0)
            for name, to_do, done_n, has_assignments, reviewable in rows]


def upcoming_sessions(round_id: int | None, now: datetime | None = None, limit: int = 10) -> list[SessionRow]:
    """The next sessions (of the round, or for everyone) with their bookings and waiting list, in one query."""
    now = now or utcnow()
    waiting = (select(func.count()).select_from(Booking)
               .where(Booking.session_id == Session.id, Booking.status == BookingStatus.WAITLISTED)
               .correlate(Session).scalar_subquery())
    query = select(Session, waiting).where(Session.starts_at >= now, Session.status == SessionStatus.SCHEDULED,
                                           Session.kind != SessionKind.DEADLINE, Session.block_id.is_(None))
    if round_id is not None:
        query = query.where(or_(Session.round_id == round_id, Session.round_id.is_(None)))
    rows = db.session.execute(query.order_by(Session.starts_at).limit(limit)).all()
    return [SessionRow(s, s.booked_count, n or 0) for s, n in rows]


def registration_expires_on(registered_on: date) -> date:
    months = int(current_app.config.get("REGISTRATION_MONTHS", 12))
    return registered_on + timedelta(days=round(months * 365 / 12))


def at_risk(round_: Round, now: datetime | None = None, people: list[Participant] | None = None) -> list[Risk]:
    """Participants still on their way to an award who need the lead's attention, and why."""
    now = now or utcnow()
    today = to_local(now).date()
    people = participants(round_.id) if people is None else people
    risks = []
    for person in people:
        if person.outcome is not None:
            continue
        reasons = []
        if person.pairing_id is None:
            reasons.append("No mentor")
        else:
            since = person.last_meeting or to_local(person.paired_at).date()
            if (today - since).days >= QUIET_WEEKS * 7:
                reasons.append(f"No meeting since {since.isoformat()}")
        if person.registered_on is not None:
            expires = registration_expires_on(person.registered_on)
            if (expires - today).days <= REGISTRATION_WARNING_DAYS:
                reasons.append(f"Registration expires {expires.isoformat()}")
        if person.target_deadline is not None:
            days = (person.target_deadline - today).days
            not_ready = person.sections - person.sections_ready
            if days <= DEADLINE_NEAR_DAYS and not_ready:
                reasons.append(f"Deadline {person.target_deadline.isoformat()} with {not_ready} section(s) not ready")
        if reasons:
            risks.append(Risk(person.proposal_id, person.name, reasons))
    return risks


def applications_by(round_id: int) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Submitted applications counted by department (most first) and by pathway (in the scheme's order,
    "Not chosen" last), from one query counting each department and pathway pair."""
    departments: dict[str | None, int] = {}
    pathways: dict[tuple[int | None, str | None], int] = {}
    for department, pathway, position, n in db.session.execute(
            select(Proposal.department, Pathway.name, Pathway.position, func.count()).select_from(Proposal)
            .outerjoin(Pathway, Pathway.id == Proposal.pathway_id)
            .where(Proposal.round_id == round_id, Proposal.state.in_(SUBMITTED_STATES))
            .group_by(Proposal.department, Pathway.name, Pathway.position)):
        departments[department] = departments.get(department, 0) + n
        pathways[(position, pathway)] = pathways.get((position, pathway), 0) + n
    by_department = [(d or "Not given", n) for d, n in sorted(departments.items(), key=lambda i: (-i[1], i[0] or ""))]
    by_pathway = [(name or "Not chosen", n) for (position, name), n in
                  sorted(pathways.items(), key=lambda i: (i[0][0] is None, i[0][0] or 0, i[0][1] or ""))]
    return by_department, by_pathway


def year_rows(listed: list[Round] | None = None) -> list[YearRow]:
    """One row per round (oldest first): what a funder asks about. Three queries however many rounds,
    plus one for the rounds unless the caller has them (listed)."""
    all_rounds = sorted(rounds() if listed is None else listed, key=lambda r: (r.opens_at, r.id))
    applications = dict(db.session.execute(
        select(Proposal.round_id, func.count()).where(Proposal.state.in_(SUBMITTED_STATES))
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
