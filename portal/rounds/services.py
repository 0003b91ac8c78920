"""Every change to schemes, pathways and rounds; each writes an audit event (the moves from state to state
are in rounds/lifecycle.py; set_round_state is re-exported here for the features that call it)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from portal.audit.services import record
from portal.db_types import utcnow
from portal.extensions import db
from portal.rounds.checks import RoundError, check_no_overlap
from portal.rounds.lifecycle import set_round_state
from portal.rounds.models import (LIMITED_QUESTIONS, MAX_BUDGET_PENCE, MAX_FEE_PENCE, MAX_FUNDED_PLACES, Pathway,
                                  Round, RoundState, Scheme)
from portal.rounds.proposal_facts import ProposalFacts
from portal.rounds.rules import CLOCK_STATES


def parse_sections(text: str) -> list[str]:
    """One portfolio section per line; blank lines and surrounding spaces dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# ---------------------------------------------------------------- schemes and pathways

def save_scheme(actor, scheme: Scheme | None, *, name: str, awarding_body: str = "", description: str = "",
                website: str = "") -> Scheme:
    """Create (scheme=None) or update a scheme. Side effects: audit 'scheme.created'/'scheme.updated'."""
    name = name.strip()
    clash = db.session.scalar(select(Scheme.id).where(func.lower(Scheme.name) == name.lower()))
    if clash is not None and (scheme is None or clash != scheme.id):
        raise RoundError("Another scheme already has that name.", "name")
    created = scheme is None
    if created:
        scheme = Scheme(name=name)
        db.session.add(scheme)
    scheme.name = name
    scheme.awarding_body = awarding_body.strip()
    scheme.description = description.strip()
    scheme.website = (website or "").strip()
    db.session.flush()
    record(actor, "scheme.created" if created else "scheme.updated", scheme, summary=scheme.name)
    return scheme


def save_pathway(actor, scheme: Scheme, pathway: Pathway | None, *, name: str, fee_pence: int,
                 eligibility: str = "", min_years: int | None = None, max_years: int | None = None, level: int = 1,
                 position: int | None = None, sections_text: str = "") -> Pathway:
    """Create (pathway=None) or update a pathway of a scheme; the fee is in whole pence.

    Side effects: audit 'pathway.created'/'pathway.updated'.
    """
    if not isinstance(fee_pence, int) or fee_pence < 0:
        raise RoundError("The fee cannot be negative.", "fee")
    if fee_pence > MAX_FEE_PENCE:
        raise RoundError(f"The fee can be at most £{MAX_FEE_PENCE // 100}.", "fee")
    if min_years is not None and max_years is not None and max_years <= min_years:
        raise RoundError("The upper bound of experience must be more than the lower bound.", "max_years")
    created = pathway is None
    if created:
        if position is None:
            position = len(scheme.pathways)
        pathway = Pathway(scheme_id=scheme.id)
    pathway.name = name.strip()
    pathway.fee_pence = fee_pence
    pathway.eligibility = eligibility.strip()
    pathway.min_years = min_years
    pathway.max_years = max_years
    pathway.level = level
    if position is not None:
        pathway.position = position
    pathway.portfolio_sections = parse_sections(sections_text)
    if created:
        scheme.pathways.append(pathway)
    db.session.flush()
    record(actor, "pathway.created" if created else "pathway.updated", pathway,
           summary=f"{scheme.name}: {pathway.name}, fee {fee_pence}p")
    return pathway


# ---------------------------------------------------------------- rounds

@dataclass
class RoundData:
    name: str
    scheme: Scheme
    pathways: list[Pathway]
    opens_at: datetime
    closes_at: datetime
    funded_places: int | None = None
    budget_pence: int | None = None
    intro_required: bool = True
    guidance: str = ""
    word_limits: dict = field(default_factory=dict)


def _check_round(data: RoundData, round_: Round | None, proposals: ProposalFacts) -> None:
    if data.closes_at <= data.opens_at:
        raise RoundError("The closing time must be after the opening time.", "closes_on")
    if data.funded_places is not None and data.funded_places < 0:
        raise RoundError("Funded places cannot be negative.", "funded_places")
    if data.funded_places is not None and data.funded_places > MAX_FUNDED_PLACES:
        raise RoundError(f"Funded places can be at most {MAX_FUNDED_PLACES}.", "funded_places")
    if data.budget_pence is not None and data.budget_pence < 0:
        raise RoundError("The budget cannot be negative.", "budget")
    if data.budget_pence is not None and data.budget_pence > MAX_BUDGET_PENCE:
        raise RoundError(f"The budget can be at most £{MAX_BUDGET_PENCE // 100}.", "budget")
    if not data.pathways:
        raise RoundError("Offer at least one pathway.", "pathway_ids")
    if any(p.scheme_id != data.scheme.id for p in data.pathways):
        raise RoundError("Choose pathways of the round's scheme.", "pathway_ids")
    for question, limit in data.word_limits.items():
        if question not in LIMITED_QUESTIONS or (limit is not None and limit < 1):
            raise RoundError("Word limits must be whole numbers of at least 1.", f"limit_{question}")
    if round_ is not None and round_.id is not None:
        if data.scheme.id != round_.scheme_id and proposals.any_in(round_):
            raise RoundError("This round already has proposals, so its scheme cannot change.", "scheme_id")
        kept = {p.id for p in data.pathways}
        dropped = [p.name for p in proposals.pathways_chosen_in(round_) if p.id not in kept]
        if dropped:
            raise RoundError(f"Proposals in this round chose {', '.join(dropped)}, so it must stay on offer.",
                             "pathway_ids")


def save_round(actor, round_: Round | None, data: RoundData, proposals: ProposalFacts) -> Round:
    """Create a round (as a draft, not yet visible to staff) or update one, after checking the rules:
    closing after opening, non-negative places and budget, pathways chosen by proposals kept, the scheme
    kept once there are proposals (what the round's proposals are comes from `proposals`), and a scheduled or
    open round's dates clear of the scheme's other scheduled or open rounds (check_no_overlap).

    Side effects: audit 'round.created'/'round.updated'.
    """
    _check_round(data, round_, proposals)
    created = round_ is None
    if not created and round_.state in CLOCK_STATES:
        check_no_overlap(round_, data.scheme.id, data, utcnow())
    if created:
        round_ = Round(state=RoundState.DRAFT)
        db.session.add(round_)
    round_.name = data.name.strip()
    round_.scheme = data.scheme
    round_.scheme_id = data.scheme.id
    round_.pathways = list(data.pathways)
    round_.opens_at = data.opens_at
    round_.closes_at = data.closes_at
    round_.funded_places = data.funded_places
    round_.budget_pence = data.budget_pence
    round_.intro_required = data.intro_required
    round_.guidance = data.guidance.strip()
    round_.word_limits = {q: limit for q, limit in data.word_limits.items() if limit}
    db.session.flush()
    record(actor, "round.created" if created else "round.updated", round_, summary=round_.name)
    return round_


__all__ = ["RoundData", "RoundError", "parse_sections", "save_pathway", "save_round", "save_scheme",
           "set_round_state"]
