"""Who takes part in which round, as the schedule needs it for its audiences (handed over in portal/blueprints.py)."""
from __future__ import annotations

from sqlalchemy import Select, select

from portal.proposals.models import Proposal, ProposalState


def participation(user_id: int) -> Select:
    """The rounds the person sent a proposal to (in any state but draft), each with whether they were
    selected, i.e. are in its cohort: rows of (round id, in cohort?).

    A statement, not its rows: the schedule reads it in the same one query as the rest of what decides
    which sessions the person may see.
    """
    return select(Proposal.round_id, Proposal.state == ProposalState.SELECTED).where(
        Proposal.user_id == user_id, Proposal.state != ProposalState.DRAFT)
