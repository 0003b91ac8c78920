"""Scoring: a member's scores and abstentions, and the lead closing, reopening and chasing it.

Each service checks its rule, writes an audit event and queues any email in the caller's
transaction; the view commits.
"""
from __future__ import annotations

from sqlalchemy import delete, select

from portal.audit.services import record
from portal.auth.models import User
from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.services import queue_email
from portal.panel import queries, ranking, rules, scoring
from portal.panel.conflicts import conflict_for
from portal.panel.errors import PanelError
from portal.panel.models import PanelSettings, Review, Score
from portal.panel.setting_up import ensure_settings
from portal.proposals.models import Proposal
from portal.rounds.models import Round
from portal.timeutil import format_local
from portal.web.links import absolute_url


def _check_can_score(actor: User, proposal: Proposal) -> PanelSettings:
    settings = ensure_settings(proposal.round)
    if settings.released_at is not None:
        raise PanelError("Outcomes have been released; scores can no longer change.")
    if not rules.is_scoring_open(settings, proposal.round, utcnow()):
        raise PanelError("Scoring is closed; scores can no longer change.")
    if conflict_for(actor, proposal, settings) is not None:
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
    table = ranking.moderation(round_, details=False)
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
                    f"Please score them {when}.\n\nYour queue: {absolute_url('panel.queue', round_id=round_.id)}\n",
                    kind="panel.reminder")
        sent += 1
    record(actor, "panel.reminded", round_, summary=f"Reminded {sent} panel member(s) of missing scores")
    return sent
