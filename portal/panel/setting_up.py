"""Setting up a round's panel (lead): its settings, its members and its rubric.

Each service checks its rule and writes an audit event in the caller's transaction; the view commits.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from portal.audit.services import record
from portal.auth.models import Role, User
from portal.extensions import db
from portal.panel import queries, rules
from portal.panel.errors import PanelError
from portal.panel.models import Aggregate, Assignment, Criterion, PanelMember, PanelSettings
from portal.rounds.models import Round


def ensure_settings(round_: Round) -> PanelSettings:
    """The round's stored settings, created with defaults on first change."""
    settings = queries.settings_for(round_)
    if settings.id is None:
        db.session.add(settings)
        db.session.flush()
    return settings


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
