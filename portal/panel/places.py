"""Places after release: what a decline would do, the places declined and where they went, and the lead undoing a decline.

The services take the round lock first (deciding.lock_round), as every change to who holds a place does.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload

from portal.audit.services import record
from portal.extensions import db
from portal.outbox.services import queue_email
from portal.panel import deciding, funding, queries, rules
from portal.panel.errors import PanelError
from portal.panel.models import Decision, Outcome
from portal.proposals.models import Proposal, ProposalState
from portal.proposals.states import set_proposal_state
from portal.rounds.models import Round
from portal.timeutil import format_local
from portal.web.links import absolute_url


@dataclass(frozen=True)
class DeclinePreview:
    """What declining a place would do: who the place would go to (None: nobody) and how many wait."""

    offer_on: Decision | None
    waiting: int

    def sentence(self) -> str:
        """What the applicant is told before they confirm (never another applicant's name)."""
        if self.offer_on is not None:
            return "Your place will be offered to the next person on the waiting list whose place fits the funding."
        if self.waiting:
            return ("Nobody on the waiting list fits the funding left, so your place will not be offered on: "
                    "the programme lead will be told.")
        return "Nobody is on the waiting list, so your place will not be offered on: the programme lead will be told."


def decline_preview(proposal: Proposal) -> DeclinePreview:
    """What decline_place would do now: the funding with this place given up, and next_in_line within it."""
    summary = funding.round_funding(proposal.round).freeing(proposal.pathway.fee_pence if proposal.pathway else 0)
    waiting = [d for d in queries.waitlist(proposal.round_id) if d.proposal.state == ProposalState.WAITLISTED]
    return DeclinePreview(offer_on=deciding.next_in_line(proposal.round, summary), waiting=len(waiting))


@dataclass(frozen=True)
class FreedPlace:
    """A place given up after release (declined, or an offer left to lapse) and the offer that took it, if any."""

    decision: Decision
    offer_on: Decision | None
    undoable: bool


def freed_places(round_: Round, settings) -> list[FreedPlace]:
    """The round's places given up, latest first, each with the offer that took it (two joined reads in one query)."""
    offer = aliased(Decision)
    rows = db.session.execute(
        select(Decision, offer).outerjoin(offer, offer.place_from_id == Decision.id)
        .options(joinedload(Decision.proposal).joinedload(Proposal.applicant),
                 joinedload(offer.proposal).joinedload(Proposal.applicant))
        .where(Decision.round_id == round_.id, Decision.declined_at.is_not(None))
        .order_by(Decision.declined_at.desc(), Decision.id)).unique().all()
    return [FreedPlace(decision, offer_on, rules.can_undo_decline(settings, decision, offer_on))
            for decision, offer_on in rows]


def undo_decline(actor, decision: Decision) -> Decision:
    """The lead undoes an applicant's decline while the place's offer is still open (rules.can_undo_decline).

    The offer that took the place is withdrawn: that proposal goes back to the waitlist at its position and
    its applicant is told. With no offer made, the place comes back only if it still fits the funding (another
    offer may have used it). The decliner's proposal is selected again and they are told.
    Side effects: proposal states via set_proposal_state, up to two emails, audit 'panel.offer_withdrawn'
    and 'panel.decline_undone'.
    """
    round_ = deciding.lock_round(decision.proposal.round)
    decision = queries.decision_for(decision.proposal_id)
    settings = queries.settings_for(round_)
    offer_on = queries.offer_from(decision.id)
    proposal = decision.proposal
    if not rules.can_undo_decline(settings, decision, offer_on):
        if offer_on is not None and offer_on.accepted_at is not None:
            raise PanelError(f"{offer_on.proposal.applicant.name} has already accepted the place, "
                             "so the decline can no longer be undone.")
        if offer_on is not None:
            raise PanelError("The place has passed further down the waitlist since, "
                             "so the decline can no longer be undone.")
        raise PanelError("There is no decline to undo here.")
    if offer_on is not None:
        _withdraw_offer(actor, round_, offer_on, proposal)
    else:
        summary = funding.round_funding(round_)
        fee = proposal.pathway.fee_pence if proposal.pathway else 0
        if not funding.fits(summary, fee):
            raise PanelError("The place has been used since: restoring it would go over the funding ("
                             + " and ".join(funding.over_funding(summary, fee)) + ").")
    decision.declined_at = None
    set_proposal_state(proposal, ProposalState.SELECTED, actor, summary="Decline undone by the lead")
    queue_email(proposal.applicant.email, f"{round_.name}: your place has been restored",
                f"Dear {proposal.applicant.name},\n\nThe programme lead has undone the decline of your funded "
                f"place, so the place is yours again. Please accept or decline it on your outcome page: "
                f"{absolute_url('panel.outcome', proposal_id=proposal.id)}\n", kind="panel.place_restored")
    record(actor, "panel.decline_undone", proposal, summary=f"Decline by {proposal.applicant.name} undone"
           + (f"; the offer to {offer_on.proposal.applicant.name} withdrawn" if offer_on is not None else ""))
    return decision


def _withdraw_offer(actor, round_: Round, offer_on: Decision, restored: Proposal) -> None:
    offered = offer_on.proposal
    made = offer_on.offered_at
    offer_on.outcome = Outcome.WAITLISTED
    offer_on.offered_at = None
    offer_on.accept_by = None
    offer_on.place_from_id = None
    set_proposal_state(offered, ProposalState.WAITLISTED, actor, summary="Offer withdrawn: the decline was undone")
    position = f" at position {offer_on.waitlist_position}" if offer_on.waitlist_position else ""
    queue_email(offered.applicant.email, f"{round_.name}: the place offered to you has been withdrawn",
                f"Dear {offered.applicant.name},\n\nWe are sorry: the funded place offered to you on "
                f"{format_local(made)} has been withdrawn, because the person who had declined it has taken it "
                f"back. You are on the waiting list again{position}, and we will email you if a place comes "
                f"free.\n\nYour outcome page: {absolute_url('panel.outcome', proposal_id=offered.id)}\n",
                kind="panel.offer_withdrawn")
    record(actor, "panel.offer_withdrawn", offered,
           summary=f"Offer to {offered.applicant.name} withdrawn: {restored.applicant.name}'s decline undone")


def waiting_for(round_: Round) -> list[Decision]:
    """The round's waitlisted proposals still waiting, in offer order: who a lead may offer a freed place to."""
    return [d for d in queries.waitlist(round_.id) if d.proposal.state == ProposalState.WAITLISTED]


def offer_over_funding(actor, freed: Decision, to_proposal_id: int | None, *, confirm: bool) -> Decision:
    """The lead offers a place that nobody on the waitlist fitted to a waitlisted proposal of their choice.

    Going over the funded places or the budget needs the lead's confirmation (funding.check_selection, as when
    deciding). Side effects: deciding.offer_place's (state, email, audit), and audit 'panel.offer_over_funding'
    naming the limits the lead went past.
    """
    round_ = deciding.lock_round(freed.proposal.round)
    freed = queries.decision_for(freed.proposal_id)
    settings = queries.settings_for(round_)
    if not rules.is_place_unfilled(settings, freed, queries.offer_from(freed.id)):
        raise PanelError("This place is not waiting to be offered.")
    chosen = next((d for d in waiting_for(round_) if d.proposal_id == to_proposal_id), None)
    if chosen is None:
        raise PanelError("Choose someone still on the waiting list.", "to")
    summary = funding.round_funding(round_)
    fee = chosen.proposal.pathway.fee_pence if chosen.proposal.pathway else 0
    funding.check_selection(summary, fee, confirm=confirm)
    over = funding.over_funding(summary, fee)
    deciding.offer_place(actor, round_, settings, freed, chosen)
    record(actor, "panel.offer_over_funding", chosen.proposal,
           summary=f"{freed.proposal.applicant.name}'s place offered to {chosen.proposal.applicant.name} by the lead"
           + (f" over the funding ({' and '.join(over)}), confirmed" if over else ""), confirmed_over_funding=bool(over))
    return chosen
