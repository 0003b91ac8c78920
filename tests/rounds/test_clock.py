"""A round's state follows its dates: scheduling checks its set-up, the clock opens and closes it, closing
tells the owners of unsubmitted drafts once, and two rounds of a scheme never accept at the same time."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.outbox.services import send_pending
from portal.panel.models import Criterion, PanelMember
from portal.proposals.models import ProposalState
from portal.rounds import lifecycle
from portal.rounds.checks import RoundError
from portal.rounds.clock import advance_rounds
from portal.rounds.models import Round, RoundState
from portal.rounds.queries import open_rounds
from portal.schedule.queries import viewer_for
from tests.factories import make_proposal, make_round, make_scheme, make_session, make_user


def _actions(round_) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "Round",
                                                                   AuditEvent.object_id == round_.id)
                                   .order_by(AuditEvent.id)))


def _outbox() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


def _draft(opens_in=timedelta(days=2), lasts=timedelta(days=20), **fields) -> Round:
    now = utcnow()
    return make_round(state=RoundState.DRAFT, opens_at=now + opens_in, closes_at=now + opens_in + lasts, **fields)


def _panel(round_) -> None:
    db.session.add_all([PanelMember(round_id=round_.id, user_id=make_user(roles=[Role.PANEL]).id),
                        Criterion(round_id=round_.id, name="Fit", weight=1)])
    db.session.commit()


def test_scheduling_with_something_missing_is_refused_listing_everything(app):
    round_ = _draft(intro_required=True)
    round_.pathways = []
    db.session.commit()
    with pytest.raises(lifecycle.RoundNotReady) as refused:
        lifecycle.schedule_round(make_user(), round_)
    assert refused.value.missing == [
        "Offer at least one pathway.",
        "Applicants must attend an intro session, but none they can book is scheduled before the closing time. "
        "Schedule an intro session."]
    assert refused.value.message.startswith("This round cannot be scheduled yet: Offer at least one pathway.")
    db.session.rollback()
    assert round_.state == RoundState.DRAFT and _actions(round_) == []


def test_an_intro_session_after_closing_does_not_count(app):
    round_ = _draft(intro_required=True)
    make_session(kind="intro", round_id=round_.id, starts_at=round_.closes_at + timedelta(hours=1))
    with pytest.raises(lifecycle.RoundNotReady):
        lifecycle.schedule_round(make_user(), round_)
    db.session.rollback()
    make_session(kind="intro", round_id=round_.id, starts_at=round_.opens_at + timedelta(days=1))
    lifecycle.schedule_round(make_user(), round_)
    assert round_.state == RoundState.SCHEDULED


def test_a_scheduled_round_opens_and_closes_by_the_clock_once(app):
    round_ = _draft()
    lead = make_user(roles=[Role.LEAD])
    lifecycle.schedule_round(lead, round_)
    db.session.commit()
    assert round_.state == RoundState.SCHEDULED
    assert advance_rounds(round_.opens_at - timedelta(seconds=1)).opened == []
    report = advance_rounds(round_.opens_at)
    db.session.commit()
    assert report.opened == [round_.name] and round_.state == RoundState.OPEN
    assert advance_rounds(round_.opens_at + timedelta(minutes=1)).opened == []  # idempotent
    report = advance_rounds(round_.closes_at)
    db.session.commit()
    assert report.closed == [round_.name] and round_.state == RoundState.CLOSED
    assert advance_rounds(round_.closes_at + timedelta(minutes=1)).closed == []
    assert _actions(round_) == ["round.scheduled", "round.open", "round.closed"]


def test_the_review_starts_at_closing_when_the_panel_and_rubric_are_ready(app):
    round_ = make_round(state=RoundState.OPEN)
    _panel(round_)
    advance_rounds(round_.closes_at)
    db.session.commit()
    assert round_.state == RoundState.IN_REVIEW
    assert _actions(round_)[-2:] == ["round.closed", "round.in_review"]


def test_starting_the_review_needs_a_panel_and_a_rubric(app):
    round_ = make_round(state=RoundState.CLOSED)
    with pytest.raises(lifecycle.RoundNotReady) as refused:
        lifecycle.start_review(make_user(), round_)
    assert refused.value.missing == ["Add at least one panel member before review.",
                                     "Add at least one scoring criterion before review."]
    db.session.rollback()
    _panel(round_)
    lifecycle.start_review(make_user(), round_)
    assert round_.state == RoundState.IN_REVIEW


def test_the_next_round_can_be_scheduled_while_one_is_open_but_windows_may_not_overlap(app):
    scheme = make_scheme()
    autumn = make_round(scheme, name="Autumn")  # open now, closes in 10 days
    spring = make_round(scheme, state=RoundState.DRAFT, name="Spring", opens_at=autumn.closes_at,
                        closes_at=autumn.closes_at + timedelta(days=30))
    lifecycle.schedule_round(make_user(), spring)
    assert spring.state == RoundState.SCHEDULED
    winter = make_round(scheme, state=RoundState.DRAFT, name="Winter", opens_at=autumn.closes_at - timedelta(days=1),
                        closes_at=autumn.closes_at + timedelta(days=5))
    with pytest.raises(lifecycle.RoundNotReady) as refused:
        lifecycle.schedule_round(make_user(), winter)
    [overlap] = refused.value.missing
    assert overlap.startswith("“Autumn” accepts proposals from ")
    assert "Only one round of a scheme can accept proposals at a time" in overlap
    db.session.rollback()
    elsewhere = make_round(state=RoundState.DRAFT, opens_at=winter.opens_at, closes_at=winter.closes_at)
    lifecycle.schedule_round(make_user(), elsewhere)  # another scheme's round may overlap
    assert elsewhere.state == RoundState.SCHEDULED


def test_closing_early_tells_each_draft_owner_once_through_the_mail_server(app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    make_user(roles=[Role.LEAD], name="Lee Lead", email="lee@example.ac.uk")
    round_ = make_round(name="CMALT cohort 2026/27")
    ada, bo = make_user(name="Ada", email="ada@example.ac.uk"), make_user(name="Bo", email="bo@example.ac.uk")
    make_proposal(round_, user=ada)
    make_proposal(round_, user=bo)
    make_proposal(round_, state=ProposalState.SUBMITTED)
    before = utcnow()
    lifecycle.close_round_early(make_user(roles=[Role.LEAD]), round_)
    db.session.commit()
    assert round_.state == RoundState.CLOSED and before <= round_.closes_at <= utcnow()
    assert send_pending().sent == 2
    assert sorted(m["To"] for m in smtp_server.messages) == ["ada@example.ac.uk", "bo@example.ac.uk"]
    message = smtp_server.messages[0]
    assert message["Subject"] == "CMALT cohort 2026/27 has closed: your draft proposal was not sent"
    body = message.get_payload(decode=True).decode() if not message.is_multipart() else \
        message.get_payload(0).get_payload(decode=True).decode()
    assert "Your proposal was still a draft, so it was not sent" in body
    assert "contact Lee Lead (lee@example.ac.uk)" in body
    # Reopened and closed again (by the clock this time): nobody is told twice.
    round_.closes_at = utcnow() + timedelta(hours=1)
    lifecycle.reopen_round(make_user(), round_)
    db.session.commit()
    advance_rounds(round_.closes_at)
    db.session.commit()
    assert round_.state == RoundState.CLOSED and _outbox() == 2
    assert _actions(round_)[-3:] == ["round.closed", "round.open", "round.closed"]


def test_closing_by_the_clock_tells_draft_owners_too(app):
    round_ = make_round()
    make_proposal(round_)
    advance_rounds(round_.closes_at + timedelta(minutes=3))
    db.session.commit()
    assert _outbox() == 1
    assert db.session.scalar(select(OutboxMessage.kind)) == "round-closed"


def test_a_move_another_worker_stored_first_is_not_made_twice(app):
    round_ = make_round()
    make_proposal(round_)
    # Another worker closed it and committed after this one read the round: its conditional update finds
    # nothing to change, so no second audit event and no second email.
    db.session.execute(update(Round).where(Round.id == round_.id).values(state=RoundState.CLOSED)
                       .execution_options(synchronize_session=False))
    assert round_.state == RoundState.OPEN
    assert lifecycle.close_round(None, round_, round_.closes_at, early=False) is False
    assert round_.state == RoundState.CLOSED and _outbox() == 0 and "round.closed" not in _actions(round_)


def test_reopening_needs_a_closing_time_still_to_come(app):
    round_ = make_round(state=RoundState.CLOSED, closes_at=utcnow() - timedelta(hours=1))
    with pytest.raises(RoundError) as refused:
        lifecycle.reopen_round(make_user(), round_)
    assert refused.value.message == "Move the closing time later first (Edit the round), then reopen it."


def test_set_round_state_moves_a_round_through_its_year(app):
    round_ = _draft(opens_in=-timedelta(days=1))  # its opening time has passed: scheduling opens it at once
    _panel(round_)
    lead = make_user(roles=[Role.LEAD])
    lifecycle.set_round_state(lead, round_, RoundState.SCHEDULED)
    assert round_.state == RoundState.OPEN
    for to in (RoundState.CLOSED, RoundState.DECIDED, RoundState.RUNNING, RoundState.ARCHIVED):
        lifecycle.set_round_state(lead, round_, to)
    assert round_.state == RoundState.ARCHIVED
    assert _actions(round_) == ["round.open", "round.closed", "round.in_review", "round.decided",
                                    "round.running", "round.archived"]
    with pytest.raises(RoundError):
        lifecycle.set_round_state(lead, round_, RoundState.OPEN)


def test_other_features_read_open_from_the_clock_not_the_stored_state(app):
    now = utcnow()
    opened = make_round(state=RoundState.SCHEDULED, opens_at=now - timedelta(minutes=1))  # no job ran yet
    ended = make_round(state=RoundState.OPEN, closes_at=now - timedelta(minutes=1))
    upcoming = make_round(state=RoundState.SCHEDULED, opens_at=now + timedelta(days=2))
    assert [r.id for r in open_rounds()] == [opened.id]
    # Intro sessions of a round scheduled to open can be seen (and booked) before it opens.
    assert viewer_for(make_user()).open_rounds == frozenset({opened.id, upcoming.id})
    assert ended.id not in viewer_for(make_user()).open_rounds
