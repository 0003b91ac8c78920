"""Reminders and the round clock: the week-before reminder follows the round's phase, not its stored state,
and `flask rounds advance` closes a round and tells the owners of drafts once."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.reminders.services import send_reminders
from portal.rounds.models import RoundState
from tests.factories import make_proposal, make_round, make_user


def _kinds() -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)))


def test_a_scheduled_round_that_has_opened_gets_its_deadline_reminder_before_any_job_stored_it(app):
    now = utcnow()
    round_ = make_round(state=RoundState.SCHEDULED, opens_at=now - timedelta(days=3),
                        closes_at=now + timedelta(days=6, hours=20))
    draft = make_proposal(round_, make_user())
    draft.created_at = now - timedelta(days=2)
    db.session.commit()
    send_reminders()
    db.session.commit()
    assert _kinds() == ["reminder:proposal-deadline"]


def test_a_round_closed_early_gets_no_week_before_reminder(app):
    now = utcnow()
    round_ = make_round(state=RoundState.CLOSED, closes_at=now + timedelta(days=6, hours=20))
    draft = make_proposal(round_, make_user())
    draft.created_at = now - timedelta(days=10)
    db.session.commit()
    assert send_reminders().total == 0


def test_the_rounds_advance_command_closes_and_tells_drafts_once(app):
    now = utcnow()
    round_ = make_round(name="Autumn", opens_at=now - timedelta(days=20), closes_at=now - timedelta(minutes=1))
    make_proposal(round_, make_user())
    runner = app.test_cli_runner()
    first = runner.invoke(args=["rounds", "advance"])
    assert first.exit_code == 0, first.output
    assert "closed 1 (Autumn)" in first.output
    second = runner.invoke(args=["rounds", "advance"])
    assert "closed 0" in second.output
    db.session.expire_all()
    assert round_.state == RoundState.CLOSED and _kinds() == ["round-closed"]
