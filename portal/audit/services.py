"""Writing audit events; every service that changes state calls record()."""
from __future__ import annotations

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
