"""Places after release on a real database: the automatic offer within the funding, the leads told when nobody
fits, the current state of every decision, and the lead undoing a decline."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.panel import deciding, places, queries, ranking, reviewing
from portal.panel.errors import PanelError
from portal.panel.models import Standing
from portal.proposals.models import ProposalState
from tests.factories import make_panel_proposal, make_user
from tests.panel.helpers import build_panel

ASSOCIATE, CMALT, SENIOR = 1, 2, 3  # pathway levels: £110, £165, £265


def released_round(selected, waitlisted, budget_pence=None, funded_places=None, not_selected=()):
    """A round whose outcomes are out: proposals on the given pathway levels, selected, waitlisted in order
    (positions 1, 2 …) and not selected. Returns the panel and the three lists of proposals."""
    p = build_panel(members=1, proposals=0, assign=False, budget_pence=budget_pence, funded_places=funded_places)
    made = [[make_panel_proposal(p.round, level=level) for level in group]
            for group in (selected, waitlisted, not_selected)]
    for proposal in made[0]:
        deciding.decide(p.lead, proposal, outcome="selected", feedback="")
    for position, proposal in enumerate(made[1], start=1):
        deciding.decide(p.lead, proposal, outcome="waitlisted", feedback="", waitlist_position=position)
    for proposal in made[2]:
        deciding.decide(p.lead, proposal, outcome="not_selected", feedback="")
    reviewing.close_scoring(p.lead, p.round)
    deciding.release(p.lead, p.round)
    db.session.commit()
    return p, *made


def _mail(kind):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def test_a_freed_place_goes_to_the_first_waitlisted_whose_fee_fits_the_budget(app):
    # £400: two CMALT places use £330. A decline leaves £235: #1 (Senior, £265) would break it, #2 (Associate,
    # £110) fits.
    p, (leaving, staying), (senior, associate), _ = released_round([CMALT, CMALT], [SENIOR, ASSOCIATE],
                                                                   budget_pence=40000)
    offered = deciding.decline_place(leaving.applicant, leaving)
    db.session.commit()
    assert offered.proposal_id == associate.id
    assert (senior.state, associate.state) == (ProposalState.WAITLISTED, ProposalState.SELECTED)
    assert [m.recipient for m in _mail("panel.offer")] == [associate.applicant.email]
    assert offered.place_from_id == queries.decision_for(leaving.id).id
    funding = ranking.moderation(p.round).funding
    assert (funding.places_used, funding.budget_used) == (2, 16500 + 11000)


def test_a_freed_place_respects_the_funded_places_too(app):
    # Two places, both taken and one more selected over them by the lead: a decline frees nothing to offer.
    p = build_panel(members=1, proposals=0, assign=False, funded_places=2)
    first, second, third = (make_panel_proposal(p.round, level=CMALT) for _ in range(3))
    waiting = make_panel_proposal(p.round, level=ASSOCIATE)
    deciding.decide(p.lead, first, outcome="selected", feedback="")
    deciding.decide(p.lead, second, outcome="selected", feedback="")
    deciding.decide(p.lead, third, outcome="selected", feedback="", confirm=True)
    deciding.decide(p.lead, waiting, outcome="waitlisted", feedback="")
    deciding.release(p.lead, p.round, override_open_scoring=True)
    db.session.commit()
    assert deciding.decline_place(first.applicant, first) is None
    db.session.commit()
    assert waiting.state == ProposalState.WAITLISTED


def test_when_nobody_on_the_waitlist_fits_every_lead_is_told(app):
    p, (leaving,), (senior,), _ = released_round([CMALT], [SENIOR], budget_pence=20000)
    other_lead = make_user(roles=["lead"], name="Second Lead")
    preview = places.decline_preview(leaving)
    assert preview.offer_on is None and preview.sentence() == (
        "Nobody on the waiting list fits the funding left, so your place will not be offered on: "
        "the programme lead will be told.")
    assert deciding.decline_place(leaving.applicant, leaving) is None
    db.session.commit()
    assert senior.state == ProposalState.WAITLISTED
    told = _mail("panel.place_unfilled")
    assert sorted(m.recipient for m in told) == sorted([p.lead.email, other_lead.email])
    assert (f"{leaving.applicant.name}'s place in {p.round.name} came free, but nobody on the waitlist fits the "
            "funding (£200 of the budget left), so it has not been offered to anyone.") in told[0].body
    assert f"/panel/rounds/{p.round.id}/moderation" in told[0].body
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "panel.place_unfilled")).one()
    assert event.object_id == p.round.id
    [freed] = places.freed_places(p.round, queries.settings_for(p.round))
    assert freed.decision.proposal_id == leaving.id and freed.offer_on is None and freed.undoable


def test_the_decline_preview_names_no_one_but_says_the_place_goes_on(app):
    p, (leaving,), (waiting,), _ = released_round([CMALT], [CMALT], budget_pence=20000)
    preview = places.decline_preview(leaving)
    assert preview.offer_on.proposal_id == waiting.id
    assert preview.sentence() == ("Your place will be offered to the next person on the waiting list whose place "
                                  "fits the funding.")
    assert waiting.applicant.name not in preview.sentence()


def test_the_leads_override_over_the_funding_is_confirmed_and_audited(app):
    p = build_panel(members=1, proposals=0, assign=False, budget_pence=20000)
    first, second = make_panel_proposal(p.round, level=CMALT), make_panel_proposal(p.round, level=CMALT)
    deciding.decide(p.lead, first, outcome="selected", feedback="")
    deciding.decide(p.lead, second, outcome="selected", feedback="", confirm=True)
    db.session.commit()
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "panel.decided")
                                     .order_by(AuditEvent.id)))
    assert [e.summary for e in events] == [
        f"{first.applicant.name}: Selected",
        f"{second.applicant.name}: Selected over the funding, confirmed by the lead"]
    assert (events[0].detail["confirmed_over_funding"], events[1].detail["confirmed_over_funding"]) == (False, True)


def test_every_reading_of_a_decision_follows_its_current_state(app):
    p, (leaving, keeping), (first, second), (refused,) = released_round(
        [CMALT, CMALT], [CMALT, CMALT], not_selected=[CMALT])
    deciding.accept_place(keeping.applicant, keeping)
    deciding.decline_place(leaving.applicant, leaving)
    db.session.commit()
    table = ranking.moderation(p.round)
    standing = {row.proposal.id: row.decision.standing for row in table.rows}
    assert standing == {leaving.id: Standing.DECLINED, keeping.id: Standing.ACCEPTED, first.id: Standing.OFFERED,
                        second.id: Standing.WAITLISTED, refused.id: Standing.NOT_SELECTED}
    assert queries.decision_for(leaving.id).standing.label == "Declined"
    assert (table.funding.places_used, table.funding.budget_used, table.undecided) == (2, 33000, 0)
    offer = queries.decision_for(first.id)
    deciding.lapse_offers(p.lead, p.round, now=offer.accept_by.replace(year=offer.accept_by.year + 1))
    db.session.commit()
    assert queries.decision_for(first.id).standing == Standing.LAPSED
    assert queries.decision_for(second.id).standing == Standing.OFFERED


def test_the_lead_undoes_a_decline_while_the_next_offer_is_open(app):
    p, (leaving,), (first, second), _ = released_round([CMALT], [CMALT, CMALT])
    deciding.decline_place(leaving.applicant, leaving)
    db.session.commit()
    places.undo_decline(p.lead, queries.decision_for(leaving.id))
    db.session.commit()
    assert (leaving.state, first.state, second.state) == (ProposalState.SELECTED, ProposalState.WAITLISTED,
                                                          ProposalState.WAITLISTED)
    restored, withdrawn = queries.decision_for(leaving.id), queries.decision_for(first.id)
    assert restored.standing == Standing.SELECTED and restored.declined_at is None
    assert (withdrawn.standing, withdrawn.waitlist_position, withdrawn.offered_at) == (Standing.WAITLISTED, 1, None)
    assert [w.proposal_id for w in queries.waitlist(p.round.id)] == [first.id, second.id]
    [told] = _mail("panel.offer_withdrawn")
    assert told.recipient == first.applicant.email and "waiting list again at position 1" in told.body
    [back] = _mail("panel.place_restored")
    assert back.recipient == leaving.applicant.email
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == p.lead.id)))
    assert {"panel.decline_undone", "panel.offer_withdrawn"} <= actions
    assert ranking.moderation(p.round).funding.places_used == 1
    # The restored place can be answered again, and declining it offers it on once more.
    assert deciding.decline_place(leaving.applicant, leaving).proposal_id == first.id


def test_undo_is_refused_once_the_next_person_has_accepted(app):
    p, (leaving,), (first,), _ = released_round([CMALT], [CMALT])
    deciding.decline_place(leaving.applicant, leaving)
    deciding.accept_place(first.applicant, first)
    db.session.commit()
    with pytest.raises(PanelError) as refused:
        places.undo_decline(p.lead, queries.decision_for(leaving.id))
    assert refused.value.message == (f"{first.applicant.name} has already accepted the place, so the decline can "
                                     "no longer be undone.")
    db.session.rollback()
    assert leaving.state == ProposalState.DECLINED and first.state == ProposalState.SELECTED


def test_an_unfilled_place_comes_back_on_undo_and_a_lapse_is_no_decline(app):
    p, (leaving,), (senior,), _ = released_round([CMALT], [SENIOR], budget_pence=20000)
    deciding.decline_place(leaving.applicant, leaving)
    db.session.commit()
    places.undo_decline(p.lead, queries.decision_for(leaving.id))
    db.session.commit()
    assert leaving.state == ProposalState.SELECTED and senior.state == ProposalState.WAITLISTED
    with pytest.raises(PanelError, match="There is no decline to undo here."):
        places.undo_decline(p.lead, queries.decision_for(senior.id))


def test_release_needs_the_override_while_scoring_is_open_and_the_count_it_confirmed(app):
    p = build_panel(members=1, proposals=3)
    chosen, waiting, refused = p.proposals
    deciding.decide(p.lead, chosen, outcome="selected", feedback="")
    deciding.decide(p.lead, waiting, outcome="waitlisted", feedback="")
    deciding.decide(p.lead, refused, outcome="not_selected", feedback="")
    db.session.commit()
    summary = deciding.release_summary(p.round, queries.settings_for(p.round))
    assert summary.sentence() == "3 applicants will be emailed: 1 selected, 1 waitlisted, 1 not selected"
    assert summary.scoring_open
    with pytest.raises(PanelError, match="Scoring is still open"):
        deciding.release(p.lead, p.round)
    db.session.rollback()
    with pytest.raises(PanelError, match="The decisions changed since this page was shown"):
        deciding.release(p.lead, p.round, override_open_scoring=True, expected=2)
    db.session.rollback()
    assert queries.settings_for(p.round).released_at is None
    assert deciding.release(p.lead, p.round, override_open_scoring=True, expected=3) == 3
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "panel.released")).one()
    assert event.summary.endswith("to 3 applicant(s), scoring still open: overridden by the lead")
    assert queries.settings_for(p.round).scoring_closed_at is not None
