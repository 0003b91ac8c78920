"""The dashboard counts what the feature that holds the fact counts: funding used is the panel's (decisions
holding a place, before and after release), and "submitted" is the proposals feature's set of states."""
from __future__ import annotations

from portal.auth.models import Role
from portal.dashboard import funnel, years
from portal.panel import deciding, queries as panel_queries, ranking
from portal.proposals.models import ProposalState
from portal.proposals.rules import COUNTS_AS_SUBMITTED
from tests.factories import make_proposal
from tests.panel.helpers import build_panel


def test_places_and_budget_used_are_the_moderation_pages_before_and_after_release(client, login_as):
    lead = login_as(Role.LEAD)
    p = build_panel(members=1, proposals=3, lead=lead, funded_places=2, budget_pence=50000)
    first, second, third = p.proposals
    deciding.decide(lead, first, outcome="selected", feedback="")
    deciding.decide(lead, second, outcome="selected", feedback="")
    deciding.decide(lead, third, outcome="waitlisted", feedback="")
    from_panel = ranking.moderation(p.round).funding
    assert (from_panel.places_used, from_panel.budget_used) == (2, 2 * 16500)

    body = client.get(f"/dashboard/rounds/{p.round.id}").get_data(as_text=True)
    assert "2 selected of 2 funded places" in body  # decided, not yet released
    assert "£330 used of £500" in body

    deciding.release(lead, p.round, override_open_scoring=True)  # scoring's own rules are the panel's tests
    deciding.decline_place(first.applicant, first)  # the place goes to the waitlisted third
    assert ranking.moderation(p.round).funding.places_used == 2
    body = client.get(f"/dashboard/rounds/{p.round.id}").get_data(as_text=True)
    assert "2 selected of 2 funded places" in body and "£330 used of £500" in body


def test_every_part_counts_the_same_proposals_as_submitted(app):
    p = build_panel(members=1, proposals=0)
    for state in ProposalState:
        make_proposal(p.round, state=state, department="Library")
    expected = sum(1 for state in ProposalState if state in COUNTS_AS_SUBMITTED)
    by_department, _ = funnel.applications_by(p.round.id)
    assert by_department == [("Library", expected)]
    assert {r.round.id: r.applications for r in years.year_rows()}[p.round.id] == expected
    assert len(panel_queries.proposals(p.round.id)) == expected
