"""The round dashboard's at-risk list: participants on their way to an award who need the lead's attention.

The thresholds are mentoring's (portal/mentoring/rules.py), so the lead and the mentors see the same risks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app

from portal.dashboard.funnel import Participant, participants
from portal.db_types import utcnow
from portal.mentoring import rules
from portal.mentoring.models import NudgeRecipient
from portal.rounds.models import Round
from portal.timeutil import format_date, to_local

# "18 October 2026": the lead reads a date, not a database value.
DATE_IN_WORDS = "%-d %B %Y"


@dataclass
class Risk:
    proposal_id: int
    name: str
    reasons: list[str] = field(default_factory=list)
    pairing_id: int | None = None
    mentor_name: str | None = None
    pairing_confirmed: bool = False
    nudged_today: dict = field(default_factory=dict)  # NudgeRecipient -> when the lead nudged them today

    @property
    def can_nudge_mentor(self) -> bool:
        """A mentor is nudged only about a pairing they know of."""
        return self.pairing_confirmed and self.mentor_name is not None

    def message_for(self, recipient: NudgeRecipient) -> str:
        return nudge_message(self, recipient)


def in_words(day: date) -> str:
    return format_date(day, DATE_IN_WORDS)


def reasons_for(person: Participant, today: date) -> list[str]:
    """Why one participant needs the lead's attention today (empty when they do not)."""
    reasons = []
    if person.pairing_id is None:
        reasons.append("No mentor")
    else:
        started = to_local(person.paired_at).date()
        if rules.meeting_overdue(person.last_meeting, started, today):
            reasons.append(f"No meeting since {in_words(rules.quiet_since(person.last_meeting, started))}")
    if rules.registration_at_risk(person.registered_on, today):
        expires = rules.registration_expiry(person.registered_on)
        verb = "expired" if rules.registration_state(person.registered_on, today) == "expired" else "expires"
        reasons.append(f"Registration {verb} on {in_words(expires)}")
    not_ready = person.sections - person.sections_ready
    if rules.deadline_at_risk(person.target_deadline, not_ready, today):
        sections = "section" if not_ready == 1 else "sections"
        passed = "passed on" if person.target_deadline < today else "is"
        reasons.append(f"Target deadline {passed} {in_words(person.target_deadline)} with {not_ready} {sections} "
                       "not ready")
    return reasons


def nudge_message(risk: Risk, recipient: NudgeRecipient) -> str:
    """The nudge the lead starts from: why the participant is on the list, and what would help."""
    scheme = current_app.config["SCHEME_NAME"]
    why = "\n".join(f"- {reason}" for reason in risk.reasons)
    if recipient == NudgeRecipient.MENTEE:
        return (f"I am checking in on your progress towards {scheme}. The portal shows:\n{why}\n\n"
                "Could you reply to let me know how it is going, and whether anything would help?")
    return (f"I am checking in on {risk.name}, whom you mentor. The portal shows:\n{why}\n\n"
            "Could you get in touch with them, and let me know whether anything would help?")


def risk_of(round_: Round, proposal_id: int, name: str) -> Risk:
    """One participant's row of the at-risk list (with no reasons once they are no longer at risk)."""
    found = next((r for r in at_risk(round_) if r.proposal_id == proposal_id), None)
    return found or Risk(proposal_id, name)


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
            risks.append(Risk(person.proposal_id, person.name, reasons, person.pairing_id, person.mentor_name,
                              person.pairing_confirmed, person.nudged_today))
    return risks
