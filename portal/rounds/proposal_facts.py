"""What rounds must know of the proposals made in its rounds, answered from above: rounds never reads proposals."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import Flask, current_app

from portal.rounds.models import Pathway, Round

EXTENSION = "rounds.proposal_facts"


@dataclass(frozen=True)
class ProposalFacts:
    """The proposals feature sits above rounds, so it answers these; the composition root hands them to
    rounds at start-up (portal/blueprints.py). Each is a question, asked only when a rule or a page needs
    its answer, so a check that does not arise costs no query."""

    # Whether any proposal (in any state) was made in the round: its scheme may then no longer change.
    any_in: Callable[[Round], bool]
    # The pathways the round's proposals chose, by position: they must stay on offer.
    pathways_chosen_in: Callable[[Round], list[Pathway]]
    # {round_id: {state value: count}} for the lead's list of rounds.
    counts_by_round: Callable[[], dict[int, dict[str, int]]]
    # The person's proposal in the round that is not withdrawn, or None (for the round's page).
    live_proposal_for: Callable[[Any, Round], Any]


def provide(app: Flask, facts: ProposalFacts) -> None:
    """Hand rounds its answers about proposals (called once, by the composition root)."""
    app.extensions[EXTENSION] = facts


def proposal_facts() -> ProposalFacts:
    """The answers handed over at start-up, for this app."""
    return current_app.extensions[EXTENSION]
