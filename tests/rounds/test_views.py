"""Lead pages for schemes, pathways and rounds (plain forms, no JavaScript)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.auth.models import Role
from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.proposals.models import ProposalState
from portal.rounds.models import Pathway, Round, RoundState, Scheme
from tests.factories import make_proposal, make_round, make_scheme, make_session


def test_lead_creates_a_round_in_local_time_and_lands_on_its_checklist(app, client, login_as):
    login_as(Role.LEAD)
    scheme = make_scheme(name="CMALT")
    db.session.commit()
    form = client.get("/rounds/new").get_data(as_text=True)
    assert "Opening and closing, in UK time" in form
    response = client.post("/rounds/new", data={
        "name": "CMALT cohort 2026/27", "scheme_id": scheme.id,
        "pathway_ids": [str(p.id) for p in scheme.pathways],
        "opens_on": "2026-09-01", "opens_time": "09:00", "closes_on": "2026-10-21", "closes_time": "12:00",
        "funded_places": "12", "budget": "2000.50", "intro_required": "y", "guidance": "Be specific.",
        "limit_role_summary": "250", "limit_learning_technology": "", "limit_motivation": "400"})
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
    round_ = db.session.scalars(select(Round)).one()
    assert round_.closes_at.isoformat() == "2026-10-21T11:00:00+00:00"
    assert round_.budget_pence == 200050 and round_.state == RoundState.DRAFT
    assert round_.word_limits == {"role_summary": 250, "motivation": 400}
    assert response.headers["Location"].endswith(f"/rounds/{round_.id}")  # its checklist, not the list
    listing = client.get("/rounds/").get_data(as_text=True)
    assert "Wed 21 Oct 2026, 12:00 BST" in listing
    # Its closing time has passed and no intro session is scheduled: scheduling lists both.
    refused = client.post(f"/rounds/{round_.id}/state", data={"to": "scheduled"})
    assert refused.status_code == 422
    assert "Set a closing time that is still to come." in refused.get_data(as_text=True)
    assert "Schedule an intro session." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert round_.state == RoundState.DRAFT
    edit = client.get(f"/rounds/{round_.id}/edit").get_data(as_text=True)
    assert 'value="2026-10-21"' in edit and 'value="12:00"' in edit


def test_round_form_errors_keep_input(app, client, login_as):
    login_as(Role.LEAD)
    scheme = make_scheme()
    db.session.commit()
    response = client.post("/rounds/new", data={
        "name": "Backwards round", "scheme_id": scheme.id, "pathway_ids": [str(scheme.pathways[0].id)],
        "opens_on": "2026-10-21", "opens_time": "12:00", "closes_on": "2026-10-01", "closes_time": "12:00",
        "funded_places": "3"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The closing time must be after the opening time." in page
    assert 'value="Backwards round"' in page
    assert db.session.scalars(select(Round)).all() == []


def test_scheduling_a_round_that_overlaps_an_open_one_is_refused_naming_it(app, client, login_as):
    login_as(Role.LEAD)
    scheme = make_scheme()
    make_round(scheme, name="Autumn")
    spring = make_round(scheme, state=RoundState.DRAFT, name="Spring")
    response = client.post(f"/rounds/{spring.id}/state", data={"to": "scheduled"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This round cannot be scheduled yet" in page and "“Autumn” accepts proposals from" in page
    db.session.expire_all()
    assert spring.state == RoundState.DRAFT


def test_lead_edits_a_pathway_fee_in_pounds_and_its_sections(app, client, login_as):
    login_as(Role.LEAD)
    scheme = make_scheme()
    pathway = scheme.pathways[1]
    db.session.commit()
    form = client.get(f"/rounds/pathways/{pathway.id}/edit").get_data(as_text=True)
    assert 'value="165.00"' in form
    response = client.post(f"/rounds/pathways/{pathway.id}/edit", data={
        "name": "CMALT", "fee": "170", "eligibility": "Three years or more.", "min_years": "3", "max_years": "",
        "level": "2", "position": "1", "portfolio_sections": "Contextual statement\nCore area 1\nFuture plans"})
    assert response.status_code == 303
    db.session.expire_all()
    assert pathway.fee_pence == 17000
    assert pathway.portfolio_sections == ["Contextual statement", "Core area 1", "Future plans"]
    assert "£170" in client.get("/rounds/schemes").get_data(as_text=True)
    bad = client.post(f"/rounds/pathways/{pathway.id}/edit", data={"name": "CMALT", "fee": "lots", "level": "2"})
    assert bad.status_code == 422 and "Enter an amount in pounds" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert pathway.fee_pence == 17000


def test_lead_adds_a_scheme_and_a_pathway(app, client, login_as):
    login_as(Role.LEAD)
    assert client.post("/rounds/schemes/new", data={"name": "HEA Fellowship", "awarding_body": "Advance HE",
                                                    "description": "Fellowship", "website": ""}).status_code == 303
    scheme = db.session.scalars(select(Scheme)).one()
    assert client.post(f"/rounds/schemes/{scheme.id}/pathways/new", data={
        "name": "Fellow", "fee": "0", "level": "2", "portfolio_sections": "Account of practice"}).status_code == 303
    assert db.session.scalars(select(Pathway.name)).all() == ["Fellow"]
    duplicate = client.post("/rounds/schemes/new", data={"name": "hea fellowship"})
    assert duplicate.status_code == 422 and "Another scheme already has that name." in duplicate.get_data(as_text=True)


def test_draft_rounds_are_hidden_from_staff(app, client, login_as):
    login_as()
    draft = make_round(state=RoundState.DRAFT)
    assert client.get(f"/rounds/{draft.id}").status_code == 404


def test_a_drafts_page_is_a_checklist_and_scheduling_with_something_missing_is_refused(app, client, login_as):
    login_as(Role.LEAD)
    now = utcnow()
    round_ = make_round(state=RoundState.DRAFT, intro_required=True, opens_at=now + timedelta(days=3),
                        closes_at=now + timedelta(days=30), name="Spring call")
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "This round is a draft: only leads can see it." in page
    assert "It is draft" not in page and "closed at" not in page
    for link in ("/schedule/manage/new", f"/panel/rounds/{round_.id}/setup", f"/rounds/{round_.id}/edit"):
        assert f'href="{link}"' in page
    response = client.post(f"/rounds/{round_.id}/state", data={"to": "scheduled"})
    refused = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "none they can book is scheduled before the closing time" in refused
    db.session.expire_all()
    assert round_.state == RoundState.DRAFT
    make_session(kind="intro", round_id=round_.id, starts_at=now + timedelta(days=5))
    assert client.post(f"/rounds/{round_.id}/state", data={"to": "scheduled"}).status_code == 303
    db.session.expire_all()
    assert round_.state == RoundState.SCHEDULED
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "Proposals open at" in page and ", in 2 days, 23 hours" in page


def test_a_round_past_its_closing_time_reads_closed_before_any_job_ran(app, client, login_as):
    login_as()
    now = utcnow()
    round_ = make_round(state=RoundState.OPEN, opens_at=now - timedelta(days=20), closes_at=now - timedelta(minutes=5))
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "This round closed at" in page and "Start a proposal" not in page
    db.session.expire_all()
    assert round_.state == RoundState.CLOSED  # the page stored the clock's move on the way


def test_closing_early_asks_first_saying_how_many_drafts_it_cuts_off(app, client, login_as):
    login_as(Role.LEAD)
    round_ = make_round(name="Autumn")
    make_proposal(round_)
    make_proposal(round_)
    make_proposal(round_, state=ProposalState.SUBMITTED)
    # The state button does not close it: it leads to the confirmation page.
    moved = client.post(f"/rounds/{round_.id}/state", data={"to": "closed"})
    assert moved.status_code == 303 and moved.headers["Location"].endswith(f"/rounds/{round_.id}/close")
    db.session.expire_all()
    assert round_.state == RoundState.OPEN
    confirm = client.get(f"/rounds/{round_.id}/close").get_data(as_text=True)
    assert "2 draft proposals" in confirm and "Their owners\n  will be emailed" in confirm
    assert client.post(f"/rounds/{round_.id}/close").status_code == 303
    db.session.expire_all()
    assert round_.state == RoundState.CLOSED
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "round-closed")) == 2
    again = client.get(f"/rounds/{round_.id}/close").get_data(as_text=True)
    assert "This round is not open, so there is nothing to close." in again


def test_closing_without_the_confirmation_token_changes_nothing(app, client, login_as):
    login_as(Role.LEAD)
    round_ = make_round()
    response = client.post(f"/rounds/{round_.id}/close", csrf=False)
    assert response.status_code == 400
    db.session.expire_all()
    assert round_.state == RoundState.OPEN
