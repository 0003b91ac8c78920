"""Subject access export and retention.

The export holds what the portal keeps about one person and nothing about anyone else: scores
they GAVE (not the scores others gave their proposal), their side of pairings (not the other
person's name or details; a concern only to the one who wrote it), the mail sent to them (a
password-reset link left out), audit events where they acted, and no feed token secrets.

Retention removes personal data past its period from every copy: proposals, their audit events and
the outbox (run_retention).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import func, or_, select

from portal.audit.models import AuditEvent
from portal.audit.services import clear_events_about, clear_summaries_before, record
from portal.auth import oidc
from portal.auth import sessions as sign_in_sessions
from portal.auth.link_models import Invitation
from portal.auth.models import User
from portal.auth.services import PASSWORD_RESET_MAIL
from portal.db_types import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.outbox.services import blank_sent_before
from portal.mentoring import rules as mentoring_rules
from portal.mentoring.models import ExamplePortfolio, Meeting, MenteeAreas, MentorProfile, Pairing, Progress
from portal.panel.models import Conflict, Criterion, Decision, Review, Score
from portal.proposals.models import PendingDraft, Proposal, ProposalState, ProposalVersion
from portal.reminders.models import AwardReminders
from portal.rounds.models import Pathway, Round
from portal.schedule.models import Booking, FeedToken, Session
from portal.timeutil import to_local

ANONYMOUS_EMAIL = "anonymised@retention.invalid"
ANONYMOUS_NAME = "Anonymised applicant"
RESET_LINK_LEFT_OUT = "(Left out: this email held a password-reset link, which may still work.)"
# Waitlisted ones too: a year after the decision the waitlist is long over, and nobody is offered a place.
RETAINED_STATES = (ProposalState.NOT_SELECTED, ProposalState.WAITLISTED)
# Kept after anonymisation: what reports count. Everything else a person wrote or named goes.
_CLEARED_TEXT = ("job_title", "role_summary", "learning_technology", "motivation", "submission_window",
                 "line_manager_name", "line_manager_email")


def plain(value):
    """A value held about someone in JSON's terms: times ISO 8601 in UTC, dates ISO, enums by value."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _row(obj, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}


def subject_access(user: User) -> dict:
    """Everything held about `user`, as plain JSON-ready data (times ISO 8601 in UTC, states by value)."""
    return plain(held_about(user))


def held_about(user: User, *, audit_events: bool = True) -> dict:
    """Everything held about `user`, as Python values (aware datetimes, dates, enum members), for the JSON
    export (plain) and the My data page (privacy/readable.py) to put in their own form.

    Without audit_events the list of things they did is left out: the page reads it a page at a time."""
    uid = user.id
    data: dict = {"generated_at": utcnow()}
    data["account"] = _row(user, ("id", "email", "name", "job_title", "department", "campus", "created_at",
                                  "last_login_at", "wants_reminders", "is_active_account", "verified_at",
                                  "expires_at"))
    data["account"]["roles"] = sorted(role.value for role in user.roles)
    if user.line_manager is not None:
        data["account"]["line_manager"] = user.line_manager.name

    proposals = db.session.execute(
        select(Proposal, Round.name, Pathway.name).join(Round, Round.id == Proposal.round_id)
        .outerjoin(Pathway, Pathway.id == Proposal.pathway_id)
        .where(Proposal.user_id == uid).order_by(Proposal.id)).all()
    proposal_ids = [p.id for p, _r, _pw in proposals]
    versions = _group(db.session.scalars(select(ProposalVersion).where(
        ProposalVersion.proposal_id.in_(proposal_ids)).order_by(ProposalVersion.version)), "proposal_id")
    decisions = {d.proposal_id: d for d in db.session.scalars(
        select(Decision).where(Decision.proposal_id.in_(proposal_ids)))}
    areas = {a.proposal_id: a.areas for a in db.session.scalars(
        select(MenteeAreas).where(MenteeAreas.proposal_id.in_(proposal_ids)))}
    drafts = _group(db.session.scalars(select(PendingDraft).where(or_(
        PendingDraft.user_id == uid, PendingDraft.proposal_id.in_(proposal_ids)))), "proposal_id")
    data["proposals"] = []
    for p, round_name, pathway_name in proposals:
        item = _row(p, ("id", "state", "created_at", "updated_at", "submitted_at", "withdrawn_at", "decided_at",
                        "version"))
        item.update(round=round_name, pathway=pathway_name, answers=p.answers(),
                    versions=[{"version": v.version, "created_at": v.created_at, "answers": v.answers}
                              for v in versions.get(p.id, [])],
                    unsaved_drafts=[{"created_at": d.created_at, "answers": d.answers}
                                    for d in drafts.get(p.id, [])])
        decision = decisions.get(p.id)
        if decision is not None:
            item["decision"] = _row(decision, ("outcome", "feedback", "decided_at", "offered_at", "accept_by",
                                               "accepted_at", "declined_at"))
        if p.id in areas:
            item["mentor_areas_wanted"] = areas[p.id]
        data["proposals"].append(item)

    criteria = dict(db.session.execute(select(Criterion.id, Criterion.name)).all())
    data["scores_given"] = [
        {"proposal_id": s.proposal_id, "criterion": criteria.get(s.criterion_id), "value": s.value,
         "updated_at": s.updated_at}
        for s in db.session.scalars(select(Score).where(Score.reviewer_id == uid).order_by(Score.id))]
    data["reviews_written"] = [
        _row(r, ("proposal_id", "comment", "abstained", "abstain_reason", "submitted_at", "updated_at"))
        for r in db.session.scalars(select(Review).where(Review.reviewer_id == uid).order_by(Review.id))]
    data["conflicts_declared"] = [
        _row(c, ("proposal_id", "kind", "reason", "created_at"))
        for c in db.session.scalars(select(Conflict).where(Conflict.user_id == uid).order_by(Conflict.id))]

    data["bookings"] = [
        {**_row(b, ("id", "status", "attended", "created_at", "cancelled_at")), "session": title,
         "starts_at": starts}
        for b, title, starts in db.session.execute(
            select(Booking, Session.title, Session.starts_at).join(Session, Session.id == Booking.session_id)
            .where(Booking.user_id == uid).order_by(Session.starts_at)).all()]
    data["calendar_feeds"] = [
        _row(t, ("id", "label", "scope", "round_id", "alarm_minutes", "created_at", "revoked_at", "last_used_at"))
        for t in db.session.scalars(select(FeedToken).where(FeedToken.user_id == uid).order_by(FeedToken.id))]

    profile = db.session.scalar(select(MentorProfile).where(MentorProfile.user_id == uid))
    if profile is not None:
        data["mentor_profile"] = _row(profile, ("award_name", "award_level", "award_year", "department", "campus",
                                                "specialist_areas", "capacity", "availability_notes", "paused",
                                                "approved_at", "created_at"))
    pairings = db.session.scalars(select(Pairing).where(or_(
        Pairing.mentee_id == uid, Pairing.mentor_id == (profile.id if profile else -1))).order_by(Pairing.id)).all()
    meetings = _group(db.session.scalars(select(Meeting).where(
        Meeting.pairing_id.in_([p.id for p in pairings])).order_by(Meeting.held_on)), "pairing_id")
    data["pairings"] = []
    for pairing in pairings:
        item = _row(pairing, ("id", "round_id", "state", "created_at", "confirmed_at", "ended_at"))
        item["my_role"] = "mentee" if pairing.mentee_id == uid else "mentor"
        # Mentoring decides who reads a concern (the one who wrote it, and the lead), here as on its page.
        if pairing.concern_reported_at and mentoring_rules.can_read_concern(user, pairing):
            item["concern"] = {"text": pairing.concern, "reported_at": pairing.concern_reported_at}
        item["meetings"] = [_row(m, ("held_on", "duration_minutes", "notes", "next_steps", "next_meeting_at"))
                            for m in meetings.get(pairing.id, [])]
        data["pairings"].append(item)
    data["progress"] = [
        {**_row(pr, ("proposal_id", "registered_on", "target_deadline", "outcome", "outcome_recorded_at")),
         "sections": [{"name": s.name, "status": s.status} for s in pr.sections]}
        for pr in db.session.scalars(select(Progress).where(Progress.proposal_id.in_(proposal_ids)))]
    data["example_portfolios"] = [
        _row(e, ("id", "job_role", "specialist_areas", "summary", "link_url", "original_filename", "created_at"))
        for e in db.session.scalars(select(ExamplePortfolio).where(ExamplePortfolio.owner_id == uid))]
    choice = db.session.scalar(select(AwardReminders).where(AwardReminders.user_id == uid))
    if choice is not None:
        data["award_reminders"] = _row(choice, ("awarded_on", "membership_fee", "portfolio_review", "updated_at"))
    data["sign_in_sessions"] = [
        _row(s, ("created_at", "last_seen_at", "user_agent", "remembered", "expires_at", "revoked_at"))
        for s in sign_in_sessions.sign_in_history(user)]
    data["institution_sign_in"] = [_row(i, ("issuer", "subject", "created_at", "last_sign_in_at"))
                                   for i in oidc.identities_of(user)]
    data["invitations"] = [_row(i, ("created_at", "expires_at", "used_at", "role", "account_expires_at"))
                           for i in db.session.scalars(select(Invitation).where(Invitation.email == user.email)
                                                       .order_by(Invitation.id))]
    data["emails"] = [_email(m) for m in db.session.scalars(
        select(OutboxMessage).where(func.lower(OutboxMessage.recipient) == user.email.lower())
        .order_by(OutboxMessage.id))]
    if audit_events:
        data["audit_events"] = [audit_row(e) for e in db.session.scalars(own_audit_events(user))]
    return data


def own_audit_events(user: User, newest_first: bool = False):
    """The audit events where `user` acted, as a statement (the page pages it, the export reads it all)."""
    order = AuditEvent.id.desc() if newest_first else AuditEvent.id
    return select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(order)


def audit_row(event: AuditEvent) -> dict:
    return _row(event, ("at", "action", "object_type", "object_id", "summary"))


def _email(message: OutboxMessage) -> dict:
    item = _row(message, ("created_at", "subject", "status", "sent_at"))
    # A reset link may still work: a copy in a download would be a way into the account.
    item["body"] = RESET_LINK_LEFT_OUT if message.kind == PASSWORD_RESET_MAIL else message.body
    item["calendar_invitation"] = bool(message.ics)
    return item


def _group(rows, attribute: str) -> dict:
    out: dict = {}
    for row in rows:
        out.setdefault(getattr(row, attribute), []).append(row)
    return out


def record_export(user: User, fmt: str) -> None:
    """Audit a subject access download. Side effect: one audit event."""
    record(user, "privacy.export", user, summary=f"{user.name} downloaded their data ({fmt})", format=fmt)


def export_for(lead: User, email: str) -> tuple[User, dict]:
    """The lead produces a colleague's subject access export (a request that reached the lead by email):
    the same data the colleague downloads from My data. Refused for anyone but a lead, and for an email
    address nobody has. Side effect: audit 'privacy.export_for' about the colleague, the lead as actor."""
    if not getattr(lead, "is_lead", False):
        raise ServiceError("Only the programme lead can produce someone else's data export.")
    address = (email or "").strip().lower()
    if not address:
        raise ServiceError("Enter the email address of the person who asked for their data.", field="email")
    person = db.session.scalar(select(User).where(func.lower(User.email) == address))
    if person is None or person.email == ANONYMOUS_EMAIL:
        raise ServiceError(f"Nobody in the portal has the email address {email.strip()}.", field="email")
    data = subject_access(person)
    record(lead, "privacy.export_for", person,
           summary=f"{lead.name} produced the data export of {person.name} (subject access request)",
           format="json")
    return person, data


# ---------------------------------------------------------------- retention

def anonymous_user() -> User:
    """The one account anonymised proposals are moved to (it cannot sign in)."""
    user = db.session.scalar(select(User).where(User.email == ANONYMOUS_EMAIL))
    if user is None:
        user = User(email=ANONYMOUS_EMAIL, name=ANONYMOUS_NAME, password_hash="!", is_active_account=False,
                    wants_reminders=False)
        db.session.add(user)
        db.session.flush()
    return user


def months_before(now: datetime | None, months: int) -> datetime:
    """The instant `months` calendar months before `now` on the institution's clock (31 March less one
    month is 28 February, at the same wall time even across a change to or from summer time), in UTC."""
    local = to_local(now or utcnow())
    return (local - relativedelta(months=months)).astimezone(timezone.utc)


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Decisions before this instant are old enough for their proposals to be anonymised."""
    return months_before(now, int(current_app.config["RETENTION_MONTHS"]))


def due_for_anonymisation(now: datetime | None = None) -> list[Proposal]:
    """Unselected proposals whose decision is older than the retention period and not yet anonymised."""
    placeholder = db.session.scalar(select(User.id).where(User.email == ANONYMOUS_EMAIL))
    query = select(Proposal).where(Proposal.state.in_(RETAINED_STATES), Proposal.decided_at.is_not(None),
                                   Proposal.decided_at < retention_cutoff(now))
    if placeholder is not None:
        query = query.where(Proposal.user_id != placeholder)
    return list(db.session.scalars(query.order_by(Proposal.id)))


def anonymise_proposal(proposal: Proposal, placeholder: User) -> None:
    """Remove who applied and what they wrote; keep round, state, pathway, department and dates for counts.

    Side effects: versions' answers, unsaved drafts, review comments, conflict reasons and decision
    feedback cleared; the proposal moved to the placeholder account; the summaries of the audit events
    about it cleared and the applicant unlinked from them; an audit event. Returns how many audit
    events were cleared.
    """
    applicant_id = proposal.user_id
    for name in _CLEARED_TEXT:
        setattr(proposal, name, "")
    proposal.consent = False
    proposal.line_manager_supports = False
    proposal.user_id = placeholder.id
    proposal.active_slot = None
    kept = {"pathway_id": proposal.pathway_id, "department": proposal.department,
            "years_experience": proposal.years_experience}
    for version in db.session.scalars(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)):
        version.answers = dict(kept)
    for draft in db.session.scalars(select(PendingDraft).where(PendingDraft.proposal_id == proposal.id)):
        db.session.delete(draft)
    for review in db.session.scalars(select(Review).where(Review.proposal_id == proposal.id)):
        review.comment = ""
        review.abstain_reason = ""
    for conflict in db.session.scalars(select(Conflict).where(Conflict.proposal_id == proposal.id)):
        conflict.reason = ""
    for decision in db.session.scalars(select(Decision).where(Decision.proposal_id == proposal.id)):
        decision.feedback = ""
    cleared = clear_events_about(proposal, applicant_id)
    record(None, "proposal.anonymised", proposal,
           summary=f"Proposal #{proposal.id} anonymised after the retention period")
    return cleared


@dataclass
class RetentionReport:
    proposals: int = 0  # anonymised
    outbox_messages: int = 0  # sent or failed mail blanked
    audit_events: int = 0  # audit summaries and details cleared
    sign_in_sessions: int = 0  # ended sign-ins deleted


def run_retention(now: datetime | None = None) -> RetentionReport:
    """Remove personal data past its retention period, in every copy; returns the counts. Caller commits.

    Proposals not selected or waitlisted, RETENTION_MONTHS after the decision: anonymised (above).
    Mail sent or failed OUTBOX_RETENTION_DAYS ago: recipient, subject and body blanked.
    Audit events AUDIT_RETENTION_MONTHS old: summary and details cleared.
    Sign-ins revoked or expired SIGN_IN_RETENTION_DAYS ago: deleted.
    What reports count (states, rounds, pathways, departments, dates) is kept.
    """
    report = RetentionReport()
    due = due_for_anonymisation(now)
    if due:
        placeholder = anonymous_user()
        for proposal in due:
            report.audit_events += anonymise_proposal(proposal, placeholder)
        report.proposals = len(due)
    days = int(current_app.config["OUTBOX_RETENTION_DAYS"])
    report.outbox_messages = blank_sent_before((now or utcnow()) - timedelta(days=days))
    db.session.flush()
    audit_cutoff = months_before(now, int(current_app.config["AUDIT_RETENTION_MONTHS"]))
    report.audit_events += clear_summaries_before(audit_cutoff)
    days = int(current_app.config["SIGN_IN_RETENTION_DAYS"])
    report.sign_in_sessions = sign_in_sessions.delete_ended_before((now or utcnow()) - timedelta(days=days))
    return report
