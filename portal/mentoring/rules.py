"""Who may do what in mentoring, and the date arithmetic of progress (pure functions)."""
from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from portal.mentoring.models import PairingState

# The at-risk thresholds: the mentor's dashboard, the lead's dashboard and the reminders all ask these
# functions, so a participant is at risk in the same way wherever they are shown.
REGISTRATION_VALID_FOR = relativedelta(years=2)
EXPIRY_WARNING = relativedelta(months=3)
MEETING_OVERDUE_AFTER = timedelta(weeks=6)
DEADLINE_SOON = timedelta(weeks=8)


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later (or earlier); clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    return day + relativedelta(months=months)


def registration_expiry(registered_on: date | None) -> date | None:
    """Registration with the awarding body lasts two years: 29 Feb 2024 expires on 28 Feb 2026 (never later)."""
    if registered_on is None:
        return None
    return registered_on + REGISTRATION_VALID_FOR


def expiry_warning_from(registered_on: date | None) -> date | None:
    """The day a registration starts to count as expiring: three months before it expires."""
    expiry = registration_expiry(registered_on)
    return expiry - EXPIRY_WARNING if expiry else None


def registration_state(registered_on: date | None, today: date) -> str:
    """'unregistered', 'valid', 'expiring' (within 3 months of expiry) or 'expired'."""
    if registered_on is None:
        return "unregistered"
    expiry = registration_expiry(registered_on)
    if today >= expiry:
        return "expired"
    if today >= expiry_warning_from(registered_on):
        return "expiring"
    return "valid"


def registration_at_risk(registered_on: date | None, today: date) -> bool:
    """The registration is expiring or has expired (an unregistered participant is not yet at risk for it)."""
    return registration_state(registered_on, today) in ("expiring", "expired")


def quiet_since(last_meeting: date | None, started: date) -> date:
    """The day the quiet spell counts from: the last meeting, or the pairing's start when there has been none."""
    return last_meeting or started


def meeting_overdue(last_meeting: date | None, started: date, today: date) -> bool:
    """No meeting in six weeks (counting from the pairing's start when there has been none)."""
    return (today - quiet_since(last_meeting, started)) > MEETING_OVERDUE_AFTER


def overdue_from(last_meeting: date | None, started: date) -> date:
    """The first day on which meeting_overdue is true for this quiet spell."""
    return quiet_since(last_meeting, started) + MEETING_OVERDUE_AFTER + timedelta(days=1)


def deadline_at_risk(deadline: date | None, sections_not_ready: int, today: date) -> bool:
    """The target deadline is within eight weeks and some sections are not ready."""
    if deadline is None:
        return False
    return sections_not_ready > 0 and (deadline - today) <= DEADLINE_SOON


def is_mentor_of(user, pairing) -> bool:
    return pairing.mentor is not None and pairing.mentor.user_id == getattr(user, "id", None)


def is_mentee_of(user, pairing) -> bool:
    return pairing.mentee_id == getattr(user, "id", None)


def can_view_pairing(user, pairing) -> bool:
    """The lead sees every pairing; the pair see theirs once confirmed (proposals are the lead's working notes)."""
    if getattr(user, "is_lead", False):
        return True
    return pairing.state == PairingState.CONFIRMED and (is_mentor_of(user, pairing) or is_mentee_of(user, pairing))


def can_read_concern(user, pairing) -> bool:
    """A concern about a pairing is read by the lead and by the one who wrote it, never by the other of the pair.

    The pairing page and the subject access export both ask this."""
    return getattr(user, "is_lead", False) or (
        pairing.concern_reported_by_id is not None and pairing.concern_reported_by_id == getattr(user, "id", None))


def can_update_progress(user, pairing) -> bool:
    return pairing.state == PairingState.CONFIRMED and (
        getattr(user, "is_lead", False) or is_mentor_of(user, pairing) or is_mentee_of(user, pairing))


def can_record_outcome(user) -> bool:
    return getattr(user, "is_lead", False)


def can_manage_matching(user) -> bool:
    return getattr(user, "is_lead", False)


def can_share_example(user, *, has_profile: bool, awarded: bool) -> bool:
    """Holders share examples: mentors (role or profile), participants with an award, and leads."""
    return bool(getattr(user, "is_lead", False) or getattr(user, "is_mentor", False) or has_profile or awarded)


def can_withdraw_example(user, example) -> bool:
    return example.owner_id == getattr(user, "id", None) or getattr(user, "is_lead", False)


def can_change_pairing(pairing) -> bool:
    """Proposed and locked pairs can still be locked, unlocked or given another mentor."""
    return pairing.state in (PairingState.PROPOSED, PairingState.LOCKED)


def can_nudge(user) -> bool:
    """Only the lead nudges a participant at risk, or their mentor, from the at-risk list."""
    return getattr(user, "is_lead", False)
