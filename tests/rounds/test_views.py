"""Lead pages for schemes, pathways and rounds (plain forms, no JavaScript)."""
from __future__ import annotations

from sqlalchemy import select

from portal.auth.models import Role
from portal.extensions import db
from portal.rounds.models import Pathway, Round, RoundState, Scheme
from tests.factories import make_round, make_scheme


def test_lead_creates_a_round_in_local_time_and_opens_it(app, client, login_as):
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
    listing = client.get("/rounds/").get_data(as_text=True)
    assert "Wed 21 Oct 2026, 12:00 BST" in listing
    client.post(f"/rounds/{round_.id}/state", data={"to": "open"})
    db.session.expire_all()
    assert round_.state == RoundState.OPEN
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


def test_opening_a_second_round_of_a_scheme_is_refused_with_a_message(app, client, login_as):
    login_as(Role.LEAD)
    scheme = make_scheme()
    make_round(scheme, name="Autumn")
    spring = make_round(scheme, state=RoundState.DRAFT, name="Spring")
    response = client.post(f"/rounds/{spring.id}/state", data={"to": "open"}, follow_redirects=True)
    assert "“Autumn” is already open for this scheme" in response.get_data(as_text=True)
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
