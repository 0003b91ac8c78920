"""A participant's progress: the record and its portfolio sections, registration and deadline, the outcome.

Progress belongs to the proposal, so it survives a change of mentor. Each service writes an audit
event in the caller's transaction; the view commits.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from portal.audit.services import record
from portal.auth.models import User
from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring import rules
from portal.mentoring.errors import MentoringError
from portal.mentoring.models import Outcome, Pairing, Progress, ProgressSection, SectionStatus
from portal.outbox.services import queue_email
from portal.proposals.models import Proposal
from portal.schedule.models import Session, SessionKind, SessionStatus
from portal.timeutil import to_local
from portal.web.links import absolute_url


def ensure_progress(proposal: Proposal) -> Progress:
    """The participant's progress record, with the pathway's portfolio sections (made once)."""
    progress = db.session.scalar(select(Progress).where(Progress.proposal_id == proposal.id))
    if progress is None:
        sections = list((proposal.pathway.portfolio_sections if proposal.pathway else None) or [])
        progress = Progress(proposal_id=proposal.id)
        progress.sections = [ProgressSection(position=i, name=str(name)[:300]) for i, name in enumerate(sections)]
        db.session.add(progress)
        db.session.flush()
    return progress


def set_section_status(actor: User, pairing: Pairing, section: ProgressSection, status: SectionStatus) -> ProgressSection:
    """Move a portfolio section to a status. Audit 'progress.section'."""
    if not rules.can_update_progress(actor, pairing):
        raise MentoringError("This pairing cannot be updated.")
    if section.progress.proposal_id != pairing.proposal_id:
        raise MentoringError("That section belongs to another participant.")
    section.status = status
    section.updated_at = utcnow()
    section.progress.updated_at = section.updated_at
    record(actor, "progress.section", pairing, summary=f"{section.name}: {status.label}")
    return section


def deadline_choices(round_id: int) -> list[tuple[int, str, date]]:
    """The schedule's deadline sessions of a round, and those of no round (id, title, local date)."""
    rows = db.session.scalars(select(Session).where(Session.kind == SessionKind.DEADLINE,
                                                    Session.status == SessionStatus.SCHEDULED,
                                                    (Session.round_id == round_id) | (Session.round_id.is_(None)))
                              .order_by(Session.starts_at)).all()
    return [(s.id, s.title, to_local(s.starts_at).date()) for s in rows]


def update_progress(actor: User, pairing: Pairing, *, registered_on: date | None, target_deadline: date | None,
                    deadline_session_id: int | None = None, now: datetime | None = None) -> Progress:
    """Registration date and target submission deadline (a schedule deadline wins over a typed date).

    "The future" is the institution's date, not the server's. Audit 'progress.updated'.
    """
    if not rules.can_update_progress(actor, pairing):
        raise MentoringError("This pairing cannot be updated.")
    today = to_local(now or utcnow()).date()
    if registered_on and registered_on > today:
        raise MentoringError("The registration date cannot be in the future.", "registered_on")
    progress = ensure_progress(pairing.proposal)
    if deadline_session_id:
        chosen = {sid: day for sid, _title, day in deadline_choices(pairing.round_id)}
        if deadline_session_id not in chosen:
            raise MentoringError("Choose one of the listed deadlines.", "deadline_session")
        target_deadline = chosen[deadline_session_id]
    progress.registered_on = registered_on
    progress.target_deadline = target_deadline
    progress.deadline_session_id = deadline_session_id or None
    progress.updated_at = utcnow()
    record(actor, "progress.updated", pairing, summary=f"registered {registered_on}, deadline {target_deadline}")
    return progress


def record_outcome(actor: User, proposal: Proposal, outcome: Outcome | None) -> Progress:
    """Record the awarding body's outcome. An award invites the new holder into the mentor pool.

    Side effects: on 'awarded' (once): an invitation email and reciprocity_invited_at (the
    participant's page then shows the prompt); audit 'progress.outcome'.
    """
    if not rules.can_record_outcome(actor):
        raise MentoringError("Only the programme lead records outcomes.")
    progress = ensure_progress(proposal)
    progress.outcome = outcome
    progress.outcome_recorded_at = utcnow() if outcome else None
    if outcome == Outcome.AWARDED and progress.reciprocity_invited_at is None:
        invite_to_pool(actor, proposal, progress)
    record(actor, "progress.outcome", proposal, summary=outcome.label if outcome else "cleared")
    return progress


def invite_to_pool(actor: User, proposal: Proposal, progress: Progress) -> None:
    """Invite a new holder to mentor next year (funded places are given on a reciprocal basis)."""
    person = proposal.applicant
    progress.reciprocity_invited_at = utcnow()
    scheme = current_app.config["SCHEME_NAME"]
    queue_email(person.email, f"Congratulations on your {scheme} award: will you mentor next year?",
                f"Hello {person.name},\n\nCongratulations on your award. Your funded place was given on a "
                "reciprocal basis: please join the mentor pool and support a colleague in next year's cohort.\n\n"
                f"Volunteer here: {absolute_url('mentoring.volunteer')}\n", kind="mentoring",
                dedupe_key=f"reciprocity-{proposal.id}")
    record(actor, "mentoring.reciprocity_invited", proposal, summary=person.email)
