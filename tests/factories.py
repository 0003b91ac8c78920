"""Small factory helpers with sensible defaults, so tests read as the rule they check."""
from __future__ import annotations

import itertools

from portal.auth.models import Role, RoleGrant, User
from portal.auth.services import hash_password
from portal.extensions import db

DEFAULT_PASSWORD = "correct horse battery"
_counter = itertools.count(1)
_hash_cache: dict[str, str] = {}


def _hashed(password: str) -> str:
    if password not in _hash_cache:
        _hash_cache[password] = hash_password(password)
    return _hash_cache[password]


def make_user(roles=(), email: str | None = None, name: str | None = None, password: str = DEFAULT_PASSWORD,
              department: str = "School of Education", commit: bool = True, **fields) -> User:
    """A person with the given roles (Role members or their values)."""
    n = next(_counter)
    user = User(email=email or f"person{n}@example.ac.uk", name=name or f"Person {n}", department=department,
                password_hash=_hashed(password), **fields)
    user.role_grants = [RoleGrant(role=Role(r)) for r in roles]
    db.session.add(user)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return user


# ---------------------------------------------------------------- mentoring

def make_cohort_round(name: str | None = None, sections=("Contextual statement", "Core area 1", "Core area 2")):
    """A running round of a fresh scheme whose pathways have levels 1 (Associate), 2 (CMALT), 3 (Senior)."""
    from datetime import timedelta

    from portal.db_types import utcnow
    from portal.rounds.models import Pathway, Round, RoundState, Scheme
    n = next(_counter)
    scheme = Scheme(name=f"Scheme {n}")
    scheme.pathways = [Pathway(name=label, level=level, position=level, portfolio_sections=list(sections))
                       for level, label in ((1, "Associate CMALT"), (2, "CMALT"), (3, "Senior CMALT"))]
    db.session.add(scheme)
    now = utcnow()
    round_ = Round(scheme=scheme, name=name or f"Cohort {n}", opens_at=now - timedelta(days=100),
                   closes_at=now - timedelta(days=80), state=RoundState.RUNNING)
    round_.pathways = list(scheme.pathways)
    db.session.add(round_)
    db.session.commit()
    return round_


def make_participant(round_, user=None, level: int = 2, decided_days_ago: int = 30, **user_fields):
    """A selected proposal (a participant of the cohort) on the pathway of the given level."""
    from datetime import timedelta

    from portal.db_types import utcnow
    from portal.proposals.models import Proposal, ProposalState
    user = user or make_user(**user_fields)
    pathway = next(p for p in round_.pathways if p.level == level)
    proposal = Proposal(round_id=round_.id, user_id=user.id, pathway_id=pathway.id, state=ProposalState.SELECTED,
                        department=user.department, decided_at=utcnow() - timedelta(days=decided_days_ago))
    db.session.add(proposal)
    db.session.commit()
    return proposal


def make_mentor(user=None, level: int = 2, capacity: int = 1, areas=(), approved: bool = True,
                collaborators=(), **user_fields):
    """A mentor profile (approved unless told otherwise) for a new person with the mentor role."""
    from portal.db_types import utcnow
    from portal.mentoring.models import MentorProfile
    user_fields.setdefault("department", "Digital Learning Team")
    user = user or make_user(roles=[Role.MENTOR], **user_fields)
    names = {1: "Associate CMALT", 2: "CMALT", 3: "Senior CMALT"}
    profile = MentorProfile(user_id=user.id, award_name=names[level], award_level=level, department=user.department,
                            campus=user.campus or "", specialist_areas=list(areas), capacity=capacity,
                            close_collaborator_ids=[c.id for c in collaborators],
                            approved_at=utcnow() if approved else None)
    db.session.add(profile)
    db.session.commit()
    return profile


# ---------------------------------------------------------------- rounds and proposals

def make_scheme(name: str | None = None):
    """A scheme with three pathways like CMALT's: Associate (0-3 years), CMALT (3+), Senior (4+)."""
    from portal.rounds.models import Pathway, Scheme
    n = next(_counter)
    scheme = Scheme(name=name or f"Scheme {n}", awarding_body="ALT", description="A portfolio-based award.")
    scheme.pathways = [
        Pathway(name="Associate CMALT", fee_pence=11000, min_years=0, max_years=3, level=1, position=0,
                eligibility="Under three years.", portfolio_sections=["Contextual statement"]),
        Pathway(name="CMALT", fee_pence=16500, min_years=3, level=2, position=1,
                eligibility="Three years or more.", portfolio_sections=["Contextual statement"]),
        Pathway(name="Senior CMALT", fee_pence=26500, min_years=4, level=3, position=2, requires_leadership=True,
                eligibility="Leadership, strategy or research.", portfolio_sections=["Contextual statement"]),
    ]
    db.session.add(scheme)
    db.session.flush()
    return scheme


def make_round(scheme=None, state=None, opens_at=None, closes_at=None, intro_required: bool = False,
               name: str | None = None, **fields):
    """An open round of a fresh scheme (all its pathways on offer), closing in 10 days, no intro needed."""
    from datetime import timedelta

    from portal.db_types import utcnow
    from portal.rounds.models import Round, RoundState
    scheme = scheme or make_scheme()
    now = utcnow()
    round_ = Round(scheme=scheme, name=name or f"Round {next(_counter)}", state=state or RoundState.OPEN,
                   opens_at=opens_at or now - timedelta(days=10), closes_at=closes_at or now + timedelta(days=10),
                   intro_required=intro_required, funded_places=10, budget_pence=150000, **fields)
    round_.pathways = list(scheme.pathways)
    db.session.add(round_)
    db.session.commit()
    return round_


COMPLETE_ANSWERS = dict(
    job_title="Learning Technologist", department="Digital Learning Team",
    role_summary="I support staff with the virtual learning environment.",
    learning_technology="Every day: course design, training and accessibility checks.",
    years_experience=4, motivation="To have my practice recognised and to mentor others.",
    submission_window="June next year", line_manager_name="Morgan Manager",
    line_manager_email="morgan@example.ac.uk", line_manager_supports=True, consent=True,
)


def make_proposal(round_=None, user=None, state=None, complete: bool = True, **fields):
    """A proposal (a draft unless state says otherwise) with every answer filled in when complete."""
    from portal.db_types import utcnow
    from portal.proposals.models import Proposal, ProposalState, ProposalVersion
    round_ = round_ or make_round()
    user = user or make_user()
    state = state or ProposalState.DRAFT
    answers = dict(COMPLETE_ANSWERS) if complete else {}
    if complete:
        answers["pathway_id"] = round_.pathways[1].id if len(round_.pathways) > 1 else round_.pathways[0].id
    answers.setdefault("active_slot", None if state == ProposalState.WITHDRAWN else 1)
    answers.update(fields)
    proposal = Proposal(round_id=round_.id, user_id=user.id, state=state, **answers)
    if state != ProposalState.DRAFT:
        proposal.submitted_at = utcnow()
        proposal.version = 1
        proposal.versions = [ProposalVersion(version=1, answers=proposal.answers())]
    db.session.add(proposal)
    db.session.commit()
    return proposal


# ---------------------------------------------------------------- panel

def make_panel_round(state: str = "in_review", funded_places: int | None = None, budget_pence: int | None = None,
                     name: str | None = None):
    """A round (make_round's scheme: Associate £110, CMALT £165, Senior £265) closed and in review;
    no funded-places or budget limit unless given."""
    from datetime import timedelta

    from portal.db_types import utcnow
    from portal.rounds.models import RoundState
    now = utcnow()
    round_ = make_round(state=RoundState(state), name=name, opens_at=now - timedelta(days=40),
                        closes_at=now - timedelta(days=10))
    round_.funded_places = funded_places
    round_.budget_pence = budget_pence
    db.session.commit()
    return round_


def make_panel_proposal(round_, user=None, level: int = 2, state: str = "submitted", **fields):
    """make_proposal, submitted, on the pathway of the given level, by a new person in their own department."""
    from portal.proposals.models import ProposalState
    user = user or make_user(department=fields.get("department") or "School of Health Sciences")
    pathway = next(p for p in round_.pathways if p.level == level)
    fields.setdefault("department", user.department)
    fields.setdefault("line_manager_email", "")
    fields.setdefault("role_summary", f"Role of {user.name}")
    return make_proposal(round_, user=user, state=ProposalState(state), pathway_id=pathway.id, **fields)


# ---------------------------------------------------------------- schedule

def make_session(kind="workshop", title: str | None = None, starts_in=None, minutes: int = 60, capacity=None,
                 commit: bool = True, **fields):
    """A scheduled session for everyone, at 10:00 local time a week today (or starts_in, a timedelta from now),
    for an hour. The default keeps clear of midnight so a test's outcome never hangs on the hour it runs."""
    from datetime import time, timedelta

    from portal.db_types import utcnow
    from portal.schedule.models import Session, SessionKind
    from portal.timeutil import combine_local, to_local
    starts_at = fields.pop("starts_at", None)
    if starts_at is None:
        if starts_in is not None:
            starts_at = utcnow().replace(microsecond=0) + starts_in
        else:
            starts_at = combine_local(to_local(utcnow()).date() + timedelta(days=7), time(10, 0))
    ends_at = fields.pop("ends_at", None) or starts_at + timedelta(minutes=minutes)
    session = Session(kind=SessionKind(kind), title=title or f"Session {next(_counter)}", starts_at=starts_at,
                      ends_at=ends_at, capacity=capacity, updated_at=utcnow(), **fields)
    db.session.add(session)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return session


def make_booking(session, user=None, status="booked", attended=None, commit: bool = True):
    """A booking (or waitlist place) on a session, keeping the session's place count in step."""
    from portal.db_types import utcnow
    from portal.schedule.models import Booking, BookingStatus
    user = user or make_user()
    booking = Booking(session=session, user_id=user.id, status=BookingStatus(status), attended=attended,
                      waitlisted_at=utcnow() if status == "waitlisted" else None)
    db.session.add(booking)
    if booking.status == BookingStatus.BOOKED:
        session.booked_count += 1
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return booking
