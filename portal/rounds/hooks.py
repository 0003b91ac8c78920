"""What rounds must know of the schedule, the panel and the people in a round, answered from above.

Rounds sits below the schedule, proposals and the panel, so it never reads their tables: the composition
root (portal/blueprints.py) hands these questions over at start-up, as it does rounds/proposal_facts.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from flask import Flask, current_app

from portal.rounds.models import Round
from portal.rounds.rules import SetupFacts

EXTENSION = "rounds.hooks"


@dataclass(frozen=True)
class RoundHooks:
    # The intro sessions applicants can still book for the round, soonest first: (round, now=...) -> sessions
    # with starts_at (the schedule's bookable_intro_sessions).
    intro_sessions: Callable[..., list[Any]]
    # The cohort's programme sessions of a round: (round_id, now) -> sessions with a kind.
    programme_sessions: Callable[[int, datetime], list[Any]]
    # The round's panel members and its rubric criteria: (round_id) -> list.
    panel_members: Callable[[int], list[Any]]
    criteria: Callable[[int], list[Any]]
    # Told when a round closes (by the clock or early): (round) -> how many people were told.
    on_closed: tuple[Callable[[Round], int], ...] = ()


def provide(app: Flask, hooks: RoundHooks) -> None:
    """Hand rounds its answers from the features above it (called once, by the composition root)."""
    app.extensions[EXTENSION] = hooks


def round_hooks() -> RoundHooks:
    return current_app.extensions[EXTENSION]


def setup_facts(round_: Round, now: datetime) -> SetupFacts:
    """Count what the round's checklist needs: intro sessions before closing, programme, panel, rubric."""
    hooks = round_hooks()
    intros = [s for s in hooks.intro_sessions(round_, now=now) if s.starts_at < round_.closes_at]
    # Feeds keep cancelled sessions and deadlines (so calendars drop or show them); the checklist counts
    # only sessions that will be held.
    programme = [s for s in hooks.programme_sessions(round_.id, now)
                 if _value(getattr(s, "kind", None)) not in {"deadline", "intro"}
                 and _value(getattr(s, "status", None)) != "cancelled"]
    return SetupFacts(intro_sessions=len(intros), programme_sessions=len(programme),
                      panel_members=len(hooks.panel_members(round_.id)), criteria=len(hooks.criteria(round_.id)))


def _value(enum_or_text) -> Any:
    return getattr(enum_or_text, "value", enum_or_text)


def tell_closed(round_: Round) -> int:
    """Tell everyone the features above ask to tell that the round closed; how many were told."""
    return sum(tell(round_) for tell in round_hooks().on_closed)
