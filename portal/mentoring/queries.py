"""Reads for mentoring pages and for the matching (one query per list; no N+1)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal.auth.models import Role, RoleGrant, User
from portal.extensions import db
from portal.mentoring import rules
from portal.mentoring.matching import MenteeRecord, MentorRecord
from portal.mentoring.models import (ExamplePortfolio, MatchingRun, Meeting, MenteeAreas, MentorProfile, Outcome,
                                     Pairing, PairingState, Progress, ProgressSection, SectionStatus)
from portal.proposals.models import Proposal, ProposalState
from portal.rounds.models import Pathway, Round, RoundState
from portal.timeutil import to_local

SUGGESTED_AREAS = ["accessibility", "assessment", "ai in education", "copyright and licensing", "digital skills",
                   "learning analytics", "leadership", "online learning design", "open education", "research",
                   "staff development", "student engagement", "video and lecture capture", "vle administration"]
OPEN_STATES = [PairingState.PROPOSED, PairingState.LOCKED, PairingState.CONFIRMED]


def matching_rounds() -> list[Round]:
    """Rounds whose cohort can be matched: decided or running."""
    return list(db.session.scalars(select(Round).where(Round.state.in_([RoundState.DECIDED, RoundState.RUNNING]))
                                   .order_by(Round.opens_at.desc())))


def participants(round_id: int) -> list[Proposal]:
    """Selected proposals of a round (the cohort), with their people and pathways."""
    return list(db.session.scalars(
        select(Proposal).where(Proposal.round_id == round_id, Proposal.state == ProposalState.SELECTED)
        .options(joinedload(Proposal.applicant), joinedload(Proposal.pathway)).order_by(Proposal.id)))


def participant_proposals(user_id: int) -> list[Proposal]:
    """A person's selected proposals in rounds that are running (or decided), newest first."""
    return list(db.session.scalars(
        select(Proposal).join(Round, Round.id == Proposal.round_id)
        .where(Proposal.user_id == user_id, Proposal.state == ProposalState.SELECTED,
               Round.state.in_([RoundState.DECIDED, RoundState.RUNNING, RoundState.ARCHIVED]))
        .options(selectinload(Proposal.pathway), selectinload(Proposal.round)).order_by(Proposal.id.desc())))


def pairings_in_round(round_id: int, states: list[PairingState] | None = None) -> list[Pairing]:
    stmt = (select(Pairing).where(Pairing.round_id == round_id)
            .options(joinedload(Pairing.mentor).joinedload(MentorProfile.user), joinedload(Pairing.mentee),
                     joinedload(Pairing.proposal).joinedload(Proposal.pathway)).order_by(Pairing.id))
    if states:
        stmt = stmt.where(Pairing.state.in_(states))
    return list(db.session.scalars(stmt))


def open_pairings_of_mentor(profile_id: int) -> list[Pairing]:
    return list(db.session.scalars(select(Pairing).where(Pairing.mentor_id == profile_id,
                                                         Pairing.state.in_(OPEN_STATES))))


def places_taken(profile_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Pairing)
                             .where(Pairing.mentor_id == profile_id, Pairing.state.in_(OPEN_STATES)))


def places_taken_by_mentor() -> dict[int, int]:
    rows = db.session.execute(select(Pairing.mentor_id, func.count()).where(Pairing.state.in_(OPEN_STATES))
                              .group_by(Pairing.mentor_id))
    return {mentor_id: n for mentor_id, n in rows}


def area_vocabulary() -> list[str]:
    """Suggested areas plus every area a mentor has used (for the tag suggestions and for reading proposals)."""
    words = set(SUGGESTED_AREAS)
    for areas in db.session.scalars(select(MentorProfile.specialist_areas)):
        words.update(areas or [])
    return sorted(words)


def _inferred_areas(proposal: Proposal, vocabulary: list[str]) -> frozenset:
    """Areas named in the proposal's own words, for participants who have not chosen any."""
    text = " ".join([proposal.role_summary or "", proposal.learning_technology or "", proposal.motivation or ""]).lower()
    return frozenset(word for word in vocabulary if word in text)


def _mentee(proposal: Proposal, areas: list | None, vocabulary: list[str], rank: int) -> MenteeRecord:
    person = proposal.applicant
    return MenteeRecord(id=proposal.id, user_id=proposal.user_id, level=proposal.pathway.level if proposal.pathway else 1,
                        department=proposal.department or person.department or "", campus=person.campus or "",
                        areas=frozenset(areas) if areas else _inferred_areas(proposal, vocabulary),
                        line_manager_id=person.line_manager_id, waiting_rank=rank, name=person.name)


def mentee_record(proposal: Proposal) -> MenteeRecord:
    areas = db.session.scalar(select(MenteeAreas.areas).where(MenteeAreas.proposal_id == proposal.id))
    return _mentee(proposal, areas, area_vocabulary(), 0)


def mentor_record(profile: MentorProfile, remaining: int) -> MentorRecord:
    person = profile.user
    return MentorRecord(id=profile.id, user_id=profile.user_id, level=profile.award_level, award_name=profile.award_name,
                        department=profile.department or person.department or "", campus=profile.campus or person.campus or "",
                        areas=frozenset(profile.specialist_areas or []), capacity=max(remaining, 0),
                        line_manager_id=person.line_manager_id,
                        close_collaborator_ids=frozenset(profile.close_collaborator_ids or []), name=person.name)


def waiting_since(proposal: Proposal, ended: dict[int, datetime]) -> datetime:
    """When a participant started waiting for a mentor: their last pairing's end, else their selection."""
    return ended.get(proposal.id) or proposal.decided_at or proposal.submitted_at or proposal.created_at


def available_mentors() -> list[MentorProfile]:
    return list(db.session.scalars(select(MentorProfile).where(MentorProfile.approved_at.is_not(None),
                                                               MentorProfile.paused.is_(False))
                                   .options(selectinload(MentorProfile.user)).order_by(MentorProfile.id)))


def waiting_participants(round_id: int, cohort: list[Proposal] | None = None) -> list[tuple[Proposal, datetime]]:
    """Participants with no open pairing and no final outcome, with when they started waiting.

    One query, whatever the cohort's size. cohort: only these of the round's participants, if given.
    """
    open_pairing = select(Pairing.id).where(Pairing.proposal_id == Proposal.id, Pairing.round_id == round_id,
                                            Pairing.state.in_(OPEN_STATES)).exists()
    finished = select(Progress.id).where(Progress.proposal_id == Proposal.id,
                                         Progress.outcome.in_([Outcome.AWARDED, Outcome.WITHDRAWN])).exists()
    last_ended = (select(func.max(Pairing.ended_at))
                  .where(Pairing.proposal_id == Proposal.id, Pairing.round_id == round_id,
                         Pairing.state == PairingState.ENDED).correlate(Proposal).scalar_subquery())
    stmt = (select(Proposal, last_ended)
            .where(Proposal.round_id == round_id, Proposal.state == ProposalState.SELECTED, ~open_pairing, ~finished)
            .options(joinedload(Proposal.applicant), joinedload(Proposal.pathway)).order_by(Proposal.id))
    if cohort is not None:
        stmt = stmt.where(Proposal.id.in_([p.id for p in cohort]))
    return [(proposal, waiting_since(proposal, {proposal.id: ended} if ended else {}))
            for proposal, ended in db.session.execute(stmt).unique().all()]


def matching_records(round_) -> tuple[list[MenteeRecord], list[MentorRecord]]:
    """The records matching needs: waiting participants (ranked by how long they waited) and mentors' places left."""
    waiting = waiting_participants(round_.id)
    vocabulary = area_vocabulary()
    chosen = dict(db.session.execute(select(MenteeAreas.proposal_id, MenteeAreas.areas)
                                     .where(MenteeAreas.proposal_id.in_([p.id for p, _ in waiting]))).all())
    # Earliest start of waiting gets the highest rank; equal times share a rank.
    times = sorted({since for _, since in waiting}, reverse=True)
    rank_of = {since: i for i, since in enumerate(times)}
    mentees = [_mentee(p, chosen.get(p.id), vocabulary, rank_of[since]) for p, since in waiting]
    taken = places_taken_by_mentor()
    mentors = [mentor_record(m, m.capacity - taken.get(m.id, 0)) for m in available_mentors()]
    return mentees, mentors


def last_matching_run(round_id: int) -> MatchingRun | None:
    return db.session.scalar(select(MatchingRun).where(MatchingRun.round_id == round_id)
                             .order_by(MatchingRun.run_at.desc(), MatchingRun.id.desc()).limit(1))


def profile_of(user_id: int) -> MentorProfile | None:
    return db.session.scalar(select(MentorProfile).where(MentorProfile.user_id == user_id))


def progress_by_proposal(proposal_ids: list[int]) -> dict[int, Progress]:
    if not proposal_ids:
        return {}
    rows = db.session.scalars(select(Progress).where(Progress.proposal_id.in_(proposal_ids))
                              .options(selectinload(Progress.sections)))
    return {p.proposal_id: p for p in rows}


def last_meetings(pairing_ids: list[int]) -> dict[int, date]:
    if not pairing_ids:
        return {}
    rows = db.session.execute(select(Meeting.pairing_id, func.max(Meeting.held_on))
                              .where(Meeting.pairing_id.in_(pairing_ids)).group_by(Meeting.pairing_id))
    return dict(rows.all())


@dataclass
class DashboardRow:
    pairing: Pairing
    progress: Progress | None
    last_meeting: date | None
    ready: int
    total: int
    meeting_overdue: bool
    deadline_at_risk: bool
    registration: str
    registration_at_risk: bool


def dashboard_rows(pairings: list[Pairing], today: date) -> list[DashboardRow]:
    """One row per pairing with its overdue flags (no meeting in 6 weeks; deadline near, sections not ready)."""
    progress = progress_by_proposal([p.proposal_id for p in pairings])
    meetings = last_meetings([p.id for p in pairings])
    rows = []
    for pairing in pairings:
        prog = progress.get(pairing.proposal_id)
        statuses = [s.status for s in prog.sections] if prog else []
        ready = sum(1 for s in statuses if s == SectionStatus.READY)
        # The institution's date, as the lead's dashboard and the reminders count it.
        started = to_local(pairing.confirmed_at or pairing.created_at).date()
        rows.append(DashboardRow(
            pairing=pairing, progress=prog, last_meeting=meetings.get(pairing.id),
            ready=ready, total=len(statuses),
            meeting_overdue=rules.meeting_overdue(meetings.get(pairing.id), started, today),
            deadline_at_risk=rules.deadline_at_risk(prog.target_deadline if prog else None, len(statuses) - ready,
                                                    today),
            registration=rules.registration_state(prog.registered_on if prog else None, today),
            registration_at_risk=rules.registration_at_risk(prog.registered_on if prog else None, today)))
    return rows


def mentor_pairings(profile_id: int) -> list[Pairing]:
    """A mentor's confirmed pairings, oldest first, with mentee, proposal, pathway and profile in one query
    (each is one row per pairing, so joining them costs nothing)."""
    return list(db.session.scalars(
        select(Pairing).where(Pairing.mentor_id == profile_id, Pairing.state == PairingState.CONFIRMED)
        .options(joinedload(Pairing.mentee), joinedload(Pairing.proposal).joinedload(Proposal.pathway),
                 joinedload(Pairing.mentor)).order_by(Pairing.confirmed_at)))


def mentee_pairing(proposal_id: int) -> Pairing | None:
    """A participant's open pairing (confirmed first)."""
    rows = db.session.scalars(select(Pairing).where(Pairing.proposal_id == proposal_id, Pairing.state.in_(OPEN_STATES))
                              .order_by(Pairing.id.desc())).all()
    return next((p for p in rows if p.state == PairingState.CONFIRMED), rows[0] if rows else None)


def mentor_pool() -> list[tuple[MentorProfile, int]]:
    taken = places_taken_by_mentor()
    profiles = db.session.scalars(select(MentorProfile).options(joinedload(MentorProfile.user))
                                  .order_by(MentorProfile.approved_at.is_not(None), MentorProfile.id))
    return [(p, taken.get(p.id, 0)) for p in profiles]


def reciprocity_rows() -> list[tuple[Progress, User, MentorProfile | None]]:
    """New holders (award recorded), whether invited, and their mentor profile if they took it up."""
    progress = db.session.scalars(select(Progress).where(Progress.outcome == Outcome.AWARDED)
                                  .options(selectinload(Progress.proposal).selectinload(Proposal.applicant))
                                  .order_by(Progress.outcome_recorded_at.desc())).all()
    user_ids = [p.proposal.user_id for p in progress]
    profiles = {m.user_id: m for m in db.session.scalars(select(MentorProfile).where(MentorProfile.user_id.in_(user_ids)))} \
        if user_ids else {}
    return [(p, p.proposal.applicant, profiles.get(p.proposal.user_id)) for p in progress]


def has_award(user_id: int) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Progress).join(Proposal, Proposal.id == Progress.proposal_id)
                                  .where(Proposal.user_id == user_id, Progress.outcome == Outcome.AWARDED)))


def examples(pathway_id: int | None = None, job_role: str = "", area: str = ""):
    """The portfolio register, filtered by pathway, job role words and a specialist area."""
    stmt = select(ExamplePortfolio).options(selectinload(ExamplePortfolio.owner), selectinload(ExamplePortfolio.pathway))
    if pathway_id:
        stmt = stmt.where(ExamplePortfolio.pathway_id == pathway_id)
    if job_role:
        stmt = stmt.where(func.lower(ExamplePortfolio.job_role).contains(job_role.lower().strip()))
    rows = list(db.session.scalars(stmt.order_by(ExamplePortfolio.created_at.desc(), ExamplePortfolio.id.desc())))
    if area:
        # JSON lists are searched in Python so SQLite and PostgreSQL behave the same.
        wanted = area.lower().strip()
        rows = [r for r in rows if any(wanted in a for a in (r.specialist_areas or []))]
    return rows


def pathways() -> list[Pathway]:
    """Every pathway, scheme by scheme in their order (for the register's pathway choices)."""
    return list(db.session.scalars(select(Pathway).order_by(Pathway.scheme_id, Pathway.position)))


def upcoming_meetings_for(user_id: int, now: datetime) -> list[tuple[Meeting, Pairing]]:
    """Agreed next meetings (still ahead) of a person's confirmed pairings, as mentor or as mentee."""
    rows = db.session.execute(
        select(Meeting, Pairing).join(Pairing, Pairing.id == Meeting.pairing_id)
        .join(MentorProfile, MentorProfile.id == Pairing.mentor_id)
        .where(Pairing.state == PairingState.CONFIRMED, Meeting.next_meeting_at > now,
               or_(Pairing.mentee_id == user_id, MentorProfile.user_id == user_id))
        .options(selectinload(Pairing.mentee), selectinload(Pairing.mentor).selectinload(MentorProfile.user))
        .order_by(Meeting.next_meeting_at)).all()
    return [(m, p) for m, p in rows]


def section(section_id: int) -> ProgressSection | None:
    return db.session.get(ProgressSection, section_id)


def emails_of(user_ids: list[int]) -> list[str]:
    if not user_ids:
        return []
    return list(db.session.scalars(select(User.email).where(User.id.in_(user_ids)).order_by(User.email)))


def mentee_areas(proposal_id: int) -> list[str]:
    return list(db.session.scalar(select(MenteeAreas.areas).where(MenteeAreas.proposal_id == proposal_id)) or [])


def leads() -> list[User]:
    return list(db.session.scalars(select(User).join(RoleGrant, RoleGrant.user_id == User.id)
                                   .where(RoleGrant.role == Role.LEAD, User.is_active_account.is_(True))
                                   .order_by(User.id)))


def submission_deadlines_for(user_id: int) -> list[tuple[Progress, User, int | None]]:
    """Portfolio submission deadlines the person is concerned with: their own, and their confirmed mentees'.
    Rows of (progress, the participant, their mentor's user id or None), soonest first, one query."""
    mentor = select(Pairing.proposal_id, MentorProfile.user_id.label("mentor_user_id")).join(
        MentorProfile, MentorProfile.id == Pairing.mentor_id).where(Pairing.state == PairingState.CONFIRMED).subquery()
    rows = db.session.execute(
        select(Progress, User, mentor.c.mentor_user_id).join(Proposal, Proposal.id == Progress.proposal_id)
        .join(User, User.id == Proposal.user_id).outerjoin(mentor, mentor.c.proposal_id == Progress.proposal_id)
        .where(Progress.target_deadline.is_not(None), Progress.outcome.is_(None),
               or_(Proposal.user_id == user_id, mentor.c.mentor_user_id == user_id))
        .order_by(Progress.target_deadline, Progress.id)).all()
    return [(progress, person, mentor_id) for progress, person, mentor_id in rows]
