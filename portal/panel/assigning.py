"""Who reviews what: the lead assigning proposals to the panel, and members declaring or withdrawing conflicts.

Each service checks its rule and writes an audit event in the caller's transaction; the view commits.
"""
from __future__ import annotations

from sqlalchemy import delete, select

from portal.audit.services import record
from portal.auth.models import User
from portal.db_types import utcnow
from portal.extensions import db
from portal.panel import queries, rules
from portal.panel.conflicts import conflict_for, conflict_map
from portal.panel.errors import PanelError
from portal.panel.models import Assignment, Conflict, ConflictKind, Review
from portal.panel.setting_up import ensure_settings
from portal.proposals.models import Proposal
from portal.rounds.models import Round


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
    conflicts = conflict_map(round_, props, people, settings)
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
    if conflict_for(person, proposal, settings) is not None:
        raise PanelError(f"{person.name} has a conflict of interest with this proposal.")
    db.session.add(Assignment(round_id=proposal.round_id, proposal_id=proposal.id, user_id=person.id))
    record(actor, "panel.assigned_one", proposal, summary=f"{person.name} reviews this proposal")
    return True


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
    if not rules.is_scoring_open(settings, proposal.round, utcnow()):
        raise PanelError("Scoring is closed; conflicts can no longer be withdrawn.")
    existing = db.session.scalar(select(Conflict).where(Conflict.proposal_id == proposal.id,
                                                        Conflict.user_id == actor.id))
    if existing is None:
        raise PanelError("There is no declared conflict to withdraw.")
    db.session.delete(existing)
    record(actor, "panel.conflict_withdrawn", proposal, summary="Declared conflict withdrawn")
