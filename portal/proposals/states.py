"""The one place a proposal changes state; every caller (proposals, panel, retention) goes through it."""
from __future__ import annotations

from portal.audit.services import record
from portal.db_types import utcnow
from portal.errors import ServiceError
from portal.proposals.models import Proposal, ProposalState as S

# Which states may follow which.
TRANSITIONS: dict[S, set[S]] = {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.WITHDRAWN, S.SELECTED, S.WAITLISTED, S.NOT_SELECTED},
    S.WITHDRAWN: set(),
    S.SELECTED: {S.DECLINED, S.WAITLISTED, S.NOT_SELECTED},
    S.WAITLISTED: {S.SELECTED, S.NOT_SELECTED, S.WITHDRAWN},
    S.NOT_SELECTED: {S.SELECTED, S.WAITLISTED},
    S.DECLINED: {S.SELECTED},  # the lead undoes a decline (panel/places.py undo_decline)
}


class TransitionError(ServiceError):
    """The proposal cannot move to the requested state from where it is."""


def can_transition(proposal: Proposal, to: S) -> bool:
    return to in TRANSITIONS[proposal.state]


def set_proposal_state(proposal: Proposal, to: S, actor, summary: str = "") -> Proposal:
    """Move a proposal to a new state, stamp the time and write the audit event.

    Side effects: submitted_at / withdrawn_at / decided_at are set; an audit event
    'proposal.<state>' is added. Emails are the caller's business (they differ by flow).
    Raises TransitionError for a move the state machine does not allow.
    """
    if not can_transition(proposal, to):
        raise TransitionError(f"A {proposal.state.label.lower()} proposal cannot become {to.label.lower()}.")
    previous = proposal.state
    now = utcnow()
    proposal.state = to
    if to == S.SUBMITTED:
        proposal.submitted_at = now
    elif to == S.WITHDRAWN:
        proposal.withdrawn_at = now
        # Frees the person's one live slot in the round, so they may start again while it is open.
        proposal.active_slot = None
    elif to in {S.SELECTED, S.WAITLISTED, S.NOT_SELECTED}:
        proposal.decided_at = now
    record(actor, f"proposal.{to.value}", proposal, summary=summary or f"{previous.value} -> {to.value}",
           previous=previous.value)
    return proposal
