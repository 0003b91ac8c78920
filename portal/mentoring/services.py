"""Every change in mentoring: the mentor pool, matching runs, pairings, progress, meetings and the register.

Each service writes an audit event and queues its mail in the caller's transaction; the view commits.
"""
from __future__ import annotations

import os
import re
import uuid
from datetime import date, datetime
from pathlib import Path

from flask import current_app, has_request_context, url_for
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth.models import Role, User
from portal.auth.services import grant_role
from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring import matching, queries, rules
from portal.mentoring.models import (ExamplePortfolio, MatchingRun, Meeting, MenteeAreas, MentorProfile, Outcome,
                                     Pairing, PairingState, Progress, ProgressSection, SectionStatus)
from portal.outbox.services import queue_email
from portal.proposals.models import Proposal

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_AREAS = 12


class MentoringError(Exception):
    """A rule refused the request; field names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def parse_areas(raw) -> list[str]:
    """Tags from 'Accessibility, assessment' or a list: lower-case, trimmed, unique, in order, at most 12."""
    items = raw if isinstance(raw, (list, tuple)) else re.split(r"[,;\n]", raw or "")
    seen: list[str] = []
    for item in items:
        tag = " ".join(str(item).lower().split())[:40]
        if tag and tag not in seen:
            seen.append(tag)
    return seen[:MAX_AREAS]


def _link(endpoint: str, **values) -> str:
    """An absolute link for an email; works outside a request too (command line, demo)."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context():
            path = url_for(endpoint, **values)
    return current_app.config["BASE_URL"].rstrip("/") + path


# ---------------------------------------------------------------- mentor pool

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
                f"Your mentor dashboard: {_link('mentoring.dashboard')}\n", kind="mentoring")
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


# ---------------------------------------------------------------- matching

def _department_rule() -> str:
    rule = current_app.config.get("MENTORING_DEPARTMENT_RULE", "hard")
    return rule if rule in ("hard", "soft") else "hard"


def _min_level() -> dict:
    return current_app.config.get("MENTORING_MIN_MENTOR_LEVEL") or matching.DEFAULT_MIN_LEVEL


def run_matching(actor: User, round_) -> MatchingRun:
    """Propose a mentor for every participant of the round who has no locked or confirmed pairing.

    Earlier proposed (unlocked) pairs are replaced; locked and confirmed ones stay and use up
    their mentors' places. This is also the rematch: participants whose pairing ended are matched
    again, those waiting longest first, and nobody else's pairing moves.
    Side effects: pairings in state 'proposed' rewritten; a MatchingRun with the unmatched and
    their reasons; audit 'matching.run'.
    """
    for pairing in queries.pairings_in_round(round_.id, [PairingState.PROPOSED]):
        db.session.delete(pairing)
    db.session.flush()
    mentees, mentors = queries.matching_records(round_)
    result = matching.match(mentees, mentors, department_rule=_department_rule(), min_level=_min_level())
    proposals = {p.id: p for p in queries.participants(round_.id)}
    for pair in result.pairs:
        db.session.add(Pairing(round_id=round_.id, proposal_id=pair.mentee_id, mentee_id=proposals[pair.mentee_id].user_id,
                               mentor_id=pair.mentor_id, state=PairingState.PROPOSED, explanation=pair.explanation,
                               score=pair.score))
    run = MatchingRun(round_id=round_.id, run_by_id=actor.id, proposed=len(result.pairs),
                      unmatched={str(k): v for k, v in result.unmatched.items()})
    db.session.add(run)
    db.session.flush()
    record(actor, "matching.run", run, summary=f"{round_.name}: {len(result.pairs)} proposed, "
                                               f"{len(result.unmatched)} unmatched")
    return run


def set_locked(actor: User, pairing: Pairing, locked: bool) -> Pairing:
    """Lock a proposed pair so re-runs keep it, or unlock it. Audit 'pairing.locked/unlocked'."""
    if not rules.can_change_pairing(pairing):
        raise MentoringError("Only proposed or locked pairs can be locked or unlocked.")
    pairing.state = PairingState.LOCKED if locked else PairingState.PROPOSED
    record(actor, "pairing.locked" if locked else "pairing.unlocked", pairing, summary=pairing.explanation)
    return pairing


def swap_mentor(actor: User, pairing: Pairing, profile: MentorProfile) -> Pairing:
    """Give a proposed or locked pair another mentor; the hard rules and capacity still apply.

    The pair is then locked (a lead's choice survives re-runs). Audit 'pairing.swapped'.
    """
    if not rules.can_change_pairing(pairing):
        raise MentoringError("Only proposed or locked pairs can change mentor.")
    if not profile.is_available:
        raise MentoringError(f"{profile.user.name} is not an approved, active mentor.", "mentor")
    mentee = queries.mentee_record(pairing.proposal)
    mentor = queries.mentor_record(profile, remaining=1)
    failure = matching.hard_rule_failure(mentee, mentor, department_rule=_department_rule(), min_level=_min_level())
    if failure:
        raise MentoringError(f"{profile.user.name} cannot mentor {pairing.mentee.name}: {failure}.", "mentor")
    if profile.id != pairing.mentor_id and queries.places_taken(profile.id) >= profile.capacity:
        raise MentoringError(f"{profile.user.name} has no places left.", "mentor")
    previous = pairing.mentor.user.name
    pairing.mentor_id = profile.id
    pairing.mentor = profile
    pairing.explanation = matching.explain(mentee, mentor)
    pairing.score = matching.pair_score(mentee, mentor, department_rule=_department_rule())
    pairing.state = PairingState.LOCKED
    record(actor, "pairing.swapped", pairing, summary=f"{previous} -> {profile.user.name}")
    return pairing


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


def confirm_pairing(actor: User, pairing: Pairing) -> Pairing:
    """Confirm one pair: it opens (progress record made) and both people are told.

    Side effects: state confirmed, confirmed_at; Progress with the pathway's sections; an email to
    the mentee and one to the mentor; audit 'pairing.confirmed'.
    """
    if not rules.can_change_pairing(pairing):
        raise MentoringError("Only proposed or locked pairs can be confirmed.")
    pairing.state = PairingState.CONFIRMED
    pairing.confirmed_at = utcnow()
    ensure_progress(pairing.proposal)
    mentor_user, mentee = pairing.mentor.user, pairing.mentee
    scheme = current_app.config["SCHEME_NAME"]
    queue_email(mentee.email, f"Your {scheme} mentor: {mentor_user.name}",
                f"Hello {mentee.name},\n\n{mentor_user.name} ({mentor_user.email}, {pairing.mentor.award_name}) "
                f"will be your mentor. They will be in touch to arrange a first meeting.\n\n"
                f"Your progress page: {_link('mentoring.pairing', pairing_id=pairing.id)}\n", kind="mentoring")
    queue_email(mentor_user.email, f"Your new mentee: {mentee.name}",
                f"Hello {mentor_user.name},\n\nYou are now mentoring {mentee.name} ({mentee.email}), "
                f"{pairing.proposal.pathway.name if pairing.proposal.pathway else 'pathway not set'}.\n"
                f"Why you were matched: {pairing.explanation}.\n\n"
                f"Your dashboard: {_link('mentoring.dashboard')}\n", kind="mentoring")
    record(actor, "pairing.confirmed", pairing, summary=f"{mentor_user.name} mentors {mentee.name}")
    return pairing


def confirm_round(actor: User, round_) -> list[Pairing]:
    """Confirm every proposed and locked pair of the round (see confirm_pairing)."""
    pairings = queries.pairings_in_round(round_.id, [PairingState.PROPOSED, PairingState.LOCKED])
    return [confirm_pairing(actor, p) for p in pairings]


def end_pairing(actor: User, pairing: Pairing, reason: str) -> Pairing:
    """End a pairing (not working, mentor withdrew…); the mentee then waits for a rematch.

    Side effects: state ended with the time and reason; the mentee is told; audit 'pairing.ended'.
    Progress stays with the participant for their next mentor.
    """
    if pairing.state == PairingState.ENDED:
        return pairing
    was_confirmed = pairing.state == PairingState.CONFIRMED
    pairing.state = PairingState.ENDED
    pairing.ended_at = utcnow()
    pairing.ended_reason = (reason or "").strip()[:300] or "Ended by the programme lead."
    if was_confirmed:
        queue_email(pairing.mentee.email, "Your mentoring pairing has ended",
                    f"Hello {pairing.mentee.name},\n\nYour pairing with {pairing.mentor.user.name} has ended "
                    f"({pairing.ended_reason}). The programme lead will find you a new mentor; your progress "
                    "is kept.\n", kind="mentoring")
    record(actor, "pairing.ended", pairing, summary=pairing.ended_reason)
    return pairing


def report_concern(actor: User, pairing: Pairing, concern: str) -> Pairing:
    """Mentor or mentee tells the lead the pairing is not working.

    Side effects: the concern is kept on the pairing (shown on the matching page); every lead is
    emailed; audit 'pairing.concern'. The pairing continues until the lead ends it.
    """
    if not rules.can_update_progress(actor, pairing) or actor.is_lead:
        raise MentoringError("Only the mentor or the participant can report a concern about their pairing.")
    concern = (concern or "").strip()
    if not concern:
        raise MentoringError("Say briefly what is not working.", "concern")
    pairing.concern_reported_at = utcnow()
    pairing.concern = concern[:2000]
    for lead in queries.leads():
        queue_email(lead.email, f"Mentoring pairing not working: {pairing.mentee.name}",
                    f"Hello {lead.name},\n\n{actor.name} reports that the pairing of {pairing.mentee.name} with "
                    f"{pairing.mentor.user.name} is not working:\n\n{pairing.concern}\n\n"
                    f"End it and rematch from the matching page: "
                    f"{_link('mentoring.matching_round', round_id=pairing.round_id)}\n", kind="mentoring")
    record(actor, "pairing.concern", pairing, summary=pairing.concern[:200])
    return pairing


# ---------------------------------------------------------------- progress and meetings

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
    """The schedule's deadline sessions of a round (id, title, local date), if the schedule exists."""
    try:
        from portal.schedule.models import Session, SessionKind, SessionStatus
    except ImportError:
        return []
    from portal.timeutil import to_local
    rows = db.session.scalars(select(Session).where(Session.kind == SessionKind.DEADLINE,
                                                    Session.status == SessionStatus.SCHEDULED,
                                                    (Session.round_id == round_id) | (Session.round_id.is_(None)))
                              .order_by(Session.starts_at)).all()
    return [(s.id, s.title, to_local(s.starts_at).date()) for s in rows]


def update_progress(actor: User, pairing: Pairing, *, registered_on: date | None, target_deadline: date | None,
                    deadline_session_id: int | None = None) -> Progress:
    """Registration date and target submission deadline (a schedule deadline wins over a typed date).

    Audit 'progress.updated'.
    """
    if not rules.can_update_progress(actor, pairing):
        raise MentoringError("This pairing cannot be updated.")
    today = date.today()
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
                f"Volunteer here: {_link('mentoring.volunteer')}\n", kind="mentoring",
                dedupe_key=f"reciprocity-{proposal.id}")
    record(actor, "mentoring.reciprocity_invited", proposal, summary=person.email)


def log_meeting(actor: User, pairing: Pairing, *, held_on: date, duration_minutes: int, notes: str,
                next_steps: str, next_meeting_at: datetime | None) -> Meeting:
    """Add a meeting to the pair's log; an agreed next meeting appears in both calendar feeds.

    Audit 'meeting.logged'.
    """
    if not rules.can_update_progress(actor, pairing):
        raise MentoringError("This pairing cannot be updated.")
    if held_on > date.today():
        raise MentoringError("Log a meeting once it has happened; put a future one in 'Next meeting'.", "held_on")
    if not 5 <= duration_minutes <= 480:
        raise MentoringError("Duration must be between 5 and 480 minutes.", "duration_minutes")
    if next_meeting_at is not None and next_meeting_at <= utcnow():
        raise MentoringError("The next meeting must be in the future.", "next_meeting_at")
    meeting = Meeting(pairing_id=pairing.id, held_on=held_on, duration_minutes=duration_minutes,
                      notes=(notes or "").strip(), next_steps=(next_steps or "").strip(),
                      next_meeting_at=next_meeting_at, logged_by_id=actor.id)
    db.session.add(meeting)
    db.session.flush()
    record(actor, "meeting.logged", pairing, summary=f"{held_on.isoformat()}, {duration_minutes} min")
    return meeting


# ---------------------------------------------------------------- portfolio register

def pdf_problem(data: bytes) -> str | None:
    """Why these bytes are not an acceptable PDF, or None.

    Checks the size, the '%PDF-1.x' header, at least one object, a cross-reference
    ('startxref') and the '%%EOF' marker at the end — so a renamed text or image file is refused.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        return "The file is larger than 10 MB; upload a smaller PDF or share a link instead."
    if not data:
        return "The file is empty."
    if not re.match(rb"%PDF-[12]\.\d", data[:1024].lstrip(b"\x00\t\r\n ")):
        return "This file is not a PDF (it does not start like one). Upload a PDF or share a link instead."
    tail = data[-2048:]
    if b"%%EOF" not in tail or b"startxref" not in data[-4096:]:
        return "This PDF is incomplete or damaged (no end-of-file marker). Save it again as PDF and retry."
    if not re.search(rb"\d+\s+\d+\s+obj", data):
        return "This PDF has no content objects; save it again as PDF and retry."
    return None


_DELETE_ON_COMMIT = "mentoring_delete_on_commit"
_DELETE_ON_ROLLBACK = "mentoring_delete_on_rollback"


@event.listens_for(Session, "after_commit")
def _delete_files_after_commit(session) -> None:
    for path in session.info.pop(_DELETE_ON_COMMIT, []):
        Path(path).unlink(missing_ok=True)
    session.info.pop(_DELETE_ON_ROLLBACK, None)


@event.listens_for(Session, "after_soft_rollback")
def _delete_files_after_rollback(session, previous_transaction) -> None:
    # A stored upload whose row never committed is removed; a withdrawn file whose delete was rolled back stays.
    for path in session.info.pop(_DELETE_ON_ROLLBACK, []):
        Path(path).unlink(missing_ok=True)
    session.info.pop(_DELETE_ON_COMMIT, None)


def upload_dir() -> Path:
    """Uploads live under the instance folder, never under static/ (they are served only to signed-in staff)."""
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def share_example(owner: User, *, pathway_id: int | None, job_role: str, specialist_areas, summary: str,
                  link_url: str = "", pdf: bytes | None = None, filename: str = "") -> ExamplePortfolio:
    """Add an example portfolio to the register: a link or a checked PDF (stored under instance/uploads).

    Audit 'example.shared'.
    """
    link_url = (link_url or "").strip()
    if not link_url and not pdf:
        raise MentoringError("Give a link or upload a PDF.", "link_url")
    if link_url and not re.match(r"https?://[^\s/]+\.[^\s]+$", link_url):
        raise MentoringError("Give a full web address starting with https://.", "link_url")
    example = ExamplePortfolio(owner_id=owner.id, pathway_id=pathway_id, job_role=(job_role or "").strip()[:200],
                               specialist_areas=parse_areas(specialist_areas), summary=(summary or "").strip(),
                               link_url=link_url[:500])
    if pdf:
        problem = pdf_problem(pdf)
        if problem:
            raise MentoringError(problem, "pdf")
        stored = f"{uuid.uuid4().hex}.pdf"
        target = upload_dir() / stored
        temp = target.with_suffix(".part")
        temp.write_bytes(pdf)
        os.replace(temp, target)
        db.session.info.setdefault(_DELETE_ON_ROLLBACK, []).append(str(target))
        example.stored_name = stored
        example.original_filename = _safe_filename(filename)
        example.file_size = len(pdf)
    db.session.add(example)
    db.session.flush()
    record(owner, "example.shared", example, summary=example.job_role or example.original_filename or link_url)
    return example


def _safe_filename(name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._ -]+", "_", os.path.basename(name or "")).strip(" .") or "portfolio"
    if not base.lower().endswith(".pdf"):
        base += ".pdf"
    return base[:200]


def example_file(example: ExamplePortfolio) -> Path | None:
    if not example.stored_name or not re.fullmatch(r"[0-9a-f]{32}\.pdf", example.stored_name):
        return None
    path = upload_dir() / example.stored_name
    return path if path.is_file() else None


def withdraw_example(actor: User, example: ExamplePortfolio) -> None:
    """The owner (or a lead) withdraws an example: the entry is deleted, and its file once that commits.

    Audit 'example.withdrawn'.
    """
    if not rules.can_withdraw_example(actor, example):
        raise MentoringError("Only the person who shared it can withdraw this example.")
    path = example_file(example)
    record(actor, "example.withdrawn", example, summary=example.job_role or example.original_filename)
    db.session.delete(example)
    db.session.flush()
    if path is not None:
        db.session.info.setdefault(_DELETE_ON_COMMIT, []).append(str(path))
