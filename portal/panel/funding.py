"""The funding rule: places and budget used by the proposals holding a place, and when selecting goes over."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from portal.panel.errors import FundingExceeded
from portal.panel.models import Decision
from portal.panel.queries import DecisionLine, decided_fees
from portal.rounds.models import Round
from portal.web.templating import money

# The decision form's box by which the lead selects a proposal over the funding anyway: a refusal that
# names it is the funding rule's, and the decide page then offers the box.
CONFIRM_FIELD = "confirm"


@dataclass
class Funding:
    places: int | None
    budget: int | None
    places_used: int
    budget_used: int

    @property
    def places_left(self) -> int | None:
        return None if self.places is None else self.places - self.places_used

    @property
    def budget_left(self) -> int | None:
        return None if self.budget is None else self.budget - self.budget_used

    def freeing(self, fee: int) -> Funding:
        """The funding once a place with this fee is given up (what a decline would leave)."""
        return Funding(places=self.places, budget=self.budget, places_used=self.places_used - 1,
                       budget_used=self.budget_used - fee)


def tally(round_: Round, props, decided: Mapping[int, Decision | DecisionLine]) -> Funding:
    """Places and budget used by the proposals holding a place (a pathway's fee counts against the budget).

    props: anything with id and fee_pence (ranking.ProposalLine).
    """
    used = [p for p in props if p.id in decided and decided[p.id].holds_place]
    return Funding(places=round_.funded_places, budget=round_.budget_pence, places_used=len(used),
                   budget_used=sum(p.fee_pence for p in used))


def round_funding(round_: Round) -> Funding:
    """The round's funding as the moderation page counts it (decisions holding a place, before and after
    release), read in one query: what the dashboard and the decision service show and check."""
    fees, decided = decided_fees(round_.id)
    return tally(round_, fees, decided)


def over_funding(summary: Funding, fee: int) -> list[str]:
    """What one more place (with its pathway's fee) would break, in words: none when it fits both the funded
    places and the budget."""
    problems = []
    if summary.places is not None and summary.places_used + 1 > summary.places:
        problems.append(f"all {summary.places} funded places are already taken")
    if summary.budget is not None and summary.budget_used + fee > summary.budget:
        problems.append(f"the fee would take the budget {money(summary.budget_used + fee - summary.budget)} over")
    return problems


def fits(summary: Funding, fee: int) -> bool:
    """One more place with this fee stays within the funded places and the budget: the test an automatic
    offer from the waitlist must pass (only the lead may go over, and only by confirming)."""
    return not over_funding(summary, fee)


def check_selection(summary: Funding, fee: int, *, confirm: bool) -> None:
    """Selecting one more proposal (with its pathway's fee) may take the round over its funded places or
    its budget only with the lead's confirmation: raises FundingExceeded, naming each limit, otherwise."""
    problems = over_funding(summary, fee)
    if problems and not confirm:
        raise FundingExceeded("Selecting this proposal goes over the funding: " + " and ".join(problems)
                              + ". Tick the confirmation to select it anyway.", CONFIRM_FIELD)
