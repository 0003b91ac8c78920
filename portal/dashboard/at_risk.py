"""The round dashboard's at-risk list: participants on their way to an award who need the lead's attention.

The thresholds are mentoring's (portal/mentoring/rules.py), so the lead and the mentors see the same risks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from portal.dashboard.funnel import Participant, participants
from portal.db_types import utcnow
from portal.mentoring import rules
from portal.rounds.models import Round
from portal.timeutil import to_local


@dataclass
class Risk:
    proposal_id: int
    name: str
    reasons: list[str] = field(default_factory=list)


def reasons_for(person: Participant, today: date) -> list[str]:
    """Why one participant needs the lead's attention today (empty when they do not)."""
    reasons = []
    if person.pairing_id is None:
        reasons.append("No mentor")
    else:
        started = to_local(person.paired_at).date()
        if rules.meeting_overdue(person.last_meeting, started, today):
            reasons.append(f"No meeting since {rules.quiet_since(person.last_meeting, started).isoformat()}")
    if rules.registration_at_risk(person.registered_on, today):
        expires = rules.registration_expiry(person.registered_on)
        verb = "expired" if rules.registration_state(person.registered_on, today) == "expired" else "expires"
        reasons.append(f"Registration {verb} {expires.isoformat()}")
    not_ready = person.sections - person.sections_ready
    if rules.deadline_at_risk(person.target_deadline, not_ready, today):
        reasons.append(f"Deadline {person.target_deadline.isoformat()} with {not_ready} section(s) not ready")
    return reasons


def at_risk(round_: Round, now: datetime | None = None, people: list[Participant] | None = None) -> list[Risk]:
    """Participants still on their way to an award who need the lead's attention, and why."""
    today = to_local(now or utcnow()).date()
    people = participants(round_.id) if people is None else people
    risks = []
    for person in people:
        if person.outcome is not None:
            continue
        reasons = reasons_for(person, today)
        if reasons:
            risks.append(Risk(person.proposal_id, person.name, reasons))
    return risks
