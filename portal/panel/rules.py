"""Panel predicates: conflicts of interest, who may score or see what, when things may change. Pure."""
from __future__ import annotations

from portal.rounds.models import RoundState

SCORING_ROUND_STATES = {RoundState.CLOSED, RoundState.IN_REVIEW}
MODERATION_ROUND_STATES = {RoundState.DECIDED, RoundState.RUNNING, RoundState.ARCHIVED}


def automatic_conflict_reason(member, proposal, applicant, same_department: bool) -> str | None:
    """Why a panel member may not review a proposal without having to say so, or None.

    Their own proposal; the applicant's line manager (on the account or named on the
    proposal by email); the applicant's department when the round treats that as a conflict.
    """
    if proposal.user_id == member.id:
        return "This is your own proposal."
    if applicant is not None and applicant.line_manager_id == member.id:
        return "You are the applicant's line manager."
    if (proposal.line_manager_email or "").strip().lower() == (member.email or "").strip().lower():
        return "You are named as the applicant's line manager."
    if same_department:
        department = (proposal.department or (applicant.department if applicant is not None else "") or "")
        if department.strip() and department.strip().lower() == (member.department or "").strip().lower():
            return "The applicant is in your department."
    return None


def is_scoring_open(settings, round_) -> bool:
    """Scores may be entered or changed: the round is in review, scoring not closed, outcomes not released."""
    return (round_.state in SCORING_ROUND_STATES and settings.scoring_closed_at is None
            and settings.released_at is None)


def is_in_moderation(settings, round_) -> bool:
    """The lead has closed scoring (or the round has moved on): blindness ends for everyone."""
    return settings.scoring_closed_at is not None or settings.released_at is not None \
        or round_.state in MODERATION_ROUND_STATES


def can_see_other_scores(settings, round_, own_review) -> bool:
    """Blind scoring: others' scores only after one's own review is complete, or once moderation starts."""
    if is_in_moderation(settings, round_):
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
    from portal.proposals.models import ProposalState
    return (settings is not None and settings.released_at is not None and decision is not None
            and proposal.user_id == user.id and proposal.state == ProposalState.SELECTED
            and decision.holds_place and decision.accepted_at is None)
