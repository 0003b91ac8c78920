"""Reads for the administration pages."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal.audit.models import AuditEvent
from portal.auth.link_models import Invitation
from portal.auth.models import Role, RoleGrant, User
from portal.outbox.models import OutboxMessage
from portal.privacy.services import ANONYMOUS_EMAIL


def people(q: str = "", role: str = ""):
    """People matching a search, by name (not the placeholder that anonymised proposals belong to)."""
    stmt = (select(User).options(selectinload(User.role_grants)).where(User.email != ANONYMOUS_EMAIL)
            .order_by(User.name, User.id))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(User.name.ilike(like), User.email.ilike(like), User.department.ilike(like)))
    if role:
        stmt = stmt.where(User.id.in_(select(RoleGrant.user_id).where(RoleGrant.role == Role(role))))
    return stmt


def outbox_messages(status: str = ""):
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    return stmt


def audit_events(action: str = "", actor: str = "", object_type: str = ""):
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action.ilike(f"{action.strip()}%"))
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if actor:
        stmt = stmt.where(AuditEvent.actor_id.in_(
            select(User.id).where(or_(User.email.ilike(f"%{actor.strip()}%"), User.name.ilike(f"%{actor.strip()}%")))))
    return stmt


def invitations():
    """Every invitation of an external person, newest first, with who sent it (in the same query)."""
    from_newest = select(Invitation).order_by(Invitation.created_at.desc(), Invitation.id.desc())
    return from_newest.options(joinedload(Invitation.invited_by))
