"""Writing audit events; every service that changes state calls record()."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text, cast, or_, select, update

from portal.audit.models import AuditEvent
from portal.extensions import db


def record(actor, action: str, obj=None, summary: str = "", **detail) -> AuditEvent:
    """Add an audit event to the current transaction (committed with the change it describes)."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=(obj.__class__.__name__ if obj is not None else ""),
        object_id=getattr(obj, "id", None),
        summary=summary[:500],
        detail=detail,
    )
    db.session.add(event)
    return event


def clear_events_about(obj, person_id: int | None) -> int:
    """Clear the summaries and details of the events about `obj`, and unlink `person_id` as their actor.

    For retention: an anonymised record keeps what happened to it and when, not who it was or what
    was said. Returns how many events were touched. Caller commits.
    """
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == obj.__class__.__name__,
                                                         AuditEvent.object_id == obj.id)).all()
    for event in events:
        event.summary = ""
        event.detail = {}
        if person_id is not None and event.actor_id == person_id:
            event.actor_id = None
    return len(events)


def clear_summaries_before(cutoff: datetime) -> int:
    """Clear the summary and details (which quote names and what people wrote) of events before `cutoff`.

    Who acted, the action, the object and the time stay. Returns how many were cleared. Caller commits.
    """
    return db.session.execute(
        update(AuditEvent).where(AuditEvent.at < cutoff,
                                 or_(AuditEvent.summary != "", cast(AuditEvent.detail, Text) != "{}"))
        .values(summary="", detail={})).rowcount
