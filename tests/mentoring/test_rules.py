"""Date arithmetic of progress and the mentoring predicates."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from portal.mentoring import rules
from portal.mentoring.models import PairingState


def test_registration_expires_two_years_on():
    assert rules.registration_expiry(date(2024, 9, 15)) == date(2026, 9, 15)
    assert rules.registration_expiry(None) is None


def test_registration_on_29_february_expires_on_28_february():
    assert rules.registration_expiry(date(2024, 2, 29)) == date(2026, 2, 28)
    # Two years on from a leap day to another leap year does not exist; 29 Feb 2028 from 2026 does.
    assert rules.registration_expiry(date(2026, 2, 28)) == date(2028, 2, 28)
    assert rules.add_months(date(2026, 2, 29 - 1), 24) == date(2028, 2, 28)


def test_warning_three_months_before_expiry_with_month_ends():
    assert rules.expiry_warning_from(date(2024, 9, 15)) == date(2026, 6, 15)
    # Expiry 31 May 2026: three months before is 28 Feb 2026 (no 31 Feb).
    assert rules.expiry_warning_from(date(2024, 5, 31)) == date(2026, 2, 28)
    assert rules.expiry_warning_from(date(2024, 2, 29)) == date(2025, 11, 28)


def test_registration_state_boundaries():
    reg = date(2024, 9, 15)
    assert rules.registration_state(None, date(2025, 1, 1)) == "unregistered"
    assert rules.registration_state(reg, date(2026, 6, 14)) == "valid"
    assert rules.registration_state(reg, date(2026, 6, 15)) == "expiring"
    assert rules.registration_state(reg, date(2026, 9, 14)) == "expiring"
    assert rules.registration_state(reg, date(2026, 9, 15)) == "expired"


def test_add_months_backwards_across_a_year():
    assert rules.add_months(date(2026, 1, 31), -2) == date(2025, 11, 30)
    assert rules.add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)


def test_meeting_overdue_after_six_weeks():
    today = date(2026, 3, 1)
    assert not rules.meeting_overdue(date(2026, 1, 18), date(2025, 10, 1), today)  # exactly 42 days
    assert rules.meeting_overdue(date(2026, 1, 17), date(2025, 10, 1), today)
    # No meeting yet: counts from the start of the pairing.
    assert not rules.meeting_overdue(None, date(2026, 2, 1), today)
    assert rules.meeting_overdue(None, date(2026, 1, 1), today)


def test_deadline_at_risk_within_eight_weeks_with_sections_not_ready():
    today = date(2026, 3, 1)
    soon = date(2026, 4, 26)  # 56 days
    assert rules.deadline_at_risk(soon, 1, today)
    assert not rules.deadline_at_risk(soon, 0, today)
    assert not rules.deadline_at_risk(date(2026, 4, 27), 1, today)
    assert not rules.deadline_at_risk(None, 1, today)


def _pairing(state, mentor_user_id=1, mentee_id=2):
    return SimpleNamespace(state=state, mentee_id=mentee_id, mentor=SimpleNamespace(user_id=mentor_user_id))


def _user(id, lead=False):
    return SimpleNamespace(id=id, is_lead=lead, is_mentor=False)


def test_only_the_pair_and_the_lead_see_a_confirmed_pairing():
    confirmed = _pairing(PairingState.CONFIRMED)
    assert rules.can_view_pairing(_user(1), confirmed)
    assert rules.can_view_pairing(_user(2), confirmed)
    assert not rules.can_view_pairing(_user(3), confirmed)
    assert rules.can_view_pairing(_user(3, lead=True), confirmed)
    proposed = _pairing(PairingState.PROPOSED)
    assert not rules.can_view_pairing(_user(1), proposed)
    assert not rules.can_update_progress(_user(1), _pairing(PairingState.ENDED))


def test_who_may_share_and_withdraw_examples():
    staff = _user(5)
    assert not rules.can_share_example(staff, has_profile=False, awarded=False)
    assert rules.can_share_example(staff, has_profile=False, awarded=True)
    assert rules.can_share_example(staff, has_profile=True, awarded=False)
    example = SimpleNamespace(owner_id=5)
    assert rules.can_withdraw_example(staff, example)
    assert not rules.can_withdraw_example(_user(6), example)
    assert rules.can_withdraw_example(_user(6, lead=True), example)
