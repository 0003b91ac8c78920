"""The clock's moves: scheduled rounds open at their opening time and close at their closing time.

rules.phase already says the right state at any instant, so no page or rule waits for this; it stores the
move, writes its audit event and tells the owners of unsubmitted drafts. `flask --app wsgi rounds advance`
runs it from cron, and the rounds pages run it on request so nobody waits for cron.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from portal.audit.services import record
from portal.db_types import utcnow
from portal.extensions import db
from portal.rounds.lifecycle import claim_move, close_round
from portal.rounds.models import Round, RoundState
from portal.rounds.queries import due_clause
from portal.rounds.rules import phase
from portal.timeutil import format_local


@dataclass
class AdvanceReport:
    opened: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    rescheduled: list[str] = field(default_factory=list)


def advance_rounds(now: datetime | None = None) -> AdvanceReport:
    """Store every move the clock has made: scheduled -> open at opens_at, open -> closed at closes_at
    (with close_round's side effects: the drafts' owners told once, the review started when the panel and
    rubric are ready), and open -> scheduled when a lead moved the opening time later.

    Idempotent and safe with two workers: each move is a conditional UPDATE (lifecycle.claim_move), so a
    move stored by another worker is skipped, never done twice. Does not commit (the caller does).
    Side effects: audit 'round.open' / 'round.closed' / 'round.scheduled', by no one (the clock).
    """
    now = now or utcnow()
    report = AdvanceReport()
    for round_ in db.session.scalars(select(Round).where(due_clause(now)).order_by(Round.id)).all():
        stored, to = round_.state, phase(round_, now)
        if to == RoundState.CLOSED:
            if close_round(None, round_, now, early=False):
                report.closed.append(round_.name)
        elif to != stored and claim_move(round_, stored, to):
            record(None, f"round.{to.value}", round_, summary=f"{round_.name}: {to.label.lower()} at "
                   f"{format_local(round_.opens_at if to == RoundState.OPEN else now)}")
            (report.opened if to == RoundState.OPEN else report.rescheduled).append(round_.name)
    return report


def advance_on_request(now: datetime | None = None) -> None:
    """Run advance_rounds for a page and commit it, so the stored states and the drafts' emails never wait
    for cron. On SQLite a second worker that stored the same move first makes this worker's write fail
    (its snapshot is stale); that move is done, so the page carries on, and rules.phase shows it."""
    try:
        if db.session.scalar(select(Round.id).where(due_clause(now or utcnow())).limit(1)) is None:
            return
        advance_rounds(now)
        db.session.commit()
    except OperationalError:
        db.session.rollback()


def describe(report: AdvanceReport) -> str:
    """One line for cron."""
    parts = [f"{what} {len(names)}" + (f" ({', '.join(names)})" if names else "")
             for what, names in (("opened", report.opened), ("closed", report.closed),
                                 ("back to scheduled", report.rescheduled))]
    return "rounds: " + "; ".join(parts)
