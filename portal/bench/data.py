"""Synthetic data at a large institution's scale, inserted in bulk."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import insert, select

from portal.auth.models import Role, RoleGrant, User
from portal.auth.services import hash_password
from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring.models import (Meeting, MentorProfile, Pairing, PairingState, Progress, ProgressSection,
                                     SectionStatus)
from portal.panel import scoring
from portal.panel.models import Assignment, Criterion, PanelMember, PanelSettings, Review, Score
from portal.proposals.models import Proposal, ProposalState
from portal.rounds.demo import seed_cmalt_scheme
from portal.rounds.models import Round, RoundState, round_pathways
from portal.schedule.models import Audience, Booking, BookingStatus, Session, SessionKind

BENCH_PASSWORD = "bench-password-2026"

DEPARTMENTS = [f"Department of Studies {i}" for i in range(40)]
CAMPUSES = ["City campus", "Riverside campus", "Park campus"]
AREAS = ["accessibility", "assessment", "learning design", "lecture capture", "VLE administration",
         "digital skills", "open education", "analytics", "online feedback", "AI in education"]
WORDS = ("learning technology supports my teaching through the virtual learning environment, online assessment, "
         "feedback, accessibility work, lecture capture and colleague development across the school").split()


@dataclass(frozen=True)
class Size:
    staff: int
    proposals: int
    panel: int
    criteria: int
    sessions: int
    bookings: int
    mentors: int
    participants: int


FULL = Size(staff=5000, proposals=1000, panel=12, criteria=5, sessions=300, bookings=10000, mentors=150,
            participants=400)
QUICK = Size(staff=400, proposals=80, panel=4, criteria=5, sessions=30, bookings=600, mentors=15, participants=40)


@dataclass
class BenchData:
    """Ids of the people and objects the timed pages use."""

    size: Size
    lead_id: int = 0
    staff_id: int = 0
    panel_id: int = 0
    mentor_id: int = 0
    review_round_id: int = 0
    open_round_id: int = 0
    running_round_id: int = 0
    draft_proposal_id: int = 0
    scored_proposal_id: int = 0
    extra: dict = field(default_factory=dict)


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _bulk(model, rows: list[dict]) -> None:
    if rows:
        db.session.execute(insert(model), rows)


def build(size: Size, seed: int = 7) -> BenchData:
    """Fill an empty database with a synthetic institution of the given size."""
    rng = random.Random(seed)
    now = utcnow()
    data = BenchData(size=size)
    password_hash = hash_password(BENCH_PASSWORD)

    # People: staff, then panel members and mentors among them, and one lead.
    people = [dict(email=f"staff{i}@example.ac.uk", name=f"Staff Member {i}", job_title="Lecturer",
                   department=DEPARTMENTS[i % len(DEPARTMENTS)], campus=CAMPUSES[i % len(CAMPUSES)],
                   password_hash=password_hash) for i in range(size.staff)]
    people.append(dict(email="lead@example.ac.uk", name="Bench Lead", department=DEPARTMENTS[0],
                       password_hash=password_hash))
    _bulk(User, people)
    ids = db.session.scalars(select(User.id).order_by(User.id)).all()
    staff_ids, lead_id = ids[:-1], ids[-1]
    panel_ids = staff_ids[-size.panel:]
    mentor_ids = staff_ids[-(size.panel + size.mentors):-size.panel]
    grants = [dict(user_id=lead_id, role=Role.LEAD)]
    grants += [dict(user_id=u, role=Role.PANEL) for u in panel_ids]
    grants += [dict(user_id=u, role=Role.MENTOR) for u in mentor_ids]
    _bulk(RoleGrant, grants)
    data.lead_id, data.panel_id, data.mentor_id = lead_id, panel_ids[0], mentor_ids[0]

    scheme = seed_cmalt_scheme()
    db.session.flush()
    pathways = list(scheme.pathways)

    def make_round(name, state, opens, closes):
        round_ = Round(scheme_id=scheme.id, name=name, opens_at=opens, closes_at=closes, funded_places=size.proposals // 10,
                       budget_pence=size.proposals * 2000, intro_required=False, state=state)
        db.session.add(round_)
        db.session.flush()
        db.session.execute(insert(round_pathways), [dict(round_id=round_.id, pathway_id=p.id) for p in pathways])
        return round_

    review = make_round("Bench cohort in review", RoundState.IN_REVIEW, now - timedelta(days=60), now - timedelta(days=7))
    open_round = make_round("Bench cohort open", RoundState.OPEN, now - timedelta(days=7), now + timedelta(days=30))
    running = make_round("Bench cohort running", RoundState.RUNNING, now - timedelta(days=400), now - timedelta(days=370))
    data.review_round_id, data.open_round_id, data.running_round_id = review.id, open_round.id, running.id

    applicants = [u for u in staff_ids if u not in set(panel_ids) | set(mentor_ids)]
    rng.shuffle(applicants)

    def proposal_row(round_id, user_id, state, submitted=True):
        pathway = rng.choice(pathways)
        return dict(round_id=round_id, user_id=user_id, pathway_id=pathway.id, state=state,
                    job_title="Lecturer", department=DEPARTMENTS[user_id % len(DEPARTMENTS)],
                    role_summary=_text(rng, 60), learning_technology=_text(rng, 120),
                    years_experience=rng.randint(0, 15), motivation=_text(rng, 100),
                    line_manager_name="A Manager", line_manager_email="manager@example.ac.uk",
                    line_manager_supports=True, consent=True, submitted_at=now - timedelta(days=10) if submitted else None,
                    version=1 if submitted else 0)

    _bulk(Proposal, [proposal_row(review.id, u, ProposalState.SUBMITTED) for u in applicants[:size.proposals]])
    data.staff_id = applicants[size.proposals]
    _bulk(Proposal, [proposal_row(open_round.id, data.staff_id, ProposalState.DRAFT, submitted=False)])
    participants = applicants[size.proposals + 1:size.proposals + 1 + size.participants]
    _bulk(Proposal, [proposal_row(running.id, u, ProposalState.SELECTED) for u in participants])
    review_props = db.session.scalars(select(Proposal.id).where(Proposal.round_id == review.id)
                                      .order_by(Proposal.id)).all()
    data.draft_proposal_id = db.session.scalar(select(Proposal.id).where(Proposal.round_id == open_round.id))
    data.scored_proposal_id = review_props[0]

    # The panel: every member assigned to and scoring every proposal on every criterion.
    db.session.add(PanelSettings(round_id=review.id, same_department_conflict=False))
    _bulk(PanelMember, [dict(round_id=review.id, user_id=u) for u in panel_ids])
    _bulk(Criterion, [dict(round_id=review.id, name=f"Criterion {c + 1}", description="How well the proposal does it.",
                           weight=c % 3 + 1, counted_in_total=True, labels=["Poor", "Fair", "Good", "Very good", "Excellent"],
                           position=c) for c in range(size.criteria)])
    rubric = list(db.session.scalars(select(Criterion).where(Criterion.round_id == review.id)))
    weights = scoring.weights_of(rubric)
    for member in panel_ids:
        _bulk(Assignment, [dict(round_id=review.id, proposal_id=p, user_id=member) for p in review_props])
        values = {p: {c.id: rng.randint(1, 5) for c in rubric} for p in review_props}
        _bulk(Review, [dict(round_id=review.id, proposal_id=p, reviewer_id=member, comment="Clear and well argued.",
                            submitted_at=now - timedelta(days=2), total=scoring.weighted_total(values[p], weights))
                       for p in review_props])
        _bulk(Score, [dict(round_id=review.id, proposal_id=p, reviewer_id=member, criterion_id=cid, value=value)
                      for p in review_props for cid, value in values[p].items()])

    # The schedule: sessions of every kind, bookings spread across them.
    kinds = [SessionKind.WORKSHOP, SessionKind.INTRO, SessionKind.OFFICE_HOURS, SessionKind.DEADLINE, SessionKind.OTHER]
    session_rows = []
    for i in range(size.sessions):
        start = now + timedelta(days=i % 120 - 30, hours=9 + i % 6)
        session_rows.append(dict(kind=kinds[i % len(kinds)], title=f"Session {i + 1}", description=_text(rng, 30),
                                 starts_at=start, ends_at=start + timedelta(hours=1), location=f"Room {i % 25}",
                                 capacity=60, audience=Audience.EVERYONE, host_id=lead_id,
                                 round_id=running.id if i % 5 == 0 else None))
    _bulk(Session, session_rows)
    session_ids = db.session.scalars(select(Session.id).order_by(Session.id)).all()
    booked: dict[int, int] = {}
    booking_rows, seen = [], set()
    bookers = [data.staff_id] + applicants
    while len(booking_rows) < size.bookings:
        session_id = session_ids[len(booking_rows) % len(session_ids)]
        user_id = bookers[rng.randrange(len(bookers))] if booking_rows else data.staff_id
        if (session_id, user_id) in seen or booked.get(session_id, 0) >= 60:
            continue
        seen.add((session_id, user_id))
        booked[session_id] = booked.get(session_id, 0) + 1
        booking_rows.append(dict(session_id=session_id, user_id=user_id, status=BookingStatus.BOOKED))
    _bulk(Booking, booking_rows)
    for session_id, count in booked.items():
        db.session.execute(Session.__table__.update().where(Session.id == session_id).values(booked_count=count))

    # Mentoring: a pool, pairings for every participant, progress and meetings.
    _bulk(MentorProfile, [dict(user_id=u, award_name="CMALT", award_level=rng.choice([2, 2, 3]), award_year=2020,
                               department=DEPARTMENTS[u % len(DEPARTMENTS)], campus=CAMPUSES[u % len(CAMPUSES)],
                               specialist_areas=rng.sample(AREAS, 3), capacity=4, approved_at=now)
                          for u in mentor_ids])
    profiles = db.session.scalars(select(MentorProfile.id).order_by(MentorProfile.id)).all()
    running_props = db.session.execute(select(Proposal.id, Proposal.user_id, Proposal.pathway_id)
                                       .where(Proposal.round_id == running.id).order_by(Proposal.id)).all()
    mentor_profile_for_dashboard = profiles[0]
    pairing_rows = []
    for n, (proposal_id, user_id, _pathway) in enumerate(running_props):
        profile = mentor_profile_for_dashboard if n < 4 else profiles[n % len(profiles)]
        pairing_rows.append(dict(round_id=running.id, proposal_id=proposal_id, mentee_id=user_id, mentor_id=profile,
                                 state=PairingState.CONFIRMED, explanation="shares: assessment", confirmed_at=now))
    _bulk(Pairing, pairing_rows)
    _bulk(Progress, [dict(proposal_id=p, registered_on=date.today() - timedelta(days=200),
                          target_deadline=date.today() + timedelta(days=90)) for p, _u, _w in running_props])
    progress_ids = db.session.scalars(select(Progress.id).order_by(Progress.id)).all()
    statuses = list(SectionStatus)
    _bulk(ProgressSection, [dict(progress_id=pid, position=s, name=f"Section {s + 1}", status=rng.choice(statuses))
                            for pid in progress_ids for s in range(7)])
    pairing_ids = db.session.scalars(select(Pairing.id).where(Pairing.round_id == running.id)).all()
    _bulk(Meeting, [dict(pairing_id=pid, held_on=date.today() - timedelta(days=14 * k + 7), duration_minutes=45,
                         notes=_text(rng, 40), next_steps=_text(rng, 15), logged_by_id=lead_id)
                    for pid in pairing_ids for k in range(3)])
    db.session.commit()
    return data
