"""A pair's meeting log: each meeting held, and the next one agreed (which the calendar feeds show)."""
from __future__ import annotations

from datetime import date, datetime

from portal.audit.services import record
from portal.auth.models import User
from portal.db_types import utcnow
from portal.extensions import db
from portal.mentoring import rules
from portal.mentoring.errors import MentoringError
from portal.mentoring.models import Meeting, Pairing
from portal.timeutil import to_local


def log_meeting(actor: User, pairing: Pairing, *, held_on: date, duration_minutes: int, notes: str,
                next_steps: str, next_meeting_at: datetime | None, now: datetime | None = None) -> Meeting:
    """Add a meeting to the pair's log; an agreed next meeting appears in both calendar feeds.

    "Happened" is judged by the institution's date, not the server's. Audit 'meeting.logged'.
    """
    now = now or utcnow()
    if not rules.can_update_progress(actor, pairing):
        raise MentoringError("This pairing cannot be updated.")
    if held_on > to_local(now).date():
        raise MentoringError("Log a meeting once it has happened; put a future one in 'Next meeting'.", "held_on")
    if not 5 <= duration_minutes <= 480:
        raise MentoringError("Duration must be between 5 and 480 minutes.", "duration_minutes")
    if next_meeting_at is not None and next_meeting_at <= now:
        raise MentoringError("The next meeting must be in the future.", "next_meeting_at")
    meeting = Meeting(pairing_id=pairing.id, held_on=held_on, duration_minutes=duration_minutes,
                      notes=(notes or "").strip(), next_steps=(next_steps or "").strip(),
                      next_meeting_at=next_meeting_at, logged_by_id=actor.id)
    db.session.add(meeting)
    db.session.flush()
    record(actor, "meeting.logged", pairing, summary=f"{held_on.isoformat()}, {duration_minutes} min")
    return meeting
