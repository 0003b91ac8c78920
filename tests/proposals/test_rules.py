"""Proposal rules: who sees what, word counts, the intro prerequisite read from the schedule."""
from __future__ import annotations

from datetime import timedelta

import pytest

from portal.auth.models import Role
from portal.db_types import utcnow
from portal.extensions import db
from portal.proposals import rules, services
from portal.proposals.models import ProposalState
from portal.rounds.models import RoundState
from portal.schedule.models import Booking, BookingStatus, Session, SessionKind
from tests.factories import make_proposal, make_round, make_user


def intro_session(round_, days: int, title: str = "Intro to CMALT", capacity: int | None = 20) -> Session:
    start = utcnow() + timedelta(days=days)
    session = Session(kind=SessionKind.INTRO, title=title, starts_at=start, ends_at=start + timedelta(hours=1),
                      round_id=round_.id, capacity=capacity)
    db.session.add(session)
    db.session.commit()
    return session


def test_word_count_counts_words_not_spaces():
    assert rules.word_count("  one\ttwo\n\nthree  ") == 3
    assert rules.word_count("") == 0
    assert rules.word_count(None) == 0


def test_only_the_owner_and_the_lead_can_view(app):
    proposal = make_proposal()
    assert rules.can_view(proposal.applicant, proposal)
    assert rules.can_view(make_user(roles=[Role.LEAD]), proposal)
    assert not rules.can_view(make_user(), proposal)
    assert not rules.can_view(make_user(roles=[Role.PANEL]), proposal)


def test_withdraw_allowed_until_decisions(app):
    for state, allowed in [(RoundState.OPEN, True), (RoundState.CLOSED, True), (RoundState.IN_REVIEW, True),
                           (RoundState.DECIDED, False), (RoundState.RUNNING, False)]:
        proposal = make_proposal(make_round(state=state), state=ProposalState.SUBMITTED)
        assert rules.can_withdraw(proposal.applicant, proposal) is allowed, state


def test_without_attending_an_intro_submission_is_blocked_naming_bookable_sessions(app):
    round_ = make_round(intro_required=True)
    intro_session(round_, 3, "Intro webinar A")
    intro_session(round_, 5, "Intro webinar B (full)", capacity=0)
    intro_session(round_, -3, "Intro webinar in the past")
    proposal = make_proposal(round_)
    with pytest.raises(services.ProposalError) as refused:
        services.submit_proposal(proposal.applicant, proposal)
    [problem] = refused.value.problems
    assert problem.code == "intro"
    assert "Attend an intro session first" in problem.message
    assert [s.title for s in problem.sessions] == ["Intro webinar A"]


def test_attending_an_intro_session_lets_them_submit(app):
    round_ = make_round(intro_required=True)
    session = intro_session(round_, -2)
    proposal = make_proposal(round_)
    db.session.add(Booking(session_id=session.id, user_id=proposal.user_id, status=BookingStatus.BOOKED,
                           attended=True))
    db.session.commit()
    services.submit_proposal(proposal.applicant, proposal)
    assert proposal.state == ProposalState.SUBMITTED


def test_booked_but_not_attended_is_not_enough(app):
    round_ = make_round(intro_required=True)
    session = intro_session(round_, -2)
    proposal = make_proposal(round_)
    db.session.add(Booking(session_id=session.id, user_id=proposal.user_id, status=BookingStatus.BOOKED,
                           attended=False))
    db.session.commit()
    with pytest.raises(services.ProposalError) as refused:
        services.submit_proposal(proposal.applicant, proposal)
    assert [p.code for p in refused.value.problems] == ["intro"]
    assert "no intro sessions left to book" in refused.value.message


def test_rounds_without_the_prerequisite_need_no_intro(app):
    proposal = make_proposal(make_round(intro_required=False))
    services.submit_proposal(proposal.applicant, proposal)
    assert proposal.state == ProposalState.SUBMITTED
