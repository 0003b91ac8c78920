"""Outcomes: the lead's decisions, their release to applicants, and the places offered on from the waitlist.

Each service checks its rule, writes an audit event and queues any email in the caller's
transaction; the view commits. Every service that reads or changes who holds a place locks the
round first (lock_round), so two leads deciding at once, or a decline racing a decision, a lapse or an
acceptance, take turns and the second sees what the first did.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from portal.audit.services import record
from portal.auth.models import User
from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.services import queue_email
from portal.panel import funding, queries, rules
from portal.panel.errors import PanelError
from portal.panel.models import Decision, Outcome, PanelSettings
from portal.panel.setting_up import ensure_settings
from portal.proposals.models import Proposal, ProposalState
from portal.proposals.states import set_proposal_state
from portal.rounds.models import Round, RoundState
from portal.rounds.services import set_round_state
from portal.timeutil import format_local
from portal.web.links import absolute_url
from portal.web.templating import money


def lock_round(round_: Round) -> Round:
    """Serialise changes to one round's places and budget, and re-read the round.

    As schedule/bookings.py lock_session: an UPDATE that touches the row takes PostgreSQL's row lock and,
    as the transaction's first write, SQLite's write lock. Reads after it see the other side's commit.
    """
    db.session.execute(update(Round).where(Round.id == round_.id).values(funded_places=Round.funded_places)
                       .execution_options(synchronize_session=False))
    db.session.refresh(round_)
    return round_


def _outcome_url(proposal: Proposal) -> str:
    return absolute_url("panel.outcome", proposal_id=proposal.id)


def decide(actor, proposal: Proposal, *, outcome: str, feedback: str, waitlist_position: int | None = None,
           confirm: bool = False) -> Decision:
    """Record the lead's decision on a proposal before release.

    Selecting beyond the funded places or the budget raises FundingExceeded unless confirm is
    true (funding.check_selection). A waitlisted proposal without a position goes to the end of the waitlist.
    Side effects: audit 'panel.decided' (who and when). The proposal's state changes at release.
    """
    round_ = lock_round(proposal.round)
    db.session.refresh(proposal)
    settings = ensure_settings(round_)
    if not rules.can_decide(settings):
        raise PanelError("Outcomes have been released; decisions can no longer change here.")
    if proposal.state not in queries.REVIEWABLE:
        raise PanelError("Only submitted proposals can be decided.")
    choice = Outcome(outcome)
    decided = queries.decisions(round_.id)
    current = decided.get(proposal.id)
    over = False
    if choice == Outcome.SELECTED and not (current and current.holds_place):
        summary, fee = funding.round_funding(round_), proposal.pathway.fee_pence if proposal.pathway else 0
        funding.check_selection(summary, fee, confirm=confirm)
        over = not funding.fits(summary, fee)
    if choice == Outcome.WAITLISTED and waitlist_position is None:
        positions = [d.waitlist_position or 0 for d in decided.values()
                     if d.outcome == Outcome.WAITLISTED and d.proposal_id != proposal.id]
        waitlist_position = max(positions, default=0) + 1
    if current is None:
        current = Decision(round_id=round_.id, proposal_id=proposal.id, outcome=choice)
        db.session.add(current)
    current.outcome = choice
    current.feedback = feedback.strip()[:5000]
    current.waitlist_position = waitlist_position if choice == Outcome.WAITLISTED else None
    current.decided_by_id = actor.id
    current.decided_at = utcnow()
    db.session.flush()
    # The lead's override is the only way past the funding, so the audit says when it was used.
    record(actor, "panel.decided", proposal, summary=f"{proposal.applicant.name}: {choice.label}"
           + (f" (waitlist {waitlist_position})" if choice == Outcome.WAITLISTED else "")
           + (" over the funding, confirmed by the lead" if over else ""),
           outcome=choice.value, confirmed_over_funding=over)
    return current


_STATE_FOR = {Outcome.SELECTED: ProposalState.SELECTED, Outcome.WAITLISTED: ProposalState.WAITLISTED,
              Outcome.NOT_SELECTED: ProposalState.NOT_SELECTED}

_OUTCOME_TEXT = {
    Outcome.SELECTED: "You have been offered a funded place. Please accept or decline it on your outcome page.",
    Outcome.WAITLISTED: "You are on the waiting list (position {position}). If a place comes free we will email you.",
    Outcome.NOT_SELECTED: "We are sorry: you have not been offered a place this time.",
}


@dataclass(frozen=True)
class ReleaseSummary:
    """What releasing a round's outcomes would do now: how many applicants are told which outcome."""

    selected: int
    waitlisted: int
    not_selected: int
    undecided: int
    scoring_open: bool

    @property
    def told(self) -> int:
        return self.selected + self.waitlisted + self.not_selected

    def sentence(self) -> str:
        """"3 applicants will be emailed: 1 selected, 1 waitlisted, 1 not selected"."""
        parts = [f"{n} {label}" for n, label in ((self.selected, "selected"), (self.waitlisted, "waitlisted"),
                                                 (self.not_selected, "not selected")) if n]
        noun = "applicant" if self.told == 1 else "applicants"
        return f"{self.told} {noun} will be emailed: " + ", ".join(parts) if parts else "Nobody will be emailed."


def release_summary(round_: Round, settings: PanelSettings, props: list[Proposal] | None = None,
                    decided: dict[int, Decision] | None = None) -> ReleaseSummary:
    """Count what release would send (the confirmation page and release itself read the same numbers)."""
    props = queries.proposals(round_.id) if props is None else props
    decided = queries.decisions(round_.id) if decided is None else decided
    outcomes = [decided[p.id].outcome for p in props if p.id in decided]
    return ReleaseSummary(selected=outcomes.count(Outcome.SELECTED), waitlisted=outcomes.count(Outcome.WAITLISTED),
                          not_selected=outcomes.count(Outcome.NOT_SELECTED),
                          undecided=sum(1 for p in props if p.id not in decided and p.state == ProposalState.SUBMITTED),
                          scoring_open=rules.is_scoring_open(settings, round_, utcnow()))


def release(actor, round_: Round, *, override_open_scoring: bool = False, expected: int | None = None) -> int:
    """Release outcomes: every decided proposal takes its outcome state and each applicant is emailed.

    Refused while any proposal under review is undecided, and while scoring is still open unless the lead
    overrides it (release then closes scoring; the audit says so). With expected (the number of applicants
    the confirmation page said would be told), refused when the decisions changed since. Scoring closes;
    the round moves to decided when its state allows. Side effects: proposal states via set_proposal_state
    (audited), one outbox email per applicant, audit 'panel.released'. Returns the number of applicants told.
    """
    lock_round(round_)
    settings = ensure_settings(round_)
    if settings.released_at is not None:
        raise PanelError("Outcomes have already been released.")
    props = queries.proposals(round_.id)
    decided = queries.decisions(round_.id)
    summary = release_summary(round_, settings, props, decided)
    if summary.undecided:
        raise PanelError(f"{summary.undecided} proposal(s) still need a decision before outcomes can be released.")
    if not props:
        raise PanelError("There are no proposals to release outcomes for.")
    if summary.scoring_open and not override_open_scoring:
        raise PanelError("Scoring is still open. Close scoring first, or tick the box to release anyway.",
                         "override_open_scoring")
    if expected is not None and expected != summary.told:
        raise PanelError(f"The decisions changed since this page was shown: {summary.sentence()} "
                         "Check and confirm again.")
    now = utcnow()
    settings.scoring_closed_at = settings.scoring_closed_at or now
    settings.released_at = now
    told = 0
    for proposal in props:
        decision = decided.get(proposal.id)
        if decision is None:
            continue
        target = _STATE_FOR[decision.outcome]
        if proposal.state != target:
            set_proposal_state(proposal, target, actor, summary=f"Outcome released: {decision.outcome.label}")
        text = _OUTCOME_TEXT[decision.outcome].format(position=decision.waitlist_position or "")
        feedback = f"\n\nFeedback from the panel:\n{decision.feedback}" if decision.feedback else ""
        queue_email(proposal.applicant.email, f"{round_.name}: the outcome of your proposal",
                    f"Dear {proposal.applicant.name},\n\n{text}{feedback}\n\nYour outcome page: "
                    f"{_outcome_url(proposal)}\n", kind="panel.outcome", dedupe_key=f"panel-outcome-{proposal.id}")
        told += 1
    if round_.state == RoundState.IN_REVIEW:
        set_round_state(actor, round_, RoundState.DECIDED)
    record(actor, "panel.released", round_, summary=f"Outcomes released for {round_.name} to {told} applicant(s)"
           + (", scoring still open: overridden by the lead" if summary.scoring_open else ""),
           scoring_open_overridden=summary.scoring_open)
    return told


# ---------------------------------------------------------------- after release (applicant)

def accept_place(actor: User, proposal: Proposal) -> Decision:
    """The applicant accepts their place (the round locked: an offer lapsing at that moment waits).

    Side effects: audit 'panel.place_accepted'.
    """
    lock_round(proposal.round)
    db.session.refresh(proposal)
    decision = queries.decision_for(proposal.id)
    settings = queries.settings_for(proposal.round)
    if not rules.can_respond_to_place(actor, proposal, decision, settings):
        raise PanelError("There is no place waiting for your answer.")
    decision.accepted_at = utcnow()
    record(actor, "panel.place_accepted", proposal, summary=f"{actor.name} accepted a place")
    return decision


def decline_place(actor: User, proposal: Proposal) -> Decision | None:
    """The applicant declines their place; the next waitlisted proposal is offered it.

    Side effects: proposal -> declined (audited); the first waitlisted proposal (by position)
    becomes selected with an accept-by date and gets an offer email. Returns the promoted
    decision, or None when the waitlist is empty.
    """
    lock_round(proposal.round)
    db.session.refresh(proposal)
    decision = queries.decision_for(proposal.id)
    settings = queries.settings_for(proposal.round)
    if not rules.can_respond_to_place(actor, proposal, decision, settings):
        raise PanelError("There is no place waiting for your answer.")
    decision.declined_at = utcnow()
    set_proposal_state(proposal, ProposalState.DECLINED, actor, summary=f"{actor.name} declined the place")
    db.session.flush()
    return promote_next(actor, proposal.round, settings, decision)


def _fee(proposal: Proposal) -> int:
    return proposal.pathway.fee_pence if proposal.pathway else 0


def next_in_line(round_: Round, summary: funding.Funding) -> Decision | None:
    """The waitlisted decision a freed place goes to: the first still waiting (by position) whose place fits
    both the funded places and the budget left in summary (funding.fits), or None when nobody fits."""
    for decision in queries.waitlist(round_.id):
        if decision.proposal.state == ProposalState.WAITLISTED and funding.fits(summary, _fee(decision.proposal)):
            return decision
    return None


def offer_place(actor, round_: Round, settings: PanelSettings, freed: Decision | None, decision: Decision) -> Decision:
    """Offer a place to a waitlisted proposal, by email with an accept-by date (the caller holds the round lock
    and has checked the funding). freed is the decision whose place it takes. Side effects: proposal -> selected
    (audited), the offer email, audit 'panel.place_offered'."""
    proposal = decision.proposal
    now = utcnow()
    decision.outcome = Outcome.SELECTED
    decision.offered_at = now
    decision.accept_by = now + timedelta(days=settings.offer_days or 14)
    decision.place_from_id = freed.id if freed is not None else None
    # The position stays on the decision, so withdrawing the offer (undo_decline) puts it back where it was.
    set_proposal_state(proposal, ProposalState.SELECTED, actor, summary="Offered a place from the waitlist")
    queue_email(proposal.applicant.email, f"{round_.name}: a funded place is available for you",
                f"Dear {proposal.applicant.name},\n\nA funded place has come free and it is offered to you. "
                f"Please accept or decline it by {format_local(decision.accept_by)} on your outcome page: "
                f"{_outcome_url(proposal)}\n", kind="panel.offer")
    record(actor, "panel.place_offered", proposal,
           summary=f"Place offered to {proposal.applicant.name}, accept by {format_local(decision.accept_by)}")
    return decision


def promote_next(actor, round_: Round, settings: PanelSettings, freed: Decision | None = None) -> Decision | None:
    """Offer a freed place to next_in_line (the first waiting whose place fits the funding left), or, when
    nobody fits (or nobody waits), tell the leads by email; the moderation page then lists the place as not
    offered on. The caller holds the round lock and has flushed the freeing change. Side effects:
    offer_place's, or one email per lead and audit 'panel.place_unfilled'. Returns the offered decision or None."""
    summary = funding.round_funding(round_)
    chosen = next_in_line(round_, summary)
    if chosen is not None:
        return offer_place(actor, round_, settings, freed, chosen)
    waiting = sum(1 for d in queries.waitlist(round_.id) if d.proposal.state == ProposalState.WAITLISTED)
    who = freed.proposal.applicant.name if freed is not None else "An applicant"
    left = (f"{summary.places_left} place(s) and " if summary.places is not None else "") + (
        f"{money(summary.budget_left)} of the budget left" if summary.budget is not None else "no budget limit")
    why = (f"nobody on the waitlist fits the funding ({left})" if waiting else "nobody is on the waitlist")
    text = f"{who}'s place in {round_.name} came free, but {why}, so it has not been offered to anyone"
    for lead in queries.lead_recipients():
        queue_email(lead.email, f"{round_.name}: a freed place could not be offered on",
                    f"Dear {lead.name},\n\n{text}.\n\nThe moderation page: "
                    f"{absolute_url('panel.moderation', round_id=round_.id)}\n", kind="panel.place_unfilled")
    record(actor, "panel.place_unfilled", round_, summary=text + ".", waiting=waiting)
    return None


def _unanswered_offers(round_: Round, now: datetime) -> list[Decision]:
    """Places offered and neither accepted nor declined by their accept-by date, earliest date first."""
    return sorted((d for d in queries.decisions(round_.id).values()
                   if d.offered_at is not None and d.accept_by is not None and d.accept_by < now
                   and d.accepted_at is None and d.declined_at is None and d.proposal.state == ProposalState.SELECTED),
                  key=lambda d: d.accept_by)


def lapse_due_offers(now: datetime | None = None) -> int:
    """The scheduled job: in every round whose outcomes are out, lapse the unanswered offers past their
    accept-by date and offer each freed place on (lapse_offers, with no person as the actor).
    Rounds with nothing due are left untouched (no audit entry). Returns how many offers lapsed."""
    now = now or utcnow()
    released = db.session.scalars(select(Round).join(PanelSettings, PanelSettings.round_id == Round.id)
                                  .where(PanelSettings.released_at.is_not(None)).order_by(Round.id))
    return sum(lapse_offers(None, round_, now) for round_ in released if _unanswered_offers(round_, now))


def lapse_offers(actor, round_: Round, now: datetime | None = None) -> int:
    """Offers from the waitlist not answered by their accept-by date lapse; each freed place goes to the next.

    Side effects: a lapsed proposal becomes declined (audited, 'Offer lapsed'), and promote_next
    offers the place on with its own email and date. Returns how many offers lapsed.
    """
    lock_round(round_)
    settings = ensure_settings(round_)
    if settings.released_at is None:
        raise PanelError("Outcomes have not been released yet.")
    now = now or utcnow()
    lapsed = _unanswered_offers(round_, now)
    for decision in lapsed:
        decision.declined_at = now
        decision.lapsed_at = now
        set_proposal_state(decision.proposal, ProposalState.DECLINED, actor,
                           summary=f"Offer lapsed: not accepted by {format_local(decision.accept_by)}")
        db.session.flush()
        promote_next(actor, round_, settings, decision)
    record(actor, "panel.offers_lapsed", round_, summary=f"{len(lapsed)} offer(s) lapsed in {round_.name}")
    return len(lapsed)
