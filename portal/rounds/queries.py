"""Reads for schemes, pathways and rounds."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.rounds.models import Round, RoundState, Scheme


def all_rounds() -> list[Round]:
    """Every round, newest closing first, with its scheme and pathways loaded in one go."""
    return list(db.session.scalars(
        select(Round).options(selectinload(Round.scheme), selectinload(Round.pathways))
        .order_by(Round.closes_at.desc(), Round.id.desc())
    ))


def schemes() -> list[Scheme]:
    return list(db.session.scalars(select(Scheme).options(selectinload(Scheme.pathways)).order_by(Scheme.name)))


def visible_rounds(user) -> list[Round]:
    """Rounds a member of staff can read about: open ones first, then the rest, never drafts."""
    stmt = (select(Round).options(selectinload(Round.scheme)).where(Round.state != RoundState.DRAFT)
            .order_by(Round.closes_at.desc()))
    return list(db.session.scalars(stmt))


def open_rounds() -> list[Round]:
    return list(db.session.scalars(
        select(Round).options(selectinload(Round.scheme)).where(Round.state == RoundState.OPEN)
        .order_by(Round.closes_at)))
