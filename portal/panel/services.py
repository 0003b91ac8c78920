"""Every change the panel makes: set-up, conflicts, scores, abstentions, decisions, release, offers.

Each service checks its rule, writes an audit event and queues any email in the caller's
transaction; the view commits.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from portal.audit.services import record
from portal.auth.models import Role, User
from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.services import queue_email
from portal.panel import queries, rules, scoring
from portal.panel.models import (Aggregate, Assignment, Conflict, ConflictKind, Criterion, Decision, Outcome,
                                 PanelMember, PanelSettings, Review, Score)
from portal.proposals.models import Proposal, ProposalState
from portal.proposals.states import set_proposal_state
from portal.rounds.models import Round, RoundState
from portal.timeutil import format_local


class PanelError(Exception):
    """A change refused by a panel rule; field names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class FundingExceeded(PanelError):
    """Selecting this proposal would go over the places or the budget; needs the lead's confirmation."""


def ensure_settings(round_: Round) -> PanelSettings:
    """The round's stored settings, created with defaults on first change."""
    settings = queries.settings_for(round_)
    if settings.id is None:
        db.session.add(settings)
        db.session.flush()
    return settings


def _outcome_url(proposal: Proposal) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/panel/outcome/{proposal.id}"


# ---------------------------------------------------------------- set-up (lead)

def update_settings(actor, round_: Round, *, aggregate: str, reviewers_per_proposal: int | None,
                    same_department_conflict: bool, scoring_deadline: datetime | None, offer_days: int) -> PanelSettings:
    """Change how the round's panel works. Side effects: audit 'panel.settings'."""
    settings = ensure_settings(round_)
    if settings.released_at is not None:
        raise PanelError("Outcomes have been released; the panel settings can no longer change.")
    if reviewers_per_proposal is not None and reviewers_per_proposal < 1:
        raise PanelError("Choose at least one reviewer per proposal, or leave it empty for everyone.",
                         "reviewers_per_proposal")
    settings.aggregate = Aggregate(aggregate)
    settings.reviewers_per_proposal = reviewers_per_proposal
    settings.same_department_conflict = same_department_conflict
    settings.scoring_deadline = scoring_deadline
    settings.offer_days = offer_days
    record(actor, "panel.settings", round_, summary=f"Panel settings for {round_.name}: {aggregate}, "
           f"{reviewers_per_proposal or 'all'} reviewers per proposal")
    return settings


def set_members(actor, round_: Round, user_ids: set[int]) -> list[User]:
    """Make the round's panel exactly these people (each must hold the panel role).

    Side effects: assignments of people who leave the panel are removed; audit 'panel.members'.
    """
    people = list(db.session.scalars(select(User).options(selectinload(User.role_grants))
                                     .where(User.id.in_(user_ids)))) if user_ids else []
    if len(people) != len(user_ids) or any(Role.PANEL not in p.roles for p in people):
        raise PanelError("Only people with the panel role can sit on a panel.", "members")
    current = {m.user_id: m for m in db.session.scalars(select(PanelMember).where(PanelMember.round_id == round_.id))}
    for user_id, member in current.items():
        if user_id not in user_ids:
            db.session.delete(member)
            db.session.execute(delete(Assignment).where(Assignment.round_id == round_.id,
                                                        Assignment.user_id == user_id))
    for person in people:
        if person.id not in current:
            db.session.add(PanelMember(round_id=round_.id, user_id=person.id))
    db.session.flush()
    record(actor, "panel.members", round_, summary=f"Panel for {round_.name}: "
           + (", ".join(sorted(p.name for p in people)) or "nobody"))
    return people


def _check_rubric_editable(round_: Round) -> None:
    if not rules.is_rubric_editable(queries.score_count(round_.id), queries.settings_for(round_)):
        raise PanelError("The rubric is fixed once the first score has been entered.")


def _clean_labels(labels: list[str]) -> list[str]:
    labels = [(label or "").strip()[:120] for label in labels][:5]
    return labels + [""] * (5 - len(labels))


def save_criterion(actor, round_: Round, criterion: Criterion | None, *, name: str, description: str, weight: int,
                   counted_in_total: bool, labels: list[str]) -> Criterion:
    """Add or change a rubric criterion while no score exists. Side effects: audit 'panel.criterion'."""
    _check_rubric_editable(round_)
    if not name.strip():
        raise PanelError("Give the criterion a name.", "name")
    if weight < 0 or weight > 100:
        raise PanelError("A weight is a whole number from 0 to 100.", "weight")
    if criterion is None:
        position = db.session.scalar(select(func.coalesce(func.max(Criterion.position), -1))
                                     .where(Criterion.round_id == round_.id)) + 1
        criterion = Criterion(round_id=round_.id, position=position)
        db.session.add(criterion)
    criterion.name = name.strip()
    criterion.description = description.strip()
    criterion.weight = weight
    criterion.counted_in_total = counted_in_total
    criterion.labels = _clean_labels(labels)
    db.session.flush()
    record(actor, "panel.criterion", criterion, summary=f"Rubric of {round_.name}: {criterion.name} (weight {weight})")
    return criterion


def delete_criterion(actor, round_: Round, criterion: Criterion) -> None:
    """Remove a criterion while no score exists. Side effects: audit 'panel.criterion_deleted'."""
    _check_rubric_editable(round_)
    record(actor, "panel.criterion_deleted", criterion, summary=f"Rubric of {round_.name}: removed {criterion.name}")
    db.session.delete(criterion)
    db.session.flush()


def assign(actor, round_: Round) -> int:
    """Assign proposals to the panel: everyone to everything, or N reviewers per proposal, balanced.

    Conflicted pairs are never assigned. Members who have already started a review keep it.
    Side effects: replaces the round's assignments; audit 'panel.assigned'. Returns the number made.
    """
    settings = ensure_settings(round_)
    people = queries.members(round_.id)
    if not people:
        raise PanelError("Put people on the panel first.")
    props = queries.proposals(round_.id)
    conflicts = queries.conflict_map(round_, props, people, settings)
    started = {(r.reviewer_id, r.proposal_id) for r in db.session.scalars(
        select(Review).where(Review.round_id == round_.id))}
    db.session.execute(delete(Assignment).where(Assignment.round_id == round_.id))
    n = settings.reviewers_per_proposal
    load = {p.id: 0 for p in people}
    made: list[tuple[int, int]] = []
    # Proposals with the fewest eligible reviewers choose first, so they are not left short.
    eligible = {prop.id: [p for p in people if (p.id, prop.id) not in conflicts] for prop in props}
    for prop in sorted(props, key=lambda x: (len(eligible[x.id]), x.id)):
        candidates = eligible[prop.id]
        if n is None:
            chosen = candidates
        else:
            keep = [p for p in candidates if (p.id, prop.id) in started]
            rest = sorted((p for p in candidates if p not in keep), key=lambda p: (load[p.id], p.id))
            chosen = (keep + rest)[:max(n, len(keep))]
        for person in chosen:
            load[person.id] += 1
            made.append((person.id, prop.id))
    db.session.add_all(Assignment(round_id=round_.id, proposal_id=pid, user_id=uid) for uid, pid in made)
    db.session.flush()
    record(actor, "panel.assigned", round_, summary=f"{len(made)} assignments for {round_.name} "
           f"({'everyone' if n is None else f'{n} per proposal'})")
    return len(made)


def toggle_assignment(actor, proposal: Proposal, person: User) -> bool:
    """Assign or unassign one member by hand; conflicted pairs are refused. Returns whether now assigned."""
    settings = ensure_settings(proposal.round)
    if not queries.is_member(proposal.round_id, person.id):
        raise PanelError(f"{person.name} is not on this round's panel.")
    existing = db.session.scalar(select(Assignment).where(Assignment.proposal_id == proposal.id,
                                                          Assignment.user_id == person.id))
    if existing is not None:
        db.session.delete(existing)
        record(actor, "panel.unassigned", proposal, summary=f"{person.name} no longer reviews this proposal")
        return False
    if queries.conflict_for(person, proposal, settings) is not None:
        raise PanelError(f"{person.name} has a conflict of interest with this proposal.")
    db.session.add(Assignment(round_id=proposal.round_id, proposal_id=proposal.id, user_id=person.id))
    record(actor, "panel.assigned_one", proposal, summary=f"{person.name} reviews this proposal")
    return True


# ---------------------------------------------------------------- conflicts (member)

def declare_conflict(actor: User, proposal: Proposal, reason: str) -> Conflict:
    """A panel member declares a conflict with a proposal.

    Side effects: their assignment to it is removed; any earlier score is kept in the database
    but excluded from every page, export and total; audit 'panel.conflict_declared'.
    """
    settings = ensure_settings(proposal.round)
    if settings.released_at is not None:
        raise PanelError("Outcomes have been released; conflicts can no longer change.")
    if not queries.is_member(proposal.round_id, actor.id):
        raise PanelError("Only members of this round's panel declare conflicts.")
    existing = db.session.scalar(select(Conflict).where(Conflict.proposal_id == proposal.id,
                                                        Conflict.user_id == actor.id))
    if existing is not None:
        return existing
    conflict = Conflict(round_id=proposal.round_id, proposal_id=proposal.id, user_id=actor.id,
                        kind=ConflictKind.DECLARED, reason=reason.strip()[:500])
    db.session.add(conflict)
    db.session.execute(delete(Assignment).where(Assignment.proposal_id == proposal.id, Assignment.user_id == actor.id))
    db.session.flush()
    record(actor, "panel.conflict_declared", proposal, summary="Conflict of interest declared")
    return conflict


def withdraw_conflict(actor: User, proposal: Proposal) -> None:
    """Take back a declared conflict while scoring is open (automatic conflicts cannot be withdrawn).

    Side effects: the member is not re-assigned automatically; audit 'panel.conflict_withdrawn'.
    """
    settings = ensure_settings(proposal.round)
    if not rules.is_scoring_open(settings, proposal.round):
        raise PanelError("Scoring is closed; conflicts can no longer be withdrawn.")
    existing = db.session.scalar(select(Conflict).where(Conflict.proposal_id == proposal.id,
                                                        Conflict.user_id == actor.id))
    if existing is None:
        raise PanelError("There is no declared conflict to withdraw.")
    db.session.delete(existing)
    record(actor, "panel.conflict_withdrawn", proposal, summary="Declared conflict withdrawn")


# ---------------------------------------------------------------- scoring (member)

def _check_can_score(actor: User, proposal: Proposal) -> PanelSettings:
    settings = ensure_settings(proposal.round)
    if settings.released_at is not None:
        raise PanelError("Outcomes have been released; scores can no longer change.")
    if not rules.is_scoring_open(settings, proposal.round):
        raise PanelError("Scoring is closed; scores can no longer change.")
    if queries.conflict_for(actor, proposal, settings) is not None:
        raise PanelError("You have a conflict of interest with this proposal.")
    if not queries.is_assigned(proposal.id, actor.id):
        raise PanelError("This proposal is not assigned to you.")
    return settings


def record_review(actor: User, proposal: Proposal, values: dict[int, int | None], comment: str) -> Review:
    """Save a member's scores (1–5 per criterion) and comment for a proposal.

    Only the member's own Score rows are written (one per criterion), so two members saving at
    once never touch the same row. The review counts as submitted once every criterion has a
    value; saving scores ends an abstention. Side effects: audit 'panel.scored'.
    """
    _check_can_score(actor, proposal)
    crit = queries.criteria(proposal.round_id)
    if not crit:
        raise PanelError("The rubric has no criteria yet.")
    for c in crit:
        value = values.get(c.id)
        if value is not None and value not in (1, 2, 3, 4, 5):
            raise PanelError(f"{c.name}: choose a score from 1 to 5.", f"criterion_{c.id}")
    now = utcnow()
    review = queries.review_of(proposal.id, actor.id)
    if review is None:
        review = Review(round_id=proposal.round_id, proposal_id=proposal.id, reviewer_id=actor.id)
        db.session.add(review)
    existing = {s.criterion_id: s for s in db.session.scalars(
        select(Score).where(Score.proposal_id == proposal.id, Score.reviewer_id == actor.id))}
    for c in crit:
        value = values.get(c.id)
        row = existing.get(c.id)
        if value is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(Score(round_id=proposal.round_id, proposal_id=proposal.id, reviewer_id=actor.id,
                                 criterion_id=c.id, value=value, updated_at=now))
        elif row.value != value:
            row.value = value
            row.updated_at = now
    review.comment = comment.strip()[:5000]
    review.abstained = False
    review.abstain_reason = ""
    complete = all(values.get(c.id) is not None for c in crit)
    review.submitted_at = (review.submitted_at or now) if complete else None
    review.total = scoring.weighted_total(values, scoring.weights_of(crit)) if complete else None
    review.updated_at = now
    db.session.flush()
    record(actor, "panel.scored", proposal, summary="Scores saved" + ("" if complete else " (incomplete)"))
    return review


def abstain(actor: User, proposal: Proposal, reason: str) -> Review:
    """Abstain on a proposal (not a conflict; not a missing score). The reason is for the lead only.

    Side effects: the member's scores for it are removed; audit 'panel.abstained'.
    """
    _check_can_score(actor, proposal)
    if not reason.strip():
        raise PanelError("Say briefly why you abstain; only the lead sees it.", "reason")
    review = queries.review_of(proposal.id, actor.id)
    if review is None:
        review = Review(round_id=proposal.round_id, proposal_id=proposal.id, reviewer_id=actor.id)
        db.session.add(review)
    db.session.execute(delete(Score).where(Score.proposal_id == proposal.id, Score.reviewer_id == actor.id))
    review.abstained = True
    review.abstain_reason = reason.strip()[:500]
    review.submitted_at = None
    review.total = None
    review.updated_at = utcnow()
    db.session.flush()
    record(actor, "panel.abstained", proposal, summary="Abstained")
    return review


# ---------------------------------------------------------------- moderation (lead)

def close_scoring(actor, round_: Round) -> PanelSettings:
    """Close scoring: scores freeze and every member may see everyone's. Side effects: audit."""
    settings = ensure_settings(round_)
    if settings.scoring_closed_at is None:
        settings.scoring_closed_at = utcnow()
        record(actor, "panel.scoring_closed", round_, summary=f"Scoring closed for {round_.name}")
    return settings


def reopen_scoring(actor, round_: Round) -> PanelSettings:
    """Reopen scoring before outcomes are released. Side effects: audit."""
    settings = ensure_settings(round_)
    if settings.released_at is not None:
        raise PanelError("Outcomes have been released; scoring cannot reopen.")
    if settings.scoring_closed_at is not None:
        settings.scoring_closed_at = None
        record(actor, "panel.scoring_reopened", round_, summary=f"Scoring reopened for {round_.name}")
    return settings


def send_reminders(actor, round_: Round) -> int:
    """Email only the panel members with missing scores, with their count and the deadline.

    Side effects: one outbox message per member reminded; audit 'panel.reminded'. Returns the count.
    """
    table = queries.moderation(round_, details=False)
    missing = table.missing_by_member
    deadline = table.settings.scoring_deadline
    when = f"by {format_local(deadline)}" if deadline else "as soon as you can"
    sent = 0
    for person in table.members:
        count = missing.get(person.id, 0)
        if not count:
            continue
        noun = "proposal is" if count == 1 else "proposals are"
        queue_email(person.email, f"{round_.name}: {count} {noun} waiting for your scores",
                    f"Dear {person.name},\n\n{count} {noun} assigned to you in {round_.name} and not yet scored. "
                    f"Please score them {when}.\n\nYour queue: "
                    f"{current_app.config['BASE_URL'].rstrip('/')}/panel/rounds/{round_.id}/queue\n",
                    kind="panel.reminder")
        sent += 1
    record(actor, "panel.reminded", round_, summary=f"Reminded {sent} panel member(s) of missing scores")
    return sent


def decide(actor, proposal: Proposal, *, outcome: str, feedback: str, waitlist_position: int | None = None,
           confirm: bool = False) -> Decision:
    """Record the lead's decision on a proposal before release.

    Selecting beyond the funded places or the budget raises FundingExceeded unless confirm is
    true. A waitlisted proposal without a position goes to the end of the waitlist.
    Side effects: audit 'panel.decided' (who and when). The proposal's state changes at release.
    """
    round_ = proposal.round
    settings = ensure_settings(round_)
    if not rules.can_decide(settings):
        raise PanelError("Outcomes have been released; decisions can no longer change here.")
    if proposal.state not in queries.REVIEWABLE:
        raise PanelError("Only submitted proposals can be decided.")
    choice = Outcome(outcome)
    decided = queries.decisions(round_.id)
    current = decided.get(proposal.id)
    if choice == Outcome.SELECTED and not (current and current.holds_place):
        summary = queries.funding(round_, [line for line, _, _ in queries.proposal_lines(round_.id)], decided)
        fee = proposal.pathway.fee_pence if proposal.pathway else 0
        problems = []
        if summary.places is not None and summary.places_used + 1 > summary.places:
            problems.append(f"all {summary.places} funded places are already taken")
        if summary.budget is not None and summary.budget_used + fee > summary.budget:
            problems.append(f"the fee would take the budget {_pounds(summary.budget_used + fee - summary.budget)} over")
        if problems and not confirm:
            raise FundingExceeded("Selecting this proposal goes over the funding: " + " and ".join(problems)
                                  + ". Tick the confirmation to select it anyway.", "confirm")
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
    record(actor, "panel.decided", proposal, summary=f"{proposal.applicant.name}: {choice.label}"
           + (f" (waitlist {waitlist_position})" if choice == Outcome.WAITLISTED else ""),
           outcome=choice.value, confirmed_over_funding=bool(confirm))
    return current


def _pounds(pence: int) -> str:
    from portal.web.templating import money
    return money(pence)


_STATE_FOR = {Outcome.SELECTED: ProposalState.SELECTED, Outcome.WAITLISTED: ProposalState.WAITLISTED,
              Outcome.NOT_SELECTED: ProposalState.NOT_SELECTED}

_OUTCOME_TEXT = {
    Outcome.SELECTED: "You have been offered a funded place. Please accept or decline it on your outcome page.",
    Outcome.WAITLISTED: "You are on the waiting list (position {position}). If a place comes free we will email you.",
    Outcome.NOT_SELECTED: "We are sorry: you have not been offered a place this time.",
}


def release(actor, round_: Round) -> int:
    """Release outcomes: every decided proposal takes its outcome state and each applicant is emailed.

    Refused while any proposal under review is undecided. Scoring closes; the round moves to
    decided when its state allows. Side effects: proposal states via set_proposal_state (audited),
    one outbox email per applicant, audit 'panel.released'. Returns the number of applicants told.
    """
    settings = ensure_settings(round_)
    if settings.released_at is not None:
        raise PanelError("Outcomes have already been released.")
    props = queries.proposals(round_.id)
    decided = queries.decisions(round_.id)
    undecided = [p for p in props if p.id not in decided and p.state == ProposalState.SUBMITTED]
    if undecided:
        raise PanelError(f"{len(undecided)} proposal(s) still need a decision before outcomes can be released.")
    if not props:
        raise PanelError("There are no proposals to release outcomes for.")
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
        from portal.rounds.services import set_round_state
        set_round_state(actor, round_, RoundState.DECIDED)
    record(actor, "panel.released", round_, summary=f"Outcomes released for {round_.name} to {told} applicant(s)")
    return told


# ---------------------------------------------------------------- after release (applicant)

def accept_place(actor: User, proposal: Proposal) -> Decision:
    """The applicant accepts their place. Side effects: audit 'panel.place_accepted'."""
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
    decision = queries.decision_for(proposal.id)
    settings = queries.settings_for(proposal.round)
    if not rules.can_respond_to_place(actor, proposal, decision, settings):
        raise PanelError("There is no place waiting for your answer.")
    decision.declined_at = utcnow()
    set_proposal_state(proposal, ProposalState.DECLINED, actor, summary=f"{actor.name} declined the place")
    return promote_next(actor, proposal.round, settings)


def promote_next(actor, round_: Round, settings: PanelSettings) -> Decision | None:
    """Offer a freed place to the first proposal still waiting on the waitlist, by email with an accept-by date."""
    for decision in queries.waitlist(round_.id):
        proposal = decision.proposal
        if proposal.state != ProposalState.WAITLISTED:
            continue
        now = utcnow()
        decision.outcome = Outcome.SELECTED
        decision.offered_at = now
        decision.accept_by = now + timedelta(days=settings.offer_days or 14)
        decision.waitlist_position = None
        set_proposal_state(proposal, ProposalState.SELECTED, actor, summary="Offered a place from the waitlist")
        queue_email(proposal.applicant.email, f"{round_.name}: a funded place is available for you",
                    f"Dear {proposal.applicant.name},\n\nA funded place has come free and it is offered to you. "
                    f"Please accept or decline it by {format_local(decision.accept_by)} on your outcome page: "
                    f"{_outcome_url(proposal)}\n", kind="panel.offer")
        record(actor, "panel.place_offered", proposal,
               summary=f"Place offered to {proposal.applicant.name}, accept by {format_local(decision.accept_by)}")
        return decision
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
    settings = ensure_settings(round_)
    if settings.released_at is None:
        raise PanelError("Outcomes have not been released yet.")
    now = now or utcnow()
    lapsed = _unanswered_offers(round_, now)
    for decision in lapsed:
        decision.declined_at = now
        set_proposal_state(decision.proposal, ProposalState.DECLINED, actor,
                           summary=f"Offer lapsed: not accepted by {format_local(decision.accept_by)}")
        promote_next(actor, round_, settings)
    record(actor, "panel.offers_lapsed", round_, summary=f"{len(lapsed)} offer(s) lapsed in {round_.name}")
    return len(lapsed)
