"""Queueing reminders: each goes once (an outbox dedupe key), only while its moment is current,
and never to someone who has switched non-essential reminders off.

Run from cron (hourly is plenty). A reminder whose moment passed while the job was not running,
or that would have been due before the thing existed (a session booked an hour before it starts),
is skipped rather than sent late: is_due decides that for every kind.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from portal.audit.services import record
from portal.auth.models import User
from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring import rules as mentoring_rules
from portal.mentoring.models import Meeting, MentorProfile, Outcome, Pairing, PairingState, Progress
from portal.outbox.services import queue_email
from portal.proposals.models import Proposal, ProposalState
from portal.reminders.models import AwardReminders
from portal.rounds.models import Round
from portal.rounds.queries import accepting_clause
from portal.schedule.models import Booking, BookingStatus, Session, SessionStatus
from portal.timeutil import combine_local, format_date, format_local, to_local
from portal.web.links import absolute_url

SESSION_NOTICE = timedelta(days=1)
DEADLINE_NOTICE = timedelta(days=7)
# How long after its moment a reminder may still go (the hourly job missed a run or two); later it is
# skipped. A day-before reminder gets hours, not a day, or "tomorrow" would arrive on the day itself.
SESSION_CATCH_UP = timedelta(hours=2)
CATCH_UP = timedelta(days=1)


@dataclass
class ReminderReport:
    queued: dict[str, int] = field(default_factory=dict)
    opted_out: int = 0

    def add(self, kind: str) -> None:
        self.queued[kind] = self.queued.get(kind, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.queued.values())


def _footer() -> str:
    return ("\n\nYou can switch these reminders off on your reminders page: "
            + absolute_url("privacy.reminders") + "\n")


def _send(report: ReminderReport, user: User, kind: str, key: str, subject: str, body: str) -> None:
    if not user.wants_reminders or not user.is_active:
        report.opted_out += 1
        return
    if queue_email(user.email, subject, f"Dear {user.name},\n\n{body}{_footer()}", kind=f"reminder:{kind}",
                   dedupe_key=f"reminder:{key}") is not None:
        report.add(kind)


def is_due(moment: datetime, now: datetime, catch_up: timedelta, since: datetime | None = None) -> bool:
    """Whether a reminder goes now: from its moment until catch_up after it, and never when the thing it
    is about came to be after its moment (since: a place booked an hour before the start).

    The one rule of every reminder kind: before the moment it is early, after the catch-up it is too late
    and skipped, never sent late.
    """
    if since is not None and since > moment:
        return False
    return moment <= now <= moment + catch_up


def _local_midnight(day: date) -> datetime:
    """The start of a day in the institution's zone: the moment of a reminder that falls on a date."""
    return combine_local(day, time(0, 0))


def session_reminders(now: datetime, report: ReminderReport) -> None:
    """A day before a booked session; not for places booked (or promoted to) after that moment."""
    rows = db.session.execute(
        select(Booking, Session, User).join(Session, Session.id == Booking.session_id)
        .join(User, User.id == Booking.user_id)
        .where(Booking.status == BookingStatus.BOOKED, Session.status == SessionStatus.SCHEDULED,
               Session.starts_at > now, Session.starts_at <= now + SESSION_NOTICE)).all()
    for booking, session, user in rows:
        since = max(booking.created_at, booking.promoted_at or booking.created_at)
        if not is_due(session.starts_at - SESSION_NOTICE, now, SESSION_CATCH_UP, since=since):
            continue
        where = session.location or session.online_url or "see the portal"
        _send(report, user, "session-tomorrow", f"session-tomorrow:{booking.id}",
              f"Tomorrow: {session.display_title}",
              f"A reminder that you have a place on {session.display_title}, "
              f"{format_local(session.starts_at)}.\nWhere: {where}\n\n"
              f"If you can no longer come, please cancel so someone else can have the place: "
              + absolute_url("schedule.session_page", session_id=session.id))


def proposal_deadline_reminders(now: datetime, report: ReminderReport) -> None:
    """A week before a round closes, to people with a draft they have not sent."""
    rounds = db.session.scalars(select(Round).where(
        accepting_clause(now), Round.closes_at <= now + DEADLINE_NOTICE)).all()
    for round_ in rounds:
        moment = round_.closes_at - DEADLINE_NOTICE
        if not is_due(moment, now, CATCH_UP):
            continue
        rows = db.session.execute(
            select(Proposal, User).join(User, User.id == Proposal.user_id)
            .where(Proposal.round_id == round_.id, Proposal.state == ProposalState.DRAFT)).all()
        for proposal, user in rows:
            if not is_due(moment, now, CATCH_UP, since=proposal.created_at):
                continue
            _send(report, user, "proposal-deadline", f"proposal-deadline:{proposal.id}",
                  f"One week left to send your proposal for {round_.name}",
                  f"Your proposal for {round_.name} is still a draft. The round closes "
                  f"{format_local(round_.closes_at)}; a draft that is not sent by then is not considered.\n\n"
                  + absolute_url("proposals.edit", proposal_id=proposal.id))


def submission_deadline_reminders(now: datetime, report: ReminderReport) -> None:
    """A week before a participant's portfolio submission deadline."""
    today = to_local(now).date()
    rows = db.session.execute(
        select(Progress, User).join(Proposal, Proposal.id == Progress.proposal_id)
        .join(User, User.id == Proposal.user_id)
        .where(Proposal.state == ProposalState.SELECTED, Progress.outcome.is_(None),
               Progress.target_deadline.is_not(None), Progress.target_deadline > today,
               Progress.target_deadline <= today + DEADLINE_NOTICE)).all()
    for progress, user in rows:
        if not is_due(_local_midnight(progress.target_deadline - DEADLINE_NOTICE), now, CATCH_UP):
            continue
        deadline = progress.target_deadline
        _send(report, user, "submission-deadline", f"submission-deadline:{progress.id}:{deadline.isoformat()}",
              f"One week to your portfolio deadline ({format_date(deadline)})",
              f"Your portfolio is due on {format_date(deadline)}. Your progress page shows which sections "
              f"are still to do: " + absolute_url("mentoring.index"))


def mentor_nudges(now: datetime, report: ReminderReport) -> None:
    """Mentors whose confirmed pairing has had no meeting for six weeks (mentoring's rule), on the day the
    pairing becomes overdue; once per quiet spell."""
    last = (select(Meeting.pairing_id, func.max(Meeting.held_on).label("held_on"))
            .group_by(Meeting.pairing_id).subquery())
    rows = db.session.execute(
        select(Pairing, last.c.held_on, User).join(MentorProfile, MentorProfile.id == Pairing.mentor_id)
        .join(User, User.id == MentorProfile.user_id).outerjoin(last, last.c.pairing_id == Pairing.id)
        .where(Pairing.state == PairingState.CONFIRMED)).all()
    for pairing, held_on, mentor in rows:
        started = to_local(pairing.confirmed_at or pairing.created_at).date()
        since = mentoring_rules.quiet_since(held_on, started)
        if not is_due(_local_midnight(mentoring_rules.overdue_from(held_on, started)), now, CATCH_UP):
            continue
        _send(report, mentor, "mentor-nudge", f"mentor-nudge:{pairing.id}:{since.isoformat()}",
              "Time to meet your mentee?",
              f"No meeting has been logged with your mentee since {format_date(since)}. A short check-in "
              f"helps keep a portfolio moving; log it in the portal afterwards: " + absolute_url("mentoring.index"))


def send_reminders(now: datetime | None = None) -> ReminderReport:
    """Queue every reminder that is due now. Side effects: outbox messages (one per reminder, ever)."""
    now = now or utcnow()
    report = ReminderReport()
    session_reminders(now, report)
    proposal_deadline_reminders(now, report)
    submission_deadline_reminders(now, report)
    mentor_nudges(now, report)
    award_reminders(now, report)
    return report


def set_wants_reminders(user: User, wanted: bool) -> None:
    """Switch a person's non-essential reminders on or off. Side effect: an audit event when it changes."""
    if user.wants_reminders == wanted:
        return
    user.wants_reminders = wanted
    record(user, "reminders.on" if wanted else "reminders.off", user,
           summary=f"{user.name} switched reminders {'on' if wanted else 'off'}")


def save_reminder_choices(user: User, wanted: bool, award: tuple | None = None) -> None:
    """The reminders page: the general switch and, for award holders, (awarded_on, fee, review).

    Side effects: audit events (see set_wants_reminders / set_award_reminders).
    """
    set_wants_reminders(user, wanted)
    if award is not None:
        awarded_on, fee, review = award
        if awarded_on is not None or award_choice(user) is not None:
            set_award_reminders(user, awarded_on or award_choice(user).awarded_on, fee, review)


# ---------------------------------------------------------------- award holders (opt-in)

AWARD_NOTICE_DAYS = 30


def _anniversary(awarded_on: date, year: int) -> date:
    """The award's anniversary in a year (29 February falls on the 28th in a common year)."""
    return awarded_on + relativedelta(years=year - awarded_on.year)


def award_reminders(now: datetime, report: ReminderReport) -> None:
    """A month before each anniversary of an award: the annual fee, and every third year the review."""
    today = to_local(now).date()
    rows = db.session.execute(
        select(AwardReminders, User).join(User, User.id == AwardReminders.user_id)
        .where((AwardReminders.membership_fee.is_(True)) | (AwardReminders.portfolio_review.is_(True)))).all()
    for choice, user in rows:
        for year in (today.year, today.year + 1):
            anniversary = _anniversary(choice.awarded_on, year)
            due = anniversary - timedelta(days=AWARD_NOTICE_DAYS)
            if anniversary <= choice.awarded_on or not is_due(_local_midnight(due), now, CATCH_UP):
                continue
            if choice.membership_fee:
                _send(report, user, "membership-fee", f"membership-fee:{user.id}:{year}",
                      f"Your annual membership fee is due on {format_date(anniversary)}",
                      f"The awarding body's annual membership fee for your award falls due on "
                      f"{format_date(anniversary)}. Paying it keeps your award current.")
            if choice.portfolio_review and (year - choice.awarded_on.year) % 3 == 0:
                _send(report, user, "portfolio-review", f"portfolio-review:{user.id}:{year}",
                      f"Your three-yearly portfolio review is due on {format_date(anniversary)}",
                      f"Every three years the awarding body asks holders to update their portfolio; yours is "
                      f"due on {format_date(anniversary)}. Your mentor network can help: "
                      + absolute_url("mentoring.index"))


def award_date_for(user: User):
    """The day a person's award counts from, if the portal knows they hold one (else None)."""
    recorded = db.session.scalar(
        select(func.max(Progress.outcome_recorded_at)).join(Proposal, Proposal.id == Progress.proposal_id)
        .where(Proposal.user_id == user.id, Progress.outcome == Outcome.AWARDED))
    if recorded is not None:
        return to_local(recorded).date()
    year = db.session.scalar(select(MentorProfile.award_year).where(MentorProfile.user_id == user.id))
    return date(year, 1, 1) if year else None


def is_award_holder(user: User) -> bool:
    """True when the portal knows the person holds an award (a mentor, or an awarded participant)."""
    if db.session.scalar(select(func.count()).select_from(MentorProfile).where(MentorProfile.user_id == user.id)):
        return True
    return bool(db.session.scalar(
        select(func.count()).select_from(Progress).join(Proposal, Proposal.id == Progress.proposal_id)
        .where(Proposal.user_id == user.id, Progress.outcome == Outcome.AWARDED)))


def award_choice(user: User):
    """The holder's award reminder choice, or None (award reminders are opt-in)."""
    return db.session.scalar(select(AwardReminders).where(AwardReminders.user_id == user.id))


def set_award_reminders(user: User, awarded_on, membership_fee: bool, portfolio_review: bool) -> None:
    """Record a holder's opt-in to fee and review reminders. Side effect: an audit event."""
    choice = award_choice(user)
    if choice is None:
        choice = AwardReminders(user_id=user.id, awarded_on=awarded_on)
        db.session.add(choice)
    choice.awarded_on = awarded_on
    choice.membership_fee = membership_fee
    choice.portfolio_review = portfolio_review
    choice.updated_at = utcnow()
    record(user, "reminders.award", user, summary=f"{user.name} set award reminders "
           f"(fee {'on' if membership_fee else 'off'}, review {'on' if portfolio_review else 'off'})")
