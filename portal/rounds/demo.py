"""The demo's base: what every feature's demo step builds on (the people, the CMALT scheme, its rounds), and
the demo's clock: rows the services write are dated when they happened in the demo's year."""
from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.extensions import db
from portal.outbox.models import OutboxMessage, OutboxStatus
from portal.rounds.clock import advance_rounds
from portal.rounds.models import Pathway, Round, RoundState, Scheme
from portal.rounds.proposal_facts import proposal_facts
from portal.rounds.services import RoundData, save_round, set_round_state
from portal.timeutil import local_to_utc, to_local

CMALT_SECTIONS = {
    "Associate CMALT": ["Contextual statement", "Core area 1: operational issues",
                        "Core area 2: teaching, learning and/or assessment processes",
                        "Core area 3: the wider context", "Core area 4: communication and working with others",
                        "Future plans"],
    "CMALT": ["Contextual statement", "Core area 1: operational issues",
              "Core area 2: teaching, learning and/or assessment processes",
              "Core area 3: the wider context", "Core area 4: communication and working with others",
              "Specialist option(s)", "Future plans"],
    "Senior CMALT": ["Contextual statement", "Core area 1: operational issues",
                     "Core area 2: teaching, learning and/or assessment processes",
                     "Core area 3: the wider context", "Core area 4: communication and working with others",
                     "Specialist option(s)", "Advanced area: leadership, strategy or research", "Future plans"],
}



@dataclass
class DemoContext:
    """What the base demo built; feature steps add to the institution from it (rounds as the year makes them)."""

    now: datetime
    lead: User
    panel: list[User]
    mentors: list[User]
    staff: list[User]
    scheme: Scheme
    pathways: dict[str, Pathway]
    rng: random.Random
    rounds: dict[str, Round] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


@contextmanager
def happened(ctx: DemoContext, at: datetime):
    """Date what the services do inside the block at `at` in the demo's year.

    Services stamp their audit events and emails with the real clock; the demo builds a year that is
    already past, so the rows they add here are re-dated (no rule reads these stamps: a rule that takes a
    time is given `at` as its `now`). Mail of the past counts as sent then, so the outbox holds only what
    is waiting today. The rows are caught as they join the session, so re-dating costs no query.
    """
    added = []

    def collect(_session, instance) -> None:
        if isinstance(instance, (AuditEvent, OutboxMessage)):
            added.append(instance)

    event.listen(Session, "transient_to_pending", collect)
    try:
        yield
    finally:
        event.remove(Session, "transient_to_pending", collect)
    for row in added:
        if isinstance(row, AuditEvent):
            row.at = at
            continue
        row.created_at = row.next_attempt_at = at
        if at < ctx.now:
            row.status, row.sent_at, row.attempts = OutboxStatus.SENT, at, 1


def working_day_at(start: datetime, at: time, min_days: int = 0) -> datetime:
    """The first Monday to Friday at least min_days after start, at a wall-clock time, as UTC."""
    day = to_local(start).date() + timedelta(days=min_days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return local_to_utc(datetime.combine(day, at))


def local_day(instant: datetime) -> date:
    return to_local(instant).date()


def new_round(ctx: DemoContext, key: str, *, name: str, opens_at: datetime, closes_at: datetime, places: int,
              budget_pence: int, guidance: str, intro_required: bool = True) -> Round:
    """A round saved by the lead as a draft three weeks before it opens (rounds.services.save_round)."""
    data = RoundData(name=name, scheme=ctx.scheme, pathways=list(ctx.scheme.pathways), opens_at=opens_at,
                     closes_at=closes_at, funded_places=places, budget_pence=budget_pence,
                     intro_required=intro_required, guidance=guidance)
    prepared = opens_at - timedelta(days=21)
    with happened(ctx, prepared):
        round_ = save_round(ctx.lead, None, data, proposal_facts())
    round_.created_at = prepared  # when the lead made it; no rule reads it
    ctx.rounds[key] = round_
    return round_


def move_round(ctx: DemoContext, round_: Round, to: RoundState, at: datetime) -> Round:
    """The round moves on at `at`, through the rounds service (which checks the move is allowed)."""
    with happened(ctx, at):
        return set_round_state(ctx.lead, round_, to, now=at)


def seed_cmalt_scheme() -> Scheme:
    """The CMALT scheme with its three pathways, fees and portfolio sections (all editable later)."""
    scheme = Scheme(name="CMALT", awarding_body="Association for Learning Technology (ALT)",
                    description="Certified Membership of the Association for Learning Technology: a portfolio-based "
                                "accreditation for people whose work involves learning technology.",
                    website="https://www.alt.ac.uk/certified-membership")
    scheme.pathways = [
        Pathway(name="Associate CMALT", fee_pence=11000, min_years=0, max_years=3, level=1, position=0,
                eligibility="For colleagues with less than three years' experience, or for whom learning "
                            "technology is a small part of the role.",
                portfolio_sections=CMALT_SECTIONS["Associate CMALT"]),
        Pathway(name="CMALT", fee_pence=16500, min_years=3, max_years=None, level=2, position=1,
                eligibility="For colleagues with three or more years' experience of learning technology.",
                portfolio_sections=CMALT_SECTIONS["CMALT"]),
        Pathway(name="Senior CMALT", fee_pence=26500, min_years=4, max_years=None, level=3, position=2,
                requires_leadership=True,
                eligibility="For colleagues with more than three years' experience who also lead, shape "
                            "strategy or research in learning technology.",
                portfolio_sections=CMALT_SECTIONS["Senior CMALT"]),
    ]
    db.session.add(scheme)
    return scheme


def next_weekday_at(start: datetime, weekday: int, at: time, min_days: int) -> datetime:
    """The first given weekday at least min_days after start, at a wall-clock time, as UTC."""
    local_day = to_local(start).date() + timedelta(days=min_days)
    while local_day.weekday() != weekday:
        local_day += timedelta(days=1)
    return local_to_utc(datetime.combine(local_day, at))


def tick(ctx: DemoContext, at: datetime) -> None:
    """The clock reaches `at`: rounds open and close as their dates say (rounds.clock.advance_rounds, which
    also tells the owners of unsubmitted drafts and starts the review when panel and rubric are ready)."""
    with happened(ctx, at):
        advance_rounds(at)
