"""Who may see, book, manage and take the register of a session: pure predicates over a Viewer."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from portal.schedule.models import Audience, Booking, BookingStatus, Session, SessionKind, SessionStatus


@dataclass(frozen=True)
class Viewer:
    """A person and the round memberships that decide which sessions they may see."""

    user_id: int | None
    is_lead: bool = False
    applicant_rounds: frozenset[int] = field(default_factory=frozenset)  # proposal in any state but draft
    cohort_rounds: frozenset[int] = field(default_factory=frozenset)  # proposal selected
    open_rounds: frozenset[int] = field(default_factory=frozenset)  # rounds open for proposals now
    booked_sessions: frozenset[int] = field(default_factory=frozenset)  # sessions they hold a live booking on
    closed_rounds: frozenset[int] = field(default_factory=frozenset)  # rounds past their closing time (or closed early)

    @property
    def unconcerned_rounds(self) -> frozenset[int]:
        """Closed rounds the person sent no proposal to: their deadlines are no longer for them (the lead
        keeps every one)."""
        if self.is_lead:
            return frozenset()
        return self.closed_rounds - self.applicant_rounds - self.cohort_rounds


def is_in_audience(viewer: Viewer, session: Session) -> bool:
    """The audience rule alone: everyone / the round's applicants (and anyone, for an open round's intro
    sessions, since attending one comes before applying) / the round's cohort. Once a round has closed, its
    deadlines (other than the cohort's own) are only for the people who sent it a proposal."""
    if is_closed_round_deadline(viewer, session):
        return False
    if session.audience == Audience.EVERYONE:
        return True
    if session.round_id is None:
        return False
    if session.audience == Audience.APPLICANTS:
        return (session.round_id in viewer.applicant_rounds or session.round_id in viewer.cohort_rounds
                or (session.kind == SessionKind.INTRO and session.round_id in viewer.open_rounds))
    if session.audience == Audience.COHORT:
        return session.round_id in viewer.cohort_rounds
    return False


def is_closed_round_deadline(viewer: Viewer, session: Session) -> bool:
    """A deadline of a round that has closed, for someone who took no part in it (e.g. "Proposals close"
    left on everyone's schedule after the round closed early)."""
    return (session.kind == SessionKind.DEADLINE and session.audience != Audience.COHORT
            and session.round_id is not None and session.round_id in viewer.unconcerned_rounds)


def round_deadline_concerns(viewer: Viewer, round_id: int, closed: bool) -> bool:
    """Whom a round's closing time is for: everyone signed in until the round closes (anyone may apply);
    after that, only the people who sent it a proposal, and the lead."""
    if viewer.user_id is None:
        return False
    return not closed or viewer.is_lead or round_id in viewer.applicant_rounds or round_id in viewer.cohort_rounds


def can_see_session(viewer: Viewer, session: Session) -> bool:
    """Leads see everything; hosts what they host; people their audience and anything they booked."""
    if viewer.user_id is None:
        return False
    if viewer.is_lead or session.host_id == viewer.user_id:
        return True
    return session.id in viewer.booked_sessions or is_in_audience(viewer, session)


def can_manage_sessions(viewer: Viewer) -> bool:
    return viewer.is_lead


def can_take_register(viewer: Viewer, session: Session) -> bool:
    """The lead, or the session's host."""
    return viewer.is_lead or (viewer.user_id is not None and session.host_id == viewer.user_id)


def can_record_attendance(session: Session, now: datetime) -> bool:
    """The register can be taken once the session has started (nobody attends what has not begun)."""
    return session.starts_at <= now


def is_bookable(session: Session, now: datetime) -> bool:
    """Deadlines are not booked; cancelled and started sessions cannot be."""
    return (session.kind != SessionKind.DEADLINE and session.status == SessionStatus.SCHEDULED
            and session.starts_at > now)


def hosts_office_hours(viewer: Viewer, session: Session) -> bool:
    """The person hosts this office-hours slot: the slots are for others to book with them."""
    return (session.kind == SessionKind.OFFICE_HOURS and session.host_id is not None
            and session.host_id == viewer.user_id)


def booking_refusal(viewer: Viewer, session: Session, now: datetime) -> str | None:
    """Why this person cannot book this session now (None when they can try; capacity is the service's)."""
    if not can_see_session(viewer, session):
        return "This session is not open to you."
    if hosts_office_hours(viewer, session):
        return "You host these office hours, so you cannot book a slot in them."
    if session.kind == SessionKind.DEADLINE:
        return "Deadlines are in your calendar; there is nothing to book."
    if session.status == SessionStatus.CANCELLED:
        return "This session has been cancelled."
    if session.starts_at <= now:
        return "This session has already started: booking closed at the start time."
    return None


def is_within_notice(session: Session, notice_hours: int, now: datetime) -> bool:
    """True when it is too late for the person to change their booking themselves."""
    return notice_hours > 0 and now > session.starts_at - timedelta(hours=notice_hours)


def can_change_booking(viewer: Viewer, booking: Booking, notice_hours: int, now: datetime) -> bool:
    """The person may cancel their own booking until the notice period; the lead at any time."""
    if viewer.is_lead:
        return booking.status != BookingStatus.CANCELLED
    if booking.user_id != viewer.user_id or booking.status == BookingStatus.CANCELLED:
        return False
    if booking.status == BookingStatus.WAITLISTED:
        return True
    return not is_within_notice(booking.session, notice_hours, now) and booking.session.starts_at > now


def term_week_label(day, terms) -> str | None:
    """"Wk 1, HT24" for a day inside a term (week 1 starts on the term's start date), else None."""
    for term in terms:
        offset = (day - term.starts_on).days
        if 0 <= offset < term.weeks * 7:
            return f"Wk {offset // 7 + 1}, {term.name}"
    return None
