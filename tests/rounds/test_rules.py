"""Round rules: the clock's phase and accepting to the instant, countdown, state machine, overlapping windows, the
set-up checklist (pathway guidance: test_guidance.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from portal.rounds import rules
from portal.rounds.models import Pathway, Round, RoundState

UTC = timezone.utc
CLOSES = datetime(2026, 10, 21, 11, 0, tzinfo=UTC)


def a_round(state=RoundState.OPEN) -> Round:
    return Round(name="R", state=state, opens_at=CLOSES - timedelta(days=30), closes_at=CLOSES)


def test_accepting_until_the_instant_of_closing():
    r = a_round()
    assert rules.is_accepting(r, CLOSES - timedelta(seconds=1))
    assert not rules.is_accepting(r, CLOSES)
    assert not rules.is_accepting(r, CLOSES + timedelta(seconds=1))
    assert not rules.is_accepting(r, r.opens_at - timedelta(seconds=1))
    assert not rules.is_accepting(a_round(RoundState.CLOSED), CLOSES - timedelta(days=1))


def test_countdown_only_in_the_last_week():
    r = a_round()
    assert rules.time_left(r, CLOSES - timedelta(days=8)) is None
    assert rules.time_left(r, CLOSES - timedelta(days=3, hours=4)) == timedelta(days=3, hours=4)
    assert rules.time_left(r, CLOSES + timedelta(seconds=1)) is None
    assert rules.describe_remaining(timedelta(days=3, hours=4, minutes=5)) == "3 days, 4 hours"
    assert rules.describe_remaining(timedelta(days=1)) == "1 day"
    assert rules.describe_remaining(timedelta(hours=5, minutes=12)) == "5 hours, 12 minutes"
    assert rules.describe_remaining(timedelta(minutes=40)) == "40 minutes"
    assert rules.describe_remaining(timedelta(seconds=20)) == "less than a minute"


OPENS = CLOSES - timedelta(days=30)


def test_phase_follows_the_clock_to_the_instant():
    for stored in (RoundState.SCHEDULED, RoundState.OPEN):
        r = a_round(stored)
        assert rules.phase(r, OPENS - timedelta(seconds=1)) == RoundState.SCHEDULED
        assert rules.phase(r, OPENS) == RoundState.OPEN
        assert rules.phase(r, CLOSES - timedelta(seconds=1)) == RoundState.OPEN
        assert rules.phase(r, CLOSES) == RoundState.CLOSED
    # A draft never opens by itself; a closed round (by the clock or early) never reopens by itself.
    assert rules.phase(a_round(RoundState.DRAFT), OPENS + timedelta(days=1)) == RoundState.DRAFT
    assert rules.phase(a_round(RoundState.CLOSED), OPENS + timedelta(days=1)) == RoundState.CLOSED
    assert rules.phase(a_round(RoundState.IN_REVIEW), OPENS) == RoundState.IN_REVIEW
    assert not rules.is_accepting(a_round(RoundState.SCHEDULED), OPENS - timedelta(seconds=1))
    assert rules.is_accepting(a_round(RoundState.SCHEDULED), OPENS)


def test_round_state_machine_from_the_phase():
    at = OPENS + timedelta(days=1)
    assert rules.can_move_round(a_round(RoundState.DRAFT), RoundState.SCHEDULED, at)
    assert not rules.can_move_round(a_round(RoundState.DRAFT), RoundState.OPEN, at)
    assert rules.can_move_round(a_round(RoundState.SCHEDULED), RoundState.DRAFT, OPENS - timedelta(days=1))
    assert not rules.can_move_round(a_round(RoundState.SCHEDULED), RoundState.DRAFT, at)  # it has opened
    assert rules.can_move_round(a_round(RoundState.SCHEDULED), RoundState.CLOSED, at)
    assert rules.can_move_round(a_round(RoundState.OPEN), RoundState.IN_REVIEW, CLOSES)  # closed by the clock
    assert rules.can_move_round(a_round(RoundState.CLOSED), RoundState.IN_REVIEW, at)
    assert rules.can_move_round(a_round(RoundState.IN_REVIEW), RoundState.DECIDED, at)
    assert rules.can_move_round(a_round(RoundState.DECIDED), RoundState.RUNNING, at)
    assert rules.can_move_round(a_round(RoundState.RUNNING), RoundState.ARCHIVED, at)
    assert not rules.can_move_round(a_round(RoundState.OPEN), RoundState.DECIDED, at)
    assert not rules.can_move_round(a_round(RoundState.ARCHIVED), RoundState.OPEN, at)


def test_windows_overlap_only_when_they_share_an_instant():
    autumn = a_round()
    spring = Round(name="S", opens_at=CLOSES, closes_at=CLOSES + timedelta(days=30))
    assert not rules.windows_overlap(autumn, spring)  # one opens at the instant the other closes
    spring.opens_at = CLOSES - timedelta(minutes=1)
    assert rules.windows_overlap(autumn, spring) and rules.windows_overlap(spring, autumn)


def test_setup_checklist_lists_what_scheduling_and_review_need():
    r = a_round(RoundState.DRAFT)
    r.intro_required = True
    r.pathways = []
    now = OPENS - timedelta(days=3)
    bare = rules.SetupFacts(intro_sessions=0, programme_sessions=0, panel_members=0, criteria=0)
    steps = rules.setup_steps(r, bare, now)
    assert [s.key for s in steps] == ["pathways", "dates", "intro", "panel", "rubric", "sessions"]
    assert rules.missing_for(steps, "schedule") == [
        "Offer at least one pathway.",
        "Applicants must attend an intro session, but none they can book is scheduled before the closing time. "
        "Schedule an intro session."]
    assert rules.missing_for(steps, "review") == ["Add at least one panel member before review.",
                                                  "Add at least one scoring criterion before review."]
    assert rules.missing_for(rules.setup_steps(r, bare, CLOSES), "schedule")[1] == \
        "Set a closing time that is still to come."
    r.pathways = [Pathway(name="CMALT")]
    ready = rules.SetupFacts(intro_sessions=1, programme_sessions=5, panel_members=2, criteria=4)
    steps = rules.setup_steps(r, ready, now)
    assert all(s.done for s in steps)
    assert [s.detail for s in steps][2:] == ["1 intro session applicants can book before the closing time.",
                                             "2 panel members.", "4 criteria.", "5 cohort sessions scheduled."]
    r.intro_required = False
    assert rules.missing_for(rules.setup_steps(r, bare, now), "schedule") == []


def test_once_proposals_have_closed_scheduling_needs_are_history_not_to_do():
    r = a_round(RoundState.IN_REVIEW)
    r.intro_required = True
    bare = rules.SetupFacts(intro_sessions=0, programme_sessions=0, panel_members=0, criteria=0)
    steps = {s.key: s for s in rules.setup_steps(r, bare, CLOSES + timedelta(days=1))}
    assert steps["dates"].done and steps["intro"].done and steps["intro"].needed_for is None
    assert not steps["panel"].done
