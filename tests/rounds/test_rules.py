"""Round rules: accepting to the instant, countdown, pathway suggestion, state machine."""
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


PATHWAYS = [Pathway(id=1, name="Associate CMALT", min_years=0, max_years=3, level=1, position=0),
            Pathway(id=2, name="CMALT", min_years=3, max_years=None, level=2, position=1),
            Pathway(id=3, name="Senior CMALT", min_years=4, max_years=None, level=3, position=2)]


def test_pathway_suggestion_from_years_of_experience():
    suggest = lambda years: getattr(rules.suggest_pathway(PATHWAYS, years), "name", None)  # noqa: E731
    assert suggest(0) == "Associate CMALT"
    assert suggest(2) == "Associate CMALT"
    assert suggest(3) == "CMALT"
    assert suggest(12) == "CMALT"  # Senior needs leadership too, so it is never chosen from years alone
    assert suggest(None) is None
    assert suggest(-1) is None


def test_round_state_machine():
    assert rules.can_move_round(a_round(RoundState.DRAFT), RoundState.OPEN)
    assert rules.can_move_round(a_round(RoundState.OPEN), RoundState.CLOSED)
    assert rules.can_move_round(a_round(RoundState.CLOSED), RoundState.IN_REVIEW)
    assert rules.can_move_round(a_round(RoundState.IN_REVIEW), RoundState.DECIDED)
    assert rules.can_move_round(a_round(RoundState.DECIDED), RoundState.RUNNING)
    assert rules.can_move_round(a_round(RoundState.RUNNING), RoundState.ARCHIVED)
    assert not rules.can_move_round(a_round(RoundState.OPEN), RoundState.DECIDED)
    assert not rules.can_move_round(a_round(RoundState.ARCHIVED), RoundState.OPEN)
