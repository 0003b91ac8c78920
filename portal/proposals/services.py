"""Every change to a proposal: drafts, submission, edits after submission, withdrawal, kept text.

State changes go through portal.proposals.states.set_proposal_state (which writes the audit event);
the acknowledgement email is queued in the same transaction.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from portal.audit.services import record
from portal.db_types import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.outbox.services import queue_email
from portal.proposals import rules
from portal.proposals.models import ANSWER_FIELDS, PendingDraft, Proposal, ProposalState, ProposalVersion
from portal.proposals.queries import live_proposal_for
from portal.proposals.states import set_proposal_state
from portal.rounds.models import LIMITED_QUESTIONS, Pathway, Round
from portal.schedule.intro import bookable_intro_sessions, booked_intro_session, has_attended_intro
from portal.timeutil import format_local
from portal.web.links import absolute_url


class ProposalError(ServiceError):
    """A change refused by a rule, with every reason (rules.Problem) that applies; the message joins them."""

    def __init__(self, problems: list[rules.Problem]):
        super().__init__(" ".join(p.message for p in problems))
        self.problems = problems


def _refuse(code: str, message: str) -> ProposalError:
    return ProposalError([rules.Problem(code, message)])


def start_proposal(user, round_: Round, now: datetime | None = None) -> Proposal:
    """The person's live proposal in the round, or a new draft (job title and department pre-filled).

    Side effects: a new draft row and audit 'proposal.started'. Refused when the round is not taking proposals.
    """
    existing = live_proposal_for(user, round_)
    if existing is not None:
        return existing
    problem = rules.closed_problem(round_, now or utcnow())
    if problem is not None:
        raise ProposalError([problem])
    proposal = Proposal(round_id=round_.id, user_id=user.id, state=ProposalState.DRAFT, active_slot=1,
                        job_title=user.job_title or "", department=user.department or "")
    db.session.add(proposal)
    db.session.flush()
    record(user, "proposal.started", proposal, summary=f"Draft for {round_.name}")
    return proposal


def clean_answers(answers: dict, round_: Round) -> dict:
    """Keep only known answers; strip text; a pathway not on offer in the round is left out (the choice
    already made stands: the form tells the person, and nothing is cleared behind their back)."""
    cleaned = {}
    for name, value in answers.items():
        if name not in ANSWER_FIELDS:
            continue
        if isinstance(value, str):
            # Browsers post textarea newlines as CRLF; long answers are otherwise kept exactly as typed.
            value = value.replace("\r\n", "\n")
            if name not in LIMITED_QUESTIONS:
                value = value.strip()
        if name == "pathway_id" and value is not None and value not in {p.id for p in round_.pathways}:
            continue
        cleaned[name] = value
    return cleaned


def _apply(proposal: Proposal, answers: dict) -> None:
    for name, value in clean_answers(answers, proposal.round).items():
        if name in {"line_manager_supports", "consent"}:
            value = bool(value)
        elif isinstance(value, str) or value is None:
            value = "" if value is None and name not in {"years_experience", "pathway_id"} else value
        setattr(proposal, name, value)
    proposal.updated_at = utcnow()


def save_draft(user, proposal: Proposal, answers: dict) -> Proposal:
    """Save (part of) a draft's answers. Side effects: kept text that the draft now holds is settled.

    No audit event: autosave runs every few seconds and the saved answers are their own record.
    """
    if not rules.can_save_draft(user, proposal):
        raise _refuse("not_draft", "This proposal is no longer a draft; use “Save changes” instead.")
    _apply(proposal, answers)
    settle_kept(user, proposal)
    return proposal


def intro_problem(user, round_: Round) -> rules.Problem | None:
    """The intro-session prerequisite, with the facts read from the schedule (attendance recorded by the
    lead, the sessions still bookable), each only when the answer depends on it."""
    if not round_.intro_required:
        return None
    attended = has_attended_intro(user, round_)
    booked = None if attended else booked_intro_session(user, round_)
    return rules.intro_problem(round_, attended, [] if attended or booked else bookable_intro_sessions(round_, user),
                               booked)


def submission_problems(user, proposal: Proposal, now: datetime, answers: dict | None = None) -> list[rules.Problem]:
    """Every reason the proposal (with these answers, or its saved ones) cannot be submitted now.

    Order: closed round, intro prerequisite, already submitted in this round, then the answers.
    """
    round_ = proposal.round
    problems = []
    closed = rules.closed_problem(round_, now)
    if closed:
        problems.append(closed)
    intro = intro_problem(user, round_)
    if intro:
        problems.append(intro)
    other = db.session.scalar(select(Proposal.id).where(
        Proposal.round_id == round_.id, Proposal.user_id == proposal.user_id, Proposal.id != proposal.id,
        Proposal.state.in_(rules.COUNTS_AS_SUBMITTED)).limit(1))
    if other is not None:
        problems.append(rules.Problem("already_submitted",
                                      "You have already submitted a proposal in this round; edit that one instead."))
    merged = proposal.answers()
    merged.update(clean_answers(answers or {}, round_))
    problems.extend(rules.answer_problems(merged, round_))
    return problems


def _keep_version(proposal: Proposal) -> ProposalVersion:
    proposal.version = (proposal.version or 0) + 1
    version = ProposalVersion(proposal=proposal, version=proposal.version, answers=proposal.answers())
    db.session.add(version)
    return version


def submit_proposal(user, proposal: Proposal, now: datetime | None = None, answers: dict | None = None) -> Proposal:
    """Submit a draft (after saving these answers, if given).

    Refused, with every reason, when the round is closed (to the second, at closes_at), the intro
    session was not attended, another proposal of theirs is already submitted in the round, answers
    are missing or over their word limits. Side effects: state -> submitted (audit via
    set_proposal_state), version 1 kept, acknowledgement email with a copy of the answers queued,
    kept text that the proposal now holds settled.
    """
    now = now or utcnow()
    if not rules.is_owner(user, proposal) or proposal.state != ProposalState.DRAFT:
        raise _refuse("not_draft", "Only your own draft can be submitted.")
    problems = submission_problems(user, proposal, now, answers)
    if problems:
        raise ProposalError(problems)
    if answers:
        _apply(proposal, answers)
    set_proposal_state(proposal, ProposalState.SUBMITTED, user, summary=f"Submitted to {proposal.round.name}")
    proposal.submitted_at = now
    _keep_version(proposal)
    settle_kept(user, proposal)
    _acknowledge(proposal, first=True)
    return proposal


def save_then_submit(user, proposal: Proposal, answers: dict, *, submit: bool,
                     now: datetime | None = None) -> list[rules.Problem]:
    """Save a draft's answers and, when asked, submit it; returns every reason it could not be submitted.

    The saved draft is kept either way (typed text is never refused). Side effects: those of save_draft,
    and of submit_proposal when it goes through.
    """
    save_draft(user, proposal, answers)
    if not submit:
        return []
    try:
        submit_proposal(user, proposal, now)
    except ProposalError as exc:
        return exc.problems
    return []


def update_submitted(user, proposal: Proposal, answers: dict, now: datetime | None = None) -> Proposal:
    """Change a submitted proposal before the deadline; the panel sees the latest version.

    The same rules as submitting apply to the new answers. Side effects: a new ProposalVersion,
    audit 'proposal.edited', a confirmation email with the new copy, kept text it now holds settled.
    """
    now = now or utcnow()
    if not rules.is_owner(user, proposal) or proposal.state != ProposalState.SUBMITTED:
        raise _refuse("not_submitted", "Only your own submitted proposal can be changed.")
    problems = [p for p in submission_problems(user, proposal, now, answers) if p.code != "intro"]
    if problems:
        raise ProposalError(problems)
    _apply(proposal, answers)
    version = _keep_version(proposal)
    record(user, "proposal.edited", proposal, summary=f"Version {version.version}")
    settle_kept(user, proposal)
    _acknowledge(proposal, first=False)
    return proposal


def change_submitted(user, proposal: Proposal, answers: dict, sent: dict,
                     now: datetime | None = None) -> list[rules.Problem]:
    """Change a submitted proposal (update_submitted); returns every reason when a rule refuses the change.

    A refused change leaves the proposal as it was (update_submitted checks before it writes) and keeps
    the text sent (`sent`, valid or not) on the server instead, so nothing typed is lost.
    """
    try:
        update_submitted(user, proposal, answers, now)
    except ProposalError as exc:
        keep_pending(proposal, sent, user)
        return exc.problems
    return []


def withdraw_proposal(user, proposal: Proposal) -> Proposal:
    """Withdraw a submitted proposal (until decisions are made).

    Side effects: state -> withdrawn (audit via set_proposal_state; frees the round for a new proposal),
    a confirmation email.
    """
    if not rules.can_withdraw(user, proposal):
        raise _refuse("cannot_withdraw", "This proposal can no longer be withdrawn.")
    set_proposal_state(proposal, ProposalState.WITHDRAWN, user, summary="Withdrawn by the applicant")
    queue_email(proposal.applicant.email, f"You have withdrawn your proposal for {proposal.round.name}",
                f"Dear {proposal.applicant.name},\n\nYour proposal for {proposal.round.name} is withdrawn; "
                "the panel will not consider it.\n", kind="proposal.withdrawn")
    return proposal


# ---------------------------------------------------------------- the acknowledgement email

def answers_as_text(proposal: Proposal) -> str:
    """The answers as plain text, in the order the form asks them (for emails and exports)."""
    pathway = db.session.get(Pathway, proposal.pathway_id) if proposal.pathway_id else None
    rows = [
        ("Job title", proposal.job_title), ("Department", proposal.department),
        ("Role summary", proposal.role_summary),
        ("How learning technology features in your role", proposal.learning_technology),
        ("Years of experience", "" if proposal.years_experience is None else str(proposal.years_experience)),
        ("Leadership, strategy or research responsibilities",
         {True: "Yes", False: "No"}.get(proposal.leads_learning_technology, "Not answered")),
        ("Pathway", pathway.name if pathway else ""), ("Motivation", proposal.motivation),
        ("Intended submission window", proposal.submission_window),
        ("Line manager", f"{proposal.line_manager_name} <{proposal.line_manager_email}>"),
        ("Line manager supports this proposal", "Yes" if proposal.line_manager_supports else "No"),
        ("Consent to use for selection", "Yes" if proposal.consent else "No"),
    ]
    return "\n\n".join(f"{label}:\n{value}" for label, value in rows)


def _acknowledge(proposal: Proposal, first: bool) -> None:
    round_ = proposal.round
    link = absolute_url("proposals.detail", proposal_id=proposal.id)
    when = format_local(proposal.submitted_at if first else utcnow())
    if first:
        subject = f"We have received your proposal for {round_.name}"
        opening = f"Thank you: we received your proposal for {round_.name} at {when}."
    else:
        subject = f"Your changed proposal for {round_.name} (version {proposal.version})"
        opening = f"We received the changes to your proposal for {round_.name} at {when} (version {proposal.version})."
    body = (f"Dear {proposal.applicant.name},\n\n{opening}\n\n"
            f"You can change it until {format_local(round_.closes_at)} and withdraw it until decisions are made:\n"
            f"{link}\n\nA copy of your answers:\n\n{answers_as_text(proposal)}\n")
    queue_email(proposal.applicant.email, subject, body, kind="proposal.acknowledged")


# ---------------------------------------------------------------- text kept when it could not be saved

# Kept text is of no use after a fortnight. A person keeps at most one text a proposal and a few in all
# (their oldest goes); one client may keep only so many an hour (beyond that, nothing more is kept).
KEPT_FOR = timedelta(days=14)
KEPT_PER_PERSON = 3
KEPT_PER_CLIENT_PER_HOUR = 20
# The kept answers offered back: what was typed or chosen. A box (consent, support) is quicker to tick again
# than to compare, and offering "No" against a ticked box would only confuse.
OFFERED_ANSWERS = tuple(name for name in ANSWER_FIELDS if name not in {"line_manager_supports", "consent"})


def _live_kept():
    """The condition for kept text that has not expired."""
    return PendingDraft.created_at >= utcnow() - KEPT_FOR


def keep_pending(proposal: Proposal, answers: dict, user=None, *, client: str = "") -> PendingDraft | None:
    """Keep text that could not be saved normally (expired sign-in, stale token) on the server.

    With user (signed in, the owner), it is keyed to the account; otherwise to a fresh random token
    that the caller puts in the browser's session. It replaces the proposal's earlier kept text, and the
    owner's oldest beyond KEPT_PER_PERSON; expired text is deleted. Returns None, keeping nothing, when
    `client` has kept KEPT_PER_CLIENT_PER_HOUR texts in the past hour. Nothing in the proposal changes.
    The caller must have checked that the text comes from the owner's own page (web.csrf.served_to).
    """
    db.session.execute(delete(PendingDraft).where(PendingDraft.created_at < utcnow() - KEPT_FOR))
    if client and db.session.scalar(select(func.count(PendingDraft.id)).where(
            PendingDraft.client == client,
            PendingDraft.created_at >= utcnow() - timedelta(hours=1))) >= KEPT_PER_CLIENT_PER_HOUR:
        return None
    owner = user if user is not None and rules.is_owner(user, proposal) else None
    db.session.execute(delete(PendingDraft).where(PendingDraft.proposal_id == proposal.id))
    others = select(PendingDraft.id).join(Proposal, Proposal.id == PendingDraft.proposal_id).where(
        Proposal.user_id == proposal.user_id).order_by(PendingDraft.created_at.desc(), PendingDraft.id.desc())
    db.session.execute(delete(PendingDraft).where(
        PendingDraft.id.in_(others.offset(KEPT_PER_PERSON - 1).scalar_subquery())))
    pending = PendingDraft(token=secrets.token_urlsafe(32), user_id=owner.id if owner else None,
                           proposal_id=proposal.id, answers=clean_answers(answers, proposal.round), client=client)
    db.session.add(pending)
    db.session.flush()
    return pending


def claim_pending(token: str | None, user) -> PendingDraft | None:
    """After signing in again: attach text kept under a browser token to the account, if it is theirs."""
    if not token:
        return None
    pending = db.session.scalar(select(PendingDraft).where(PendingDraft.token == token, _live_kept()))
    if pending is None:
        return None
    proposal = db.session.get(Proposal, pending.proposal_id)
    if proposal is None or not rules.is_owner(user, proposal):
        return None
    db.session.execute(delete(PendingDraft).where(PendingDraft.user_id == user.id,
                                                  PendingDraft.proposal_id == proposal.id,
                                                  PendingDraft.id != pending.id))
    pending.user_id = user.id
    return pending


def pending_for(user, proposal: Proposal) -> PendingDraft | None:
    """The person's kept text for the proposal, unless it has expired."""
    return db.session.scalars(select(PendingDraft).where(
        PendingDraft.user_id == user.id, PendingDraft.proposal_id == proposal.id, _live_kept()
    ).order_by(PendingDraft.id.desc()).limit(1)).first()


def discard_pending(user, proposal: Proposal) -> None:
    """Delete the person's kept text for the proposal (it was saved, or is no longer wanted)."""
    db.session.execute(delete(PendingDraft).where(PendingDraft.user_id == user.id,
                                                  PendingDraft.proposal_id == proposal.id))


def _keep_only(pending: PendingDraft, answers: dict) -> None:
    if answers:
        pending.answers = answers  # a new dict, so the JSON column is seen to change
    else:
        db.session.delete(pending)


def settle_kept(user, proposal: Proposal) -> None:
    """After a save: drop the kept answers the proposal now holds (used and saved, or typed again), so what is
    still offered is only text that would otherwise be lost. Nothing else is discarded behind the person's back.
    """
    pending = pending_for(user, proposal)
    if pending is not None:
        saved = clean_answers(proposal.answers(), proposal.round)
        _keep_only(pending, {k: v for k, v in pending.answers.items() if k in OFFERED_ANSWERS and saved.get(k) != v})


def discard_kept_answer(user, proposal: Proposal, name: str) -> None:
    """Discard the person's kept text for one answer of the proposal (the rest stays offered)."""
    pending = pending_for(user, proposal)
    if pending is None or name not in pending.answers:
        raise _refuse("no_kept_text", "There is no kept text for that answer any more.")
    _keep_only(pending, {k: v for k, v in pending.answers.items() if k != name and k in OFFERED_ANSWERS})
