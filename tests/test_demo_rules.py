"""The demo institution holds only what the rules allow: each check asks the rule's own owner where one exists."""
from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from portal import create_app
from portal.audit.models import AuditEvent
from portal.db_types import utcnow
from portal.demo import load_demo
from portal.extensions import db
from portal.mentoring import matching, pairings, queries as mentoring_queries
from portal.mentoring.models import Meeting, Pairing, PairingState
from portal.outbox.models import OutboxMessage, OutboxStatus
from portal.panel import funding
from portal.panel.models import Decision, Outcome, PanelSettings
from portal.proposals.models import Proposal, ProposalState
from portal.rounds.guidance import suggest
from portal.rounds.models import Round, RoundState
from portal.rounds.rules import phase, windows_overlap
from portal.schedule.models import Booking, BookingStatus, Session, SessionKind
from portal.timeutil import to_local
from tests.conftest import _empty_tables, _test_config

DECIDED = {Outcome.SELECTED: ProposalState.SELECTED, Outcome.WAITLISTED: ProposalState.WAITLISTED,
           Outcome.NOT_SELECTED: ProposalState.NOT_SELECTED}


@pytest.fixture(scope="module")
def demo(_schema, database_url, tmp_path_factory):
    """The demo loaded once for the module (the checks only read it), with the time it was loaded for."""
    app = create_app(_test_config(tmp_path_factory.mktemp("demo"), database_url))
    with app.app_context():
        _empty_tables()
        now = utcnow()
        load_demo(now=now)
        yield now, {r.name: r for r in db.session.scalars(select(Round))}
        db.session.rollback()
        _empty_tables()
        db.session.remove()


def _by_phase(rounds: dict, now) -> dict:
    return {phase(r, now): r for r in rounds.values()}


def test_rounds_follow_their_dates_and_never_accept_at_once(demo):
    now, rounds = demo
    by_phase = _by_phase(rounds, now)
    assert set(by_phase) == {RoundState.OPEN, RoundState.IN_REVIEW, RoundState.RUNNING}
    for r in rounds.values():
        assert r.state == phase(r, now), r.name  # the stored state has caught up with the clock
    ordered = sorted(rounds.values(), key=lambda r: r.opens_at)
    for a, b in zip(ordered, ordered[1:]):
        assert not windows_overlap(a, b), (a.name, b.name)
    assert by_phase[RoundState.OPEN].opens_at <= now < by_phase[RoundState.OPEN].closes_at
    assert by_phase[RoundState.IN_REVIEW].closes_at < now


def test_the_running_cohort_is_exactly_those_selected_who_accepted(demo):
    now, rounds = demo
    running = _by_phase(rounds, now)[RoundState.RUNNING]
    decisions = db.session.scalars(select(Decision).where(Decision.round_id == running.id)).all()
    accepted = {d.proposal_id for d in decisions if d.outcome == Outcome.SELECTED and d.accepted_at is not None}
    participants = {p.id for p in mentoring_queries.participants(running.id)}
    assert participants == accepted and len(accepted) == 10
    declined = [d for d in decisions if d.declined_at is not None]
    offered = [d for d in decisions if d.offered_at is not None]
    assert len(declined) == 1 and len(offered) == 1 and offered[0].proposal_id in accepted
    paired = {p.proposal_id for p in mentoring_queries.pairings_in_round(running.id, [PairingState.CONFIRMED])}
    assert paired == participants


def test_every_proposal_state_matches_its_decision(demo):
    now, rounds = demo
    for r in rounds.values():
        settings = db.session.scalar(select(PanelSettings).where(PanelSettings.round_id == r.id))
        released = settings is not None and settings.released_at is not None
        decisions = {d.proposal_id: d for d in db.session.scalars(select(Decision).where(Decision.round_id == r.id))}
        for proposal in db.session.scalars(select(Proposal).where(Proposal.round_id == r.id)):
            decision = decisions.get(proposal.id)
            if released and proposal.state != ProposalState.WITHDRAWN:
                assert decision is not None, proposal.id
                expected = ProposalState.DECLINED if decision.declined_at else DECIDED[decision.outcome]
                assert proposal.state == expected, (r.name, proposal.id)
            else:
                assert proposal.state in {ProposalState.DRAFT, ProposalState.SUBMITTED, ProposalState.WITHDRAWN}
                assert decision is None or not released


def test_funding_stays_within_places_and_budget(demo):
    _now, rounds = demo
    for r in rounds.values():
        summary = funding.round_funding(r)
        assert summary.places is None or summary.places_used <= summary.places, r.name
        assert summary.budget is None or summary.budget_used <= summary.budget, r.name


def test_every_pairing_passes_the_rules_the_swap_page_uses(demo):
    _now, _rounds = demo
    pairs = db.session.scalars(select(Pairing).where(Pairing.state == PairingState.CONFIRMED)).all()
    assert pairs
    for pairing in pairs:
        mentee = mentoring_queries.mentee_record(pairing.proposal)
        mentor = mentoring_queries.mentor_record(pairing.mentor, remaining=1)
        assert matching.hard_rule_failure(mentee, mentor, department_rule=pairings._department_rule(),
                                          min_level=pairings._min_level()) is None, pairing.explanation
        # A Senior CMALT participant has a Senior CMALT mentor: the strictest reading of the level rule.
        assert pairing.mentor.award_level >= pairing.proposal.pathway.level, pairing.explanation
    taken = mentoring_queries.places_taken_by_mentor()
    for profile in mentoring_queries.available_mentors():
        assert taken.get(profile.id, 0) <= profile.capacity


def test_sessions_are_on_working_days_within_working_hours(demo):
    _now, _rounds = demo
    timed = db.session.scalars(select(Session).where(Session.kind != SessionKind.DEADLINE)).all()
    assert len(timed) > 40
    for session in timed:
        start, end = to_local(session.starts_at), to_local(session.ends_at)
        assert start.weekday() < 5, session.display_title
        assert start.date() == end.date() and time(9) <= start.time() and end.time() <= time(17), session.display_title
    for deadline in db.session.scalars(select(Session).where(Session.kind == SessionKind.DEADLINE)):
        assert to_local(deadline.starts_at).weekday() < 5, deadline.title


def test_the_workshops_cross_both_clock_changes(demo):
    _now, _rounds = demo
    workshops = db.session.scalars(select(Session).where(Session.kind == SessionKind.WORKSHOP)
                                   .order_by(Session.starts_at)).all()
    assert [w.display_title for w in workshops] == [f"Portfolio workshop (Workshop {n} of 5)" for n in range(1, 6)]
    assert {to_local(w.starts_at).strftime("%H:%M") for w in workshops} == {"14:00"}
    offsets = [to_local(w.starts_at).utcoffset() for w in workshops]
    assert sum(a != b for a, b in zip(offsets, offsets[1:])) == 2


def test_bookings_were_made_before_the_start_and_registers_after_it(demo):
    _now, _rounds = demo
    for booking in db.session.scalars(select(Booking)):
        assert booking.created_at < booking.session.starts_at, booking.session.display_title
        if booking.attended is not None:
            assert booking.session.starts_at <= utcnow()


def test_applicants_attended_an_intro_session_before_submitting_in_the_window(demo):
    _now, rounds = demo
    submitted = db.session.scalars(select(Proposal).where(Proposal.submitted_at.is_not(None))).all()
    assert len(submitted) > 25
    for proposal in submitted:
        r = proposal.round
        assert r.opens_at <= proposal.submitted_at < r.closes_at
        if r.intro_required:
            attended = db.session.scalars(select(Booking).join(Session).where(
                Booking.user_id == proposal.user_id, Booking.attended.is_(True),
                Booking.status == BookingStatus.BOOKED, Session.kind == SessionKind.INTRO,
                Session.round_id == r.id)).all()
            assert any(b.session.ends_at <= proposal.submitted_at for b in attended), proposal.applicant.name


def test_each_pathway_is_the_one_the_guidance_suggests(demo):
    _now, _rounds = demo
    proposals = db.session.scalars(select(Proposal).where(Proposal.pathway_id.is_not(None))).all()
    assert {p.pathway.name for p in proposals} == {"Associate CMALT", "CMALT", "Senior CMALT"}
    for proposal in proposals:
        fit = suggest(proposal.round.pathways, proposal.years_experience, proposal.leads_learning_technology)
        assert fit.pathway.id == proposal.pathway_id, proposal.applicant.name


def test_the_past_is_dated_in_the_past(demo):
    now, _rounds = demo
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.at > now + timedelta(minutes=1)).limit(1)) is None
    for meeting in db.session.scalars(select(Meeting)):
        assert meeting.pairing.confirmed_at.date() <= meeting.held_on <= to_local(now).date()
    pending = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)).all()
    assert all(m.created_at >= now - timedelta(minutes=1) for m in pending)
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENT).limit(1))
