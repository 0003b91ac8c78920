"""Who may do what in mentoring, and the date arithmetic of progress (pure functions)."""
from __future__ import annotations

import calendar
from datetime import date, timedelta

from portal.mentoring.models import PairingState, SectionStatus

REGISTRATION_YEARS = 2
EXPIRY_WARNING_MONTHS = 3
MEETING_OVERDUE_DAYS = 6 * 7
DEADLINE_SOON_DAYS = 8 * 7


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later (or earlier); clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def registration_expiry(registered_on: date | None) -> date | None:
    """Registration with the awarding body lasts two years: 29 Feb 2024 expires on 28 Feb 2026 (never later)."""
    if registered_on is None:
        return None
    return add_months(registered_on, 12 * REGISTRATION_YEARS)


def expiry_warning_from(registered_on: date | None) -> date | None:
    expiry = registration_expiry(registered_on)
    return add_months(expiry, -EXPIRY_WARNING_MONTHS) if expiry else None


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


def meeting_overdue(last_meeting: date | None, started: date, today: date) -> bool:
    """No meeting in six weeks (counting from the pairing's start when there has been none)."""
    return (today - (last_meeting or started)) > timedelta(days=MEETING_OVERDUE_DAYS)


def deadline_at_risk(deadline: date | None, statuses: list[SectionStatus], today: date) -> bool:
    """The target deadline is within eight weeks and some sections are not ready."""
    if deadline is None:
        return False
    not_ready = any(s != SectionStatus.READY for s in statuses)
    return not_ready and (deadline - today) <= timedelta(days=DEADLINE_SOON_DAYS)


def is_mentor_of(user, pairing) -> bool:
    return pairing.mentor is not None and pairing.mentor.user_id == getattr(user, "id", None)


def is_mentee_of(user, pairing) -> bool:
    return pairing.mentee_id == getattr(user, "id", None)


def can_view_pairing(user, pairing) -> bool:
    """The lead sees every pairing; the pair see theirs once confirmed (proposals are the lead's working notes)."""
    if getattr(user, "is_lead", False):
        return True
    return pairing.state == PairingState.CONFIRMED and (is_mentor_of(user, pairing) or is_mentee_of(user, pairing))


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
