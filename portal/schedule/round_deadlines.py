"""Each round's closing time as a deadline on the schedule and in feeds, read from the round itself.

Nothing is stored: the deadline is the round's closes_at, so moving the closing time (or closing early)
moves it everywhere at once. A deadline session the lead added by hand for the same round at the same
instant stands in for it, so nobody sees the deadline twice. Who sees it is rules.round_deadline_concerns.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select

from portal.extensions import db
from portal.rounds.models import Round, RoundState
from portal.rounds.rules import phase
from portal.schedule.ical import CalendarEvent
from portal.schedule.models import Session, SessionKind, SessionStatus
from portal.schedule.rules import Viewer, round_deadline_concerns

# Rounds whose phase is one of these have not closed yet.
_NOT_YET_CLOSED = {RoundState.SCHEDULED, RoundState.OPEN}


@dataclass(frozen=True)
class RoundDeadline:
    """A round's closing time, as the schedule shows it."""

    round_id: int
    round_name: str
    closes_at: datetime
    closed: bool

    @property
    def title(self) -> str:
        return f"Proposals close: {self.round_name}"

    @property
    def uid(self) -> str:
        # Stable for the round, so a calendar moves the event when the closing time moves.
        return f"round-{self.round_id}-closes@cohort-portal"


def round_deadlines(viewer: Viewer | None, now: datetime, start: datetime | None = None,
                    end: datetime | None = None, round_id: int | None = None) -> list[RoundDeadline]:
    """The closing times the viewer is concerned with (one query), earliest first; within [start, end) when
    given, of one round when round_id is given. viewer None: the round's public feed, which always has it."""
    by_hand = exists().where(Session.round_id == Round.id, Session.kind == SessionKind.DEADLINE,
                             Session.status == SessionStatus.SCHEDULED, Session.starts_at == Round.closes_at)
    query = select(Round).where(Round.state != RoundState.DRAFT, ~by_hand).order_by(Round.closes_at, Round.id)
    if start is not None:
        query = query.where(Round.closes_at >= start)
    if end is not None:
        query = query.where(Round.closes_at < end)
    if round_id is not None:
        query = query.where(Round.id == round_id)
    found = []
    for round_ in db.session.scalars(query):
        closed = phase(round_, now) not in _NOT_YET_CLOSED
        if viewer is None or round_deadline_concerns(viewer, round_.id, closed):
            found.append(RoundDeadline(round_.id, round_.name, round_.closes_at, closed))
    return found


def deadline_event(deadline: RoundDeadline, page: str) -> CalendarEvent:
    """The closing time as a calendar event: an instant (no end), linked to the round's page.

    Its UID stays with the round and its time is read from the round on every fetch; feeds are published
    whole (METHOD:PUBLISH) and their ETag changes with the time, so a subscribed calendar replaces the event
    when the closing time moves."""
    return CalendarEvent(
        uid=deadline.uid, summary=deadline.title,
        description=f"Proposals for {deadline.round_name} must be submitted by this time.\n\nDetails: {page}",
        starts_at=deadline.closes_at, ends_at=deadline.closes_at, url=page, sequence=0)

