"""Imports every feature's models so that metadata (and migrations) see all tables."""
from portal.audit.models import AuditEvent  # noqa: F401
from portal.auth.models import OidcIdentity, RoleGrant, SignInSession, User  # noqa: F401
from portal.auth.link_models import EmailVerification, Invitation  # noqa: F401
from portal.outbox.models import OutboxMessage  # noqa: F401
from portal.rounds.models import Pathway, Round, Scheme  # noqa: F401
from portal.proposals.models import PendingDraft, Proposal, ProposalVersion  # noqa: F401
from portal.schedule.models import Booking, FeedToken, Session  # noqa: F401
from portal.panel.models import Assignment, Conflict, Criterion, Decision, PanelMember, PanelSettings, Review, Score  # noqa: F401
from portal.mentoring.models import ExamplePortfolio, MatchingRun, Meeting, MenteeAreas, MentorProfile, Pairing, Progress, ProgressSection  # noqa: F401
from portal.reminders.models import AwardReminders  # noqa: F401
