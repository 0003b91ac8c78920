"""The mentor pool: volunteering, a lead's approval, pausing and withdrawing, and the areas a participant wants.

Each service writes an audit event and queues its mail in the caller's transaction; the view commits.
"""
from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import select

from portal.audit.services import record
from portal.auth.models import Role, User
from portal.auth.services import grant_role
from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring import queries
from portal.mentoring.errors import MentoringError
from portal.mentoring.models import MenteeAreas, MentorProfile, Pairing
from portal.mentoring.pairings import end_pairing
from portal.outbox.services import queue_email
from portal.proposals.models import Proposal
from portal.web.links import absolute_url

MAX_AREAS = 12


def parse_areas(raw) -> list[str]:
    """Tags from 'Accessibility, assessment' or a list: lower-case, trimmed, unique, in order, at most 12."""
    items = raw if isinstance(raw, (list, tuple)) else re.split(r"[,;\n]", raw or "")
    seen: list[str] = []
    for item in items:
        tag = " ".join(str(item).lower().split())[:40]
        if tag and tag not in seen:
            seen.append(tag)
    return seen[:MAX_AREAS]


def save_mentor_profile(user: User, *, award_name: str, award_level: int, award_year: int | None,
                        department: str, campus: str, specialist_areas, capacity: int, availability_notes: str,
                        close_collaborator_emails: str = "") -> MentorProfile:
    """Create or update the person's own mentor profile.

    A new profile waits for a lead's approval before matching uses it. Department and campus
    default to the person's own. Close collaborators are named by email; unknown ones are refused.
    Side effects: audit 'mentor.volunteered' or 'mentor.updated'.
    """
    if capacity < 0 or capacity > 20:
        raise MentoringError("Capacity must be between 0 and 20 mentees.", "capacity")
    if award_level not in (1, 2, 3):
        raise MentoringError("Choose the award you hold.", "award_level")
    collaborator_ids = []
    for email in parse_areas(close_collaborator_emails):
        person = db.session.scalar(select(User).where(User.email == email))
        if person is None:
            raise MentoringError(f"No account uses {email}; check the address.", "close_collaborators")
        if person.id != user.id:
            collaborator_ids.append(person.id)
    profile = db.session.scalar(select(MentorProfile).where(MentorProfile.user_id == user.id))
    created = profile is None
    if created:
        profile = MentorProfile(user_id=user.id)
        db.session.add(profile)
    profile.award_name = award_name.strip()[:120]
    profile.award_level = award_level
    profile.award_year = award_year
    profile.department = (department or user.department or "").strip()[:200]
    profile.campus = (campus or user.campus or "").strip()[:120]
    profile.specialist_areas = parse_areas(specialist_areas)
    profile.capacity = capacity
    profile.availability_notes = (availability_notes or "").strip()
    profile.close_collaborator_ids = collaborator_ids
    profile.updated_at = utcnow()
    db.session.flush()
    record(user, "mentor.volunteered" if created else "mentor.updated", profile,
           summary=f"{user.name}: {profile.award_name}, capacity {capacity}")
    return profile


def approve_mentor(actor: User, profile: MentorProfile) -> MentorProfile:
    """A lead approves a volunteer: they join the pool and get the mentor role.

    Side effects: Role.MENTOR granted; email to the mentor; audit 'mentor.approved'.
    """
    if profile.approved_at is not None:
        return profile
    profile.approved_at = utcnow()
    profile.approved_by_id = actor.id
    grant_role(actor, profile.user, Role.MENTOR)
    queue_email(profile.user.email, "You are in the mentor pool",
                f"Hello {profile.user.name},\n\nThank you for volunteering: you are now in the "
                f"{current_app.config['SCHEME_NAME']} mentor pool, with room for {profile.capacity} mentee(s).\n"
                f"Your mentor dashboard: {absolute_url('mentoring.dashboard')}\n", kind="mentoring")
    record(actor, "mentor.approved", profile, summary=f"{profile.user.name} approved as a mentor")
    return profile


def set_mentor_paused(actor: User, profile: MentorProfile, paused: bool) -> MentorProfile:
    """Pause or resume a mentor: a paused mentor is left out of new matching; pairings stay. Audit 'mentor.paused/resumed'."""
    profile.paused = paused
    profile.updated_at = utcnow()
    record(actor, "mentor.paused" if paused else "mentor.resumed", profile, summary=profile.user.name)
    return profile


def withdraw_mentor(actor: User, profile: MentorProfile, reason: str = "The mentor withdrew.") -> list[Pairing]:
    """A mentor leaves the pool: paused, and every open pairing ends (those mentees wait for a rematch).

    Side effects: see end_pairing for each pairing; audit 'mentor.withdrawn'.
    """
    profile.paused = True
    ended = [end_pairing(actor, p, reason) for p in queries.open_pairings_of_mentor(profile.id)]
    record(actor, "mentor.withdrawn", profile, summary=f"{profile.user.name}: {len(ended)} pairing(s) ended")
    return ended


def save_mentee_areas(user: User, proposal: Proposal, areas) -> MenteeAreas:
    """The participant's wished-for specialist areas, used by the next matching run. Audit 'mentee.areas'."""
    if proposal.user_id != user.id:
        raise MentoringError("That is not your proposal.")
    row = db.session.scalar(select(MenteeAreas).where(MenteeAreas.proposal_id == proposal.id))
    if row is None:
        row = MenteeAreas(proposal_id=proposal.id)
        db.session.add(row)
    row.areas = parse_areas(areas)
    row.updated_at = utcnow()
    db.session.flush()
    record(user, "mentee.areas", proposal, summary=", ".join(row.areas))
    return row
