"""The round dashboard's at-risk list: participants on their way to an award who need the lead's attention."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app

from portal.dashboard.funnel import Participant, participants
from portal.db_types import utcnow
from portal.rounds.models import Round
from portal.timeutil import to_local

QUIET_WEEKS = 6
DEADLINE_NEAR_DAYS = 28
REGISTRATION_WARNING_DAYS = 60


@dataclass
class Risk:
    proposal_id: int
    name: str
    reasons: list[str] = field(default_factory=list)


def registration_expires_on(registered_on: date) -> date:
    months = int(current_app.config.get("REGISTRATION_MONTHS", 12))
    return registered_on + timedelta(days=round(months * 365 / 12))


def at_risk(round_: Round, now: datetime | None = None, people: list[Participant] | None = None) -> list[Risk]:
    """Participants still on their way to an award who need the lead's attention, and why."""
    now = now or utcnow()
    today = to_local(now).date()
    people = participants(round_.id) if people is None else people
    risks = []
    for person in people:
        if person.outcome is not None:
            continue
        reasons = []
        if person.pairing_id is None:
            reasons.append("No mentor")
        else:
            since = person.last_meeting or to_local(person.paired_at).date()
            if (today - since).days >= QUIET_WEEKS * 7:
                reasons.append(f"No meeting since {since.isoformat()}")
        if person.registered_on is not None:
            expires = registration_expires_on(person.registered_on)
            if (expires - today).days <= REGISTRATION_WARNING_DAYS:
                reasons.append(f"Registration expires {expires.isoformat()}")
        if person.target_deadline is not None:
            days = (person.target_deadline - today).days
            not_ready = person.sections - person.sections_ready
            if days <= DEADLINE_NEAR_DAYS and not_ready:
                reasons.append(f"Deadline {person.target_deadline.isoformat()} with {not_ready} section(s) not ready")
        if reasons:
            risks.append(Risk(person.proposal_id, person.name, reasons))
    return risks
