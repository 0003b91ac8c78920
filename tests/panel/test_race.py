"""Decisions and waitlist offers at the same moment, in real threads with their own connections (run on
PostgreSQL with TEST_DATABASE_URL): the round's lock keeps the funded places and the waitlist exact."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.auth.models import User
from portal.db_types import utcnow
from portal.extensions import db
from portal.panel import deciding, ranking
from portal.panel.errors import FundingExceeded
from portal.panel.models import Decision
from portal.proposals.models import Proposal, ProposalState
from portal.rounds.models import Round
from tests.factories import make_user
from tests.panel.helpers import build_panel
from tests.race import at_once


def _decide(lead_id: int, proposal_id: int, outcome: str):
    return lambda: deciding.decide(db.session.get(User, lead_id), db.session.get(Proposal, proposal_id),
                                   outcome=outcome, feedback="")


def _decline(proposal_id: int):
    def decline():
        proposal = db.session.get(Proposal, proposal_id)
        return deciding.decline_place(proposal.applicant, proposal).proposal_id  # the one offered the place
    return decline


def test_two_leads_selecting_at_once_cannot_pass_the_funded_places(app):
    p = build_panel(members=1, proposals=3, funded_places=2)
    other_lead = make_user(roles=["lead"], name="Otto Lead")
    first, second, third = p.proposals
    deciding.decide(p.lead, first, outcome="selected", feedback="")  # one place left
    db.session.commit()

    results = at_once(app, _decide(p.lead.id, second.id, "selected"), _decide(other_lead.id, third.id, "selected"))

    assert sorted(type(r).__name__ for r in results) == ["Decision", "FundingExceeded"]
    refusal = next(r for r in results if isinstance(r, FundingExceeded))
    assert "all 2 funded places are already taken" in refusal.message
    assert ranking.moderation(p.round).funding.places_used == 2


def test_two_declines_at_once_offer_their_places_to_two_different_people(app):
    p = build_panel(members=1, proposals=4, funded_places=2)
    chosen_a, chosen_b, waiting_1, waiting_2 = p.proposals
    for proposal in (chosen_a, chosen_b):
        deciding.decide(p.lead, proposal, outcome="selected", feedback="")
    deciding.decide(p.lead, waiting_1, outcome="waitlisted", feedback="", waitlist_position=1)
    deciding.decide(p.lead, waiting_2, outcome="waitlisted", feedback="", waitlist_position=2)
    deciding.release(p.lead, p.round, override_open_scoring=True)
    db.session.commit()

    promoted = at_once(app, _decline(chosen_a.id), _decline(chosen_b.id))

    assert sorted(promoted) == sorted([waiting_1.id, waiting_2.id])
    states = dict(db.session.execute(select(Proposal.id, Proposal.state).where(Proposal.round_id == p.round.id)).all())
    assert states == {chosen_a.id: ProposalState.DECLINED, chosen_b.id: ProposalState.DECLINED,
                      waiting_1.id: ProposalState.SELECTED, waiting_2.id: ProposalState.SELECTED}
    assert ranking.moderation(p.round).funding.places_used == 2
    offered = db.session.scalar(select(func.count()).select_from(Decision).where(Decision.offered_at.is_not(None)))
    assert offered == 2


def test_a_decline_racing_a_lapse_passes_each_place_to_a_different_person(app):
    p = build_panel(members=1, proposals=5)
    chosen_a, chosen_b, waiting_1, waiting_2, waiting_3 = p.proposals
    for proposal in (chosen_a, chosen_b):
        deciding.decide(p.lead, proposal, outcome="selected", feedback="")
    for position, proposal in enumerate((waiting_1, waiting_2, waiting_3), start=1):
        deciding.decide(p.lead, proposal, outcome="waitlisted", feedback="", waitlist_position=position)
    deciding.release(p.lead, p.round, override_open_scoring=True)
    offer = deciding.decline_place(chosen_a.applicant, chosen_a)  # waiting_1 is offered the place...
    offer.accept_by = utcnow() - timedelta(hours=1)                 # ...and has let it lapse
    db.session.commit()
    round_id, lead_id = p.round.id, p.lead.id

    def lapse():
        return deciding.lapse_offers(db.session.get(User, lead_id), db.session.get(Round, round_id))

    lapsed, promoted = at_once(app, lapse, _decline(chosen_b.id))

    assert lapsed == 1 and promoted in (waiting_2.id, waiting_3.id)
    states = dict(db.session.execute(select(Proposal.id, Proposal.state).where(Proposal.round_id == p.round.id)).all())
    assert states == {chosen_a.id: ProposalState.DECLINED, chosen_b.id: ProposalState.DECLINED,
                      waiting_1.id: ProposalState.DECLINED, waiting_2.id: ProposalState.SELECTED,
                      waiting_3.id: ProposalState.SELECTED}
    assert ranking.moderation(p.round).funding.places_used == 2
