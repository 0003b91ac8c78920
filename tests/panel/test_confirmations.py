"""Confirmations, current decisions and the panel's wording through the test client, by URL as a browser without
JavaScript would use them."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.panel import deciding, queries, reviewing
from portal.proposals.models import ProposalState
from portal.rounds.models import RoundState
from portal.timeutil import format_local
from tests.factories import make_panel_proposal, make_user
from tests.panel.helpers import build_panel, client_for, score
from tests.panel.test_places import CMALT, SENIOR, released_round

HX_RELEASE = "panel-release-{}"


def _decided_three():
    p = build_panel(members=1, proposals=3)
    chosen, waiting, refused = p.proposals
    deciding.decide(p.lead, chosen, outcome="selected", feedback="")
    deciding.decide(p.lead, waiting, outcome="waitlisted", feedback="")
    deciding.decide(p.lead, refused, outcome="not_selected", feedback="")
    db.session.commit()
    return p


def test_release_asks_for_confirmation_and_refuses_open_scoring_without_the_override(app, login):
    p = _decided_three()
    lead = client_for(app, login, p.lead)
    url = f"/panel/rounds/{p.round.id}/release"
    moderation = lead.get(f"/panel/rounds/{p.round.id}/moderation").get_data(as_text=True)
    assert f'href="{url}"' in moderation and f'action="{url}"' not in moderation  # a link to the page, not a post
    page = lead.get(url).get_data(as_text=True)
    assert "3 applicants will be emailed: 1 selected, 1 waitlisted, 1 not selected" in page
    assert "Scoring is still open" in page and 'name="override_open_scoring"' in page
    assert "Release outcomes and email 3 applicants" in page

    refused = lead.post(url, data={"applicants": "3"})
    assert refused.status_code == 409
    assert "Scoring is still open. Close scoring first, or tick the box to release anyway." in \
        refused.get_data(as_text=True)
    unconfirmed = lead.post(url, data={"override_open_scoring": "y"})
    assert unconfirmed.status_code == 422 and "Confirm the release on this page." in unconfirmed.get_data(as_text=True)
    assert queries.settings_for(p.round).released_at is None
    assert db.session.scalars(select(OutboxMessage)).first() is None

    done = lead.post(url, data={"applicants": "3", "override_open_scoring": "y"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/panel/rounds/{p.round.id}/moderation")
    db.session.expire_all()
    assert queries.settings_for(p.round).released_at is not None
    assert len(list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "panel.outcome")))) == 3


def test_release_after_scoring_closed_needs_no_override_and_a_changed_count_is_refused(app, login):
    p = _decided_three()
    reviewing.close_scoring(p.lead, p.round)
    db.session.commit()
    lead = client_for(app, login, p.lead)
    url = f"/panel/rounds/{p.round.id}/release"
    page = lead.get(url).get_data(as_text=True)
    assert "Scoring is still open" not in page and 'name="override_open_scoring"' not in page
    stale = lead.post(url, data={"applicants": "2"})
    assert stale.status_code == 409 and "The decisions changed since this page was shown" in stale.get_data(as_text=True)
    assert lead.post(url, data={"applicants": "3"}).status_code == 303


def test_the_release_confirmation_comes_in_place_for_htmx(app, login):
    p = _decided_three()
    lead = client_for(app, login, p.lead)
    target = HX_RELEASE.format(p.round.id)
    fragment = lead.get(f"/panel/rounds/{p.round.id}/release", headers={"HX-Request": "true", "HX-Target": target})
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith(f'<section id="{target}"') and "<html" not in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_only_leads_may_release(app, login):
    p = _decided_three()
    for person in (make_user(roles=["panel"]), make_user()):
        other = client_for(app, login, person)
        assert other.get(f"/panel/rounds/{p.round.id}/release").status_code == 403
        assert other.post(f"/panel/rounds/{p.round.id}/release",
                          data={"applicants": "3", "override_open_scoring": "y"}).status_code == 403
    assert queries.settings_for(p.round).released_at is None


def test_declining_asks_for_confirmation_on_a_page_of_its_own(app, login):
    p, (chosen,), (waiting,), _ = released_round([CMALT], [CMALT])
    applicant = client_for(app, login, chosen.applicant)
    outcome = applicant.get(f"/panel/outcome/{chosen.id}").get_data(as_text=True)
    assert f'href="/panel/outcome/{chosen.id}/decline"' in outcome
    page = applicant.get(f"/panel/outcome/{chosen.id}/decline").get_data(as_text=True)
    assert "Your place will be offered to the next person on the waiting list whose place fits the funding." in page
    assert waiting.applicant.name not in page
    bare = applicant.post(f"/panel/outcome/{chosen.id}/decline")
    assert bare.status_code == 303 and bare.headers["Location"].endswith(f"/panel/outcome/{chosen.id}/decline")
    db.session.expire_all()
    assert chosen.state == ProposalState.SELECTED and waiting.state == ProposalState.WAITLISTED
    assert "Your place has not been declined" in applicant.get(bare.headers["Location"]).get_data(as_text=True)

    assert applicant.post(f"/panel/outcome/{chosen.id}/decline", data={"confirm": "decline"}).status_code == 303
    db.session.expire_all()
    assert chosen.state == ProposalState.DECLINED and waiting.state == ProposalState.SELECTED
    again = applicant.get(f"/panel/outcome/{chosen.id}/decline")
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/panel/outcome/{chosen.id}")
    # Someone else cannot decline it for them.
    assert client_for(app, login, make_user()).get(f"/panel/outcome/{waiting.id}/decline").status_code == 404


def test_the_decline_page_says_when_nobody_can_take_the_place(app, login):
    _p, (chosen,), _, _ = released_round([CMALT], [SENIOR], budget_pence=20000)
    page = client_for(app, login, chosen.applicant).get(f"/panel/outcome/{chosen.id}/decline").get_data(as_text=True)
    assert ("Nobody on the waiting list fits the funding left, so your place will not be offered on: "
            "the programme lead will be told.") in page


def test_after_a_decline_every_view_reads_the_current_decision(app, login):
    p, (leaving, keeping), (first,), _ = released_round([CMALT, CMALT], [CMALT], budget_pence=40000)
    deciding.decline_place(leaving.applicant, leaving)
    db.session.commit()
    lead = client_for(app, login, p.lead)
    table = lead.get(f"/panel/rounds/{p.round.id}/moderation").get_data(as_text=True)
    row = table[table.index(f'id="panel-row-{leaving.id}"'):]
    row = row[:row.index("</tr>")]
    assert "Declined</span>" in row and "Selected" not in row
    offered = table[table.index(f'id="panel-row-{first.id}"'):]
    assert "Offered from the waitlist</span>" in offered[:offered.index("</tr>")]
    assert "£330 used of £400" in table  # the CMALT place kept and the CMALT place offered on
    assert f"{leaving.applicant.name}: declined" in table
    assert f"The place was offered to {first.applicant.name} (offered from the waitlist)." in table

    decide = lead.get(f"/panel/proposals/{leaving.id}/decide").get_data(as_text=True)
    assert "Recorded: <strong>Declined</strong>" in decide
    ranked = list(csv.reader(io.StringIO(lead.get(f"/panel/rounds/{p.round.id}/ranking.csv").get_data(as_text=True))))
    decision_at = ranked[0].index("Decision")
    assert {r[1]: r[decision_at] for r in ranked[1:]} == {
        leaving.applicant.name: "Declined", keeping.applicant.name: "Selected",
        first.applicant.name: "Offered from the waitlist"}
    export = lead.get(f"/dashboard/rounds/{p.round.id}/export/decisions.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(export.lstrip("\ufeff"))))
    assert {r["name"]: r["standing"] for r in rows}[leaving.applicant.name] == "Declined"
    outcome = client_for(app, login, leaving.applicant).get(f"/panel/outcome/{leaving.id}").get_data(as_text=True)
    assert "You declined your place" in outcome and "Accept my place" not in outcome


def test_an_unfilled_place_is_shown_to_the_lead_on_the_moderation_page(app, login):
    p, (leaving,), _, _ = released_round([CMALT], [SENIOR], budget_pence=20000)
    deciding.decline_place(leaving.applicant, leaving)
    db.session.commit()
    page = client_for(app, login, p.lead).get(f"/panel/rounds/{p.round.id}/moderation").get_data(as_text=True)
    assert "Not offered on: nobody on the waitlist fits the funding." in page


def test_the_lead_undoes_a_decline_by_url_until_the_next_person_accepts(app, login):
    p, (leaving,), (first,), _ = released_round([CMALT], [CMALT])
    deciding.decline_place(leaving.applicant, leaving)
    db.session.commit()
    decision = queries.decision_for(leaving.id)
    url = f"/panel/decisions/{decision.id}/undo-decline"
    lead = client_for(app, login, p.lead)
    assert f'href="{url}"' in lead.get(f"/panel/rounds/{p.round.id}/moderation").get_data(as_text=True)
    page = lead.get(url).get_data(as_text=True)
    assert f"The place offered to {first.applicant.name} on" in page and "will be withdrawn" in page
    assert client_for(app, login, leaving.applicant).post(url).status_code == 403
    assert lead.post(url).status_code == 303
    db.session.expire_all()
    assert (leaving.state, first.state) == (ProposalState.SELECTED, ProposalState.WAITLISTED)

    deciding.decline_place(leaving.applicant, leaving)
    deciding.accept_place(first.applicant, first)
    db.session.commit()
    refused = lead.post(url)
    assert refused.status_code == 303
    message = f"{first.applicant.name} has already accepted the place, so the decline can no longer be undone."
    assert message in lead.get(refused.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert leaving.state == ProposalState.DECLINED
    assert "so the decline can no longer be undone" in lead.get(url).get_data(as_text=True)


def test_the_queue_says_when_scoring_opens_and_only_later_that_it_is_closed(app, login):
    p = build_panel(members=1, proposals=1, state="open")
    p.round.closes_at = utcnow() + timedelta(days=3)
    db.session.commit()
    member = client_for(app, login, p.members[0])
    url = f"/panel/rounds/{p.round.id}/queue"
    before = member.get(url).get_data(as_text=True)
    assert f"Scoring opens when the round closes to proposals, {format_local(p.round.closes_at)}" in before
    assert "Scoring is closed" not in before
    p.round.state = RoundState.IN_REVIEW
    db.session.commit()
    during = member.get(url).get_data(as_text=True)
    assert "Scoring opens" not in during and "Scoring is closed" not in during
    reviewing.close_scoring(p.lead, p.round)
    db.session.commit()
    assert "Scoring is closed: you can read your scores but not change them." in member.get(url).get_data(as_text=True)


def test_a_spread_of_one_review_says_so(app, login):
    p = build_panel(members=2, proposals=1)
    score(p.members[0], p.proposals[0], p.criteria, [4, 4, 4, 4])
    lead = client_for(app, login, p.lead)
    table = lead.get(f"/panel/rounds/{p.round.id}/moderation").get_data(as_text=True)
    assert '<td class="num">one review</td>' in table and '<td class="num">0.0</td>' not in table
    decide = lead.get(f"/panel/proposals/{p.proposals[0].id}/decide").get_data(as_text=True)
    assert "one review, so no spread yet" in decide and "standard deviation 0.0" not in decide
    score(p.members[1], p.proposals[0], p.criteria, [2, 2, 2, 2])
    assert "standard deviation 20.0" in lead.get(f"/panel/proposals/{p.proposals[0].id}/decide").get_data(as_text=True)


def test_the_lead_offers_an_unfilled_place_over_the_funding_only_by_confirming(app, login):
    p, (leaving,), (senior,), _ = released_round([CMALT], [SENIOR], budget_pence=20000)
    deciding.decline_place(leaving.applicant, leaving)
    db.session.commit()
    url = f"/panel/decisions/{queries.decision_for(leaving.id).id}/offer-place"
    lead = client_for(app, login, p.lead)
    assert f'href="{url}"' in lead.get(f"/panel/rounds/{p.round.id}/moderation").get_data(as_text=True)
    page = lead.get(url).get_data(as_text=True)
    assert "goes over: the fee would take the budget £65 over" in page
    assert client_for(app, login, senior.applicant).post(url, data={"to": str(senior.id), "confirm": "y"}) \
        .status_code == 403
    wrong = lead.post(url, data={"to": str(leaving.id), "confirm": "y"})
    assert wrong.status_code == 422
    unconfirmed = lead.post(url, data={"to": str(senior.id)})
    assert unconfirmed.status_code == 409
    assert "the fee would take the budget £65 over" in unconfirmed.get_data(as_text=True)
    db.session.expire_all()
    assert senior.state == ProposalState.WAITLISTED

    assert lead.post(url, data={"to": str(senior.id), "confirm": "y"}).status_code == 303
    db.session.expire_all()
    assert senior.state == ProposalState.SELECTED
    assert queries.decision_for(senior.id).place_from_id == queries.decision_for(leaving.id).id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "panel.offer_over_funding")).one()
    assert event.summary == (f"{leaving.applicant.name}'s place offered to {senior.applicant.name} by the lead over "
                             "the funding (the fee would take the budget £65 over), confirmed")
    again = lead.post(url, data={"to": str(senior.id), "confirm": "y"})  # nobody waits any more
    assert again.status_code == 422 and "This place is not waiting to be offered" in again.get_data(as_text=True)
