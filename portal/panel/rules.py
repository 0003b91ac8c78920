"""Panel predicates: conflicts of interest, who may score or see what, when things may change. Pure."""
from __future__ import annotations

from datetime import datetime

from portal.proposals.models import ProposalState
from portal.rounds.models import RoundState
from portal.rounds.rules import phase

SCORING_ROUND_STATES = {RoundState.CLOSED, RoundState.IN_REVIEW}
MODERATION_ROUND_STATES = {RoundState.DECIDED, RoundState.RUNNING, RoundState.ARCHIVED}


def _norm(text: str | None) -> str:
    return (text or "").strip().lower()


def member_conflict_keys(member, same_department: bool) -> list[tuple[tuple, str]]:
    """The facts that put a panel member in conflict with a proposal that shares them, each with its
    reason, in order of precedence (the first shared one is the reason given)."""
    keys = [(("person", member.id), "This is your own proposal."),
            (("manager", member.id), "You are the applicant's line manager."),
            (("manager email", _norm(member.email)), "You are named as the applicant's line manager.")]
    if same_department and _norm(member.department):
        keys.append((("department", _norm(member.department)), "The applicant is in your department."))
    return keys


def proposal_conflict_keys(proposal, applicant, same_department: bool) -> set[tuple]:
    """The facts of a proposal that a conflicted member would share (see member_conflict_keys)."""
    keys = {("person", proposal.user_id), ("manager email", _norm(proposal.line_manager_email))}
    if applicant is not None and applicant.line_manager_id is not None:
        keys.add(("manager", applicant.line_manager_id))
    if same_department:
        department = _norm(proposal.department or (applicant.department if applicant is not None else ""))
        if department:
            keys.add(("department", department))
    return keys


def automatic_conflict_reason(member, proposal, applicant, same_department: bool) -> str | None:
    """Why a panel member may not review a proposal without having to say so, or None.

    Their own proposal; the applicant's line manager (on the account or named on the
    proposal by email); the applicant's department when the round treats that as a conflict.
    """
    shared = proposal_conflict_keys(proposal, applicant, same_department)
    return next((reason for key, reason in member_conflict_keys(member, same_department) if key in shared), None)


def _round_state(round_, now: datetime | None) -> RoundState:
    """The round's state at now (a round past its closing time is closed though no job has stored it yet),
    or as stored when no time is given."""
    return round_.state if now is None else phase(round_, now)


def is_scoring_open(settings, round_, now: datetime | None = None) -> bool:
    """Scores may be entered or changed: the round is closed or in review (at now, when given), scoring not
    closed, outcomes not released."""
    return (_round_state(round_, now) in SCORING_ROUND_STATES and settings.scoring_closed_at is None
            and settings.released_at is None)


def is_in_moderation(settings, round_, now: datetime | None = None) -> bool:
    """The lead has closed scoring (or the round has moved on): blindness ends for everyone."""
    return settings.scoring_closed_at is not None or settings.released_at is not None \
        or _round_state(round_, now) in MODERATION_ROUND_STATES


def can_see_other_scores(settings, round_, own_review, now: datetime | None = None) -> bool:
    """Blind scoring: others' scores only after one's own review is complete, or once moderation starts."""
    if is_in_moderation(settings, round_, now):
        return True
    return own_review is not None and own_review.submitted_at is not None and not own_review.abstained


def is_rubric_editable(score_count: int, settings) -> bool:
    """The rubric is fixed from the first score on (changing it would change what earlier scores meant)."""
    return score_count == 0 and settings.released_at is None


def can_decide(settings) -> bool:
    """Decisions can be made and changed until outcomes are released."""
    return settings.released_at is None


def can_view_outcome(user, proposal) -> bool:
    """An outcome page is the applicant's own (and the leads')."""
    return user.is_authenticated and (proposal.user_id == user.id or user.is_lead)


def can_respond_to_place(user, proposal, decision, settings) -> bool:
    """The applicant may accept or decline a place offered to them, once outcomes are out."""
    return (settings is not None and settings.released_at is not None and decision is not None
            and proposal.user_id == user.id and proposal.state == ProposalState.SELECTED
            and decision.holds_place and decision.accepted_at is None)


def can_undo_decline(settings, decision, offer_on) -> bool:
    """The lead may undo an applicant's decline until the person offered the place has answered: the offer
    (offer_on, or None when the place went to nobody) is still open. A lapsed offer is no decline to undo."""
    return (settings is not None and settings.released_at is not None and decision is not None
            and decision.declined_at is not None and decision.lapsed_at is None
            and (offer_on is None or (offer_on.accepted_at is None and offer_on.declined_at is None)))


def scoring_stage(settings, round_, now: datetime | None = None) -> str:
    """Where scoring stands: "not yet" before the round has closed to proposals, "open" while scores may
    change (is_scoring_open), "closed" once the lead closed it or moderation began."""
    if is_scoring_open(settings, round_, now):
        return "open"
    if is_in_moderation(settings, round_, now) or _round_state(round_, now) in SCORING_ROUND_STATES:
        return "closed"
    return "not yet"


def is_place_unfilled(settings, decision, offer_on) -> bool:
    """A place given up after release (declined or lapsed) that no offer took: the lead may offer it themselves."""
    return (settings is not None and settings.released_at is not None and decision is not None
            and decision.declined_at is not None and offer_on is None)
