"""Imports every feature's models so that metadata (and migrations) see all tables."""
from portal.audit.models import AuditEvent  # noqa: F401
from portal.auth.models import RoleGrant, User  # noqa: F401
from portal.outbox.models import OutboxMessage  # noqa: F401
from portal.rounds.models import Pathway, Round, Scheme  # noqa: F401
from portal.proposals.models import Proposal  # noqa: F401
