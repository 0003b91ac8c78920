"""The round dashboard's funnel: a round's proposals counted once, its selected participants with their
progress, and the applications by department and pathway. The funding is the panel's
(portal/panel/funding.py round_funding), so the dashboard and the moderation page agree."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from portal.auth.models import User
from portal.dashboard.queries import OPEN_PAIRING_STATES
from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring.models import (Meeting, MentorProfile, Nudge, NudgeRecipient, Outcome as AwardOutcome, Pairing,
                                     PairingState, Progress, ProgressSection, SectionStatus)
from portal.proposals.models import Proposal, ProposalState
from portal.proposals.rules import COUNTS_AS_SUBMITTED
from portal.rounds.models import Pathway, Round
from portal.schedule.models import Booking, Session, SessionKind
from portal.timeutil import to_local

# Intro sessions not tied to a round count for the round they happened before.
INTRO_LOOKBACK_DAYS = 180


@dataclass
class Step:
    label: str
    count: int
    conversion: float | None  # share of the step before, 0..1


@dataclass
class RoundCounts:
    """A round's proposals counted once, for the funnel."""
    intro_attendees: int
    started: int
    submitted: int
    selected: int


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
    mentor_name: str | None = None
    pairing_confirmed: bool = False  # the pair know of it (a locked pairing is still the lead's working note)
    nudged_today: dict = field(default_factory=dict)  # NudgeRecipient -> when the lead nudged them today

    @property
    def portfolio_submitted(self) -> bool:
        """Approximation: every section marked ready, or the awarding body's outcome is known."""
        if self.outcome is not None:
            return True
        return self.sections > 0 and self.sections_ready == self.sections


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
    """The round's proposal counts and intro attendance, in one query. "Submitted" counts every proposal
    that reached submission, withdrawn ones included (a funnel counts who got to each step)."""
    row = db.session.execute(
        select(_intro_attendees(round_), func.count(),
               func.count().filter(or_(Proposal.state.in_(COUNTS_AS_SUBMITTED), Proposal.submitted_at.is_not(None))),
               func.count().filter(Proposal.state == ProposalState.SELECTED))
        .select_from(Proposal).where(Proposal.round_id == round_.id)).one()
    intro, started, submitted, selected_n = row
    return RoundCounts(intro or 0, started, submitted, selected_n)


def _nudged_today(recipient: NudgeRecipient, today: date):
    return (select(func.max(Nudge.sent_at)).where(Nudge.proposal_id == Proposal.id, Nudge.recipient == recipient,
                                                  Nudge.sent_on == today)
            .correlate(Proposal).scalar_subquery())


def participants(round_id: int, today: date | None = None) -> list[Participant]:
    """The round's selected proposals by name, with progress, section counts, open pairing, last meeting and
    the lead's nudges of today (the institution's day), in one query."""
    today = today or to_local(utcnow()).date()
    sections = (select(func.count()).where(ProgressSection.progress_id == Progress.id)
                .correlate(Progress).scalar_subquery())
    ready = (select(func.count()).where(ProgressSection.progress_id == Progress.id,
                                        ProgressSection.status == SectionStatus.READY)
             .correlate(Progress).scalar_subquery())
    last_meeting = (select(func.max(Meeting.held_on)).where(Meeting.pairing_id == Pairing.id)
                    .correlate(Pairing).scalar_subquery())
    mentor_user = aliased(User)
    rows = db.session.execute(
        select(Proposal.id, User.name, Progress.registered_on, Progress.target_deadline,
               Progress.outcome, sections, ready, Pairing.id, Pairing.confirmed_at, Pairing.created_at, last_meeting,
               mentor_user.name, Pairing.state, _nudged_today(NudgeRecipient.MENTEE, today),
               _nudged_today(NudgeRecipient.MENTOR, today))
        .join(User, User.id == Proposal.user_id)
        .outerjoin(Progress, Progress.proposal_id == Proposal.id)
        .outerjoin(Pairing, and_(Pairing.proposal_id == Proposal.id, Pairing.state.in_(OPEN_PAIRING_STATES)))
        .outerjoin(MentorProfile, MentorProfile.id == Pairing.mentor_id)
        .outerjoin(mentor_user, mentor_user.id == MentorProfile.user_id)
        .where(Proposal.round_id == round_id, Proposal.state == ProposalState.SELECTED)
        .order_by(User.name, Proposal.id, Pairing.id)).all()
    found: dict[int, Participant] = {}  # one per proposal: the newest open pairing counts
    for (pid, name, registered_on, target_deadline, outcome, n_sections, n_ready,
         pairing_id, confirmed_at, created_at, last, mentor_name, pairing_state, mentee_nudged, mentor_nudged) in rows:
        nudged = {r: at for r, at in ((NudgeRecipient.MENTEE, mentee_nudged), (NudgeRecipient.MENTOR, mentor_nudged))
                  if at is not None}
        found[pid] = Participant(pid, name, registered_on, target_deadline, outcome,
                                 n_sections or 0, n_ready or 0, pairing_id,
                                 confirmed_at or created_at, last, mentor_name,
                                 pairing_state == PairingState.CONFIRMED, nudged)
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


def applications_by(round_id: int) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Submitted applications counted by department (most first) and by pathway (in the scheme's order,
    "Not chosen" last), from one query counting each department and pathway pair."""
    departments: dict[str | None, int] = {}
    pathways: dict[tuple[int | None, str | None], int] = {}
    for department, pathway, position, n in db.session.execute(
            select(Proposal.department, Pathway.name, Pathway.position, func.count()).select_from(Proposal)
            .outerjoin(Pathway, Pathway.id == Proposal.pathway_id)
            .where(Proposal.round_id == round_id, Proposal.state.in_(COUNTS_AS_SUBMITTED))
            .group_by(Proposal.department, Pathway.name, Pathway.position)):
        departments[department] = departments.get(department, 0) + n
        pathways[(position, pathway)] = pathways.get((position, pathway), 0) + n
    by_department = [(d or "Not given", n) for d, n in sorted(departments.items(), key=lambda i: (-i[1], i[0] or ""))]
    by_pathway = [(name or "Not chosen", n) for (position, name), n in
                  sorted(pathways.items(), key=lambda i: (i[0][0] is None, i[0][0] or 0, i[0][1] or ""))]
    return by_department, by_pathway
