"""The dashboard's CSV exports: each kind's header and its rows, read in batches as the download is sent.

Each `*_rows` function is a generator over `yield_per`: rows come from a server-side cursor (PostgreSQL)
or SQLite's own cursor a batch at a time while the response streams, so a large round is never all in memory.

The files say what the pages say: states by their labels, sessions by their full titles ("Workshop 2 of 5"),
and every time on the institution's clock with its UTC offset ("2027-04-14T14:00:00+01:00"), so a 14:00
workshop reads 14:00 in summer and winter alike and a spreadsheet can still compare instants.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, case, func, select
from sqlalchemy.orm import aliased

from portal.auth.models import User
from portal.db_types import LabelledEnum
from portal.extensions import db
from portal.mentoring.models import MentorProfile, Pairing, Progress, ProgressSection, SectionStatus
from portal.panel.models import Decision
from portal.proposals.models import Proposal
from portal.rounds.models import Pathway
from portal.schedule.models import Booking, BookingStatus, Session
from portal.timeutil import to_local

# Rows fetched from the cursor at a time: few round trips, little memory.
BATCH = 200

# What the pages call a booking on a session the lead cancelled (the booking itself is kept as it was).
SESSION_CANCELLED = "Session cancelled"
# The register's words for attendance.
ATTENDANCE_WORDS = {True: "Attended", False: "Absent", None: "Not recorded"}


def local_time(instant: datetime | None) -> str:
    """An instant as the institution's wall-clock time with its offset (ISO 8601); empty when there is none."""
    if instant is None:
        return ""
    return to_local(instant).replace(microsecond=0).isoformat()


def label(value: LabelledEnum | None) -> str:
    """A state as the pages show it."""
    return "" if value is None else value.label


def proposal_rows(round_id: int):
    """Every proposal in the round, with the applicant and the pathway."""
    query = (select(Proposal, User.name, User.email, Pathway.name).join(User, User.id == Proposal.user_id)
             .outerjoin(Pathway, Pathway.id == Proposal.pathway_id)
             .where(Proposal.round_id == round_id).order_by(Proposal.id))
    for p, name, email, pathway in db.session.execute(query).yield_per(BATCH):
        yield [p.id, name, email, p.department, p.job_title, pathway, label(p.state), p.years_experience,
               local_time(p.created_at), local_time(p.submitted_at), local_time(p.decided_at)]


PROPOSAL_HEADER = ["proposal_id", "name", "email", "department", "job_title", "pathway", "state",
                   "years_experience", "created_at", "submitted_at", "decided_at"]


def decision_rows(round_id: int):
    """Every panel decision in the round."""
    query = (select(Decision, User.name, Proposal.department).join(Proposal, Proposal.id == Decision.proposal_id)
             .join(User, User.id == Proposal.user_id).where(Decision.round_id == round_id).order_by(Decision.id))
    for d, name, department in db.session.execute(query).yield_per(BATCH):
        yield [d.proposal_id, name, department, label(d.outcome), label(d.standing), d.waitlist_position,
               local_time(d.decided_at), local_time(d.offered_at), local_time(d.accept_by),
               local_time(d.accepted_at), local_time(d.declined_at), d.feedback]


# outcome: what the lead decided; standing: where it stands now (a selected place may since have been
# accepted, declined or, offered from the waitlist, lapsed), in the moderation page's words.
DECISION_HEADER = ["proposal_id", "name", "department", "outcome", "standing", "waitlist_position", "decided_at",
                   "offered_at", "accept_by", "accepted_at", "declined_at", "feedback"]


def attendance_rows(round_id: int):
    """Every booking on the round's own sessions, office-hours slots included (never another round's, nor
    sessions of no round), with the session's full title and the state the pages show."""
    query = (select(Session, Booking, User.name, User.email).join(Booking, Booking.session_id == Session.id)
             .join(User, User.id == Booking.user_id)
             .where(Session.round_id == round_id)
             .order_by(Session.starts_at, Session.id, User.name))
    for s, b, name, email in db.session.execute(query).yield_per(BATCH):
        cancelled = s.is_cancelled and b.status != BookingStatus.CANCELLED
        yield [s.id, s.display_title, s.kind.label, local_time(s.starts_at), local_time(s.ends_at), name, email,
               SESSION_CANCELLED if cancelled else b.status.label,
               "" if cancelled or b.status != BookingStatus.BOOKED else ATTENDANCE_WORDS[b.attended]]


ATTENDANCE_HEADER = ["session_id", "session", "kind", "starts_at", "ends_at", "name", "email", "booking_status",
                     "attended"]


def pairing_rows(round_id: int):
    """Every mentoring pairing in the round."""
    mentor_user = aliased(User)
    query = (select(Pairing, User.name, mentor_user.name).join(User, User.id == Pairing.mentee_id)
             .join(MentorProfile, MentorProfile.id == Pairing.mentor_id)
             .join(mentor_user, mentor_user.id == MentorProfile.user_id)
             .where(Pairing.round_id == round_id).order_by(Pairing.id))
    for p, mentee, mentor in db.session.execute(query).yield_per(BATCH):
        yield [p.id, p.proposal_id, mentee, mentor, label(p.state), local_time(p.created_at),
               local_time(p.confirmed_at), local_time(p.ended_at), p.ended_reason]


PAIRING_HEADER = ["pairing_id", "proposal_id", "mentee", "mentor", "state", "created_at", "confirmed_at",
                  "ended_at", "ended_reason"]


def progress_rows(round_id: int):
    """Every participant's progress in the round, with how many portfolio sections are ready."""
    # The sections are counted in the database, so each row needs no query of its own.
    sections = (select(ProgressSection.progress_id, func.count(ProgressSection.id).label("sections"),
                       func.sum(case((ProgressSection.status == SectionStatus.READY, 1), else_=0),
                                type_=Integer).label("ready"))
                .group_by(ProgressSection.progress_id).subquery())
    query = (select(Progress, User.name, func.coalesce(sections.c.ready, 0), func.coalesce(sections.c.sections, 0))
             .join(Proposal, Proposal.id == Progress.proposal_id).join(User, User.id == Proposal.user_id)
             .outerjoin(sections, sections.c.progress_id == Progress.id)
             .where(Proposal.round_id == round_id).order_by(Progress.id))
    for prog, name, ready, total in db.session.execute(query).yield_per(BATCH):
        yield [prog.proposal_id, name, prog.registered_on, prog.target_deadline, ready, total,
               label(prog.outcome), local_time(prog.outcome_recorded_at)]


PROGRESS_HEADER = ["proposal_id", "name", "registered_on", "target_deadline", "sections_ready", "sections",
                   "outcome", "outcome_recorded_at"]

EXPORTS = {
    "proposals": (PROPOSAL_HEADER, proposal_rows),
    "decisions": (DECISION_HEADER, decision_rows),
    "attendance": (ATTENDANCE_HEADER, attendance_rows),
    "pairings": (PAIRING_HEADER, pairing_rows),
    "progress": (PROGRESS_HEADER, progress_rows),
}
