"""The notice a round's closing sends: everyone whose proposal was still a draft is told, once each."""
from __future__ import annotations

from sqlalchemy import select

from portal.auth.models import Role, RoleGrant, User
from portal.extensions import db
from portal.outbox.services import queue_email
from portal.proposals.models import Proposal, ProposalState
from portal.rounds.models import Round
from portal.timeutil import format_local
from portal.web.links import absolute_url

LEADS_NAMED = 3


def _leads() -> list[tuple[str, str]]:
    return db.session.execute(
        select(User.name, User.email).join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == Role.LEAD, User.is_active_account.is_(True)).order_by(User.id)
        .limit(LEADS_NAMED)).all()


def tell_draft_owners(round_: Round) -> int:
    """Email each owner of a draft in the round that it closed before the draft was sent, what happens to it
    and who to contact; returns how many were queued.

    Essential (about their own proposal), so it goes whatever their reminder choice. Each draft is told
    once ever (dedupe key per proposal), however often the round closes or the job runs.
    Side effects: outbox messages.
    """
    rows = db.session.execute(
        select(Proposal.id, User).join(User, User.id == Proposal.user_id)
        .where(Proposal.round_id == round_.id, Proposal.state == ProposalState.DRAFT)
        .order_by(Proposal.id)).all()
    if not rows:
        return 0
    leads = _leads()
    contact = (" or ".join(f"{name} ({email})" for name, email in leads) if leads
               else "the programme lead")
    told = 0
    for proposal_id, user in rows:
        if not user.is_active:
            continue
        body = (f"Dear {user.name},\n\n"
                f"{round_.name} closed at {format_local(round_.closes_at)}. Your proposal was still a draft, "
                "so it was not sent and will not be considered in this round.\n\n"
                "Your text is kept; you can read it here: "
                + absolute_url("proposals.edit", proposal_id=proposal_id) + "\n\n"
                f"If something stopped you from sending it in time, contact {contact}.\n")
        if queue_email(user.email, f"{round_.name} has closed: your draft proposal was not sent", body,
                       kind="round-closed", dedupe_key=f"round-closed:{proposal_id}") is not None:
            told += 1
    return told
