"""The lead produces a colleague's subject access export (a request that reached the lead by email):
the same JSON the colleague gets from My data, audited with the lead as actor; nobody else can."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.extensions import db
from portal.privacy.services import subject_access
from portal.proposals.models import ProposalState
from tests.access import ROLES, assert_access, sign_in_as
from tests.factories import make_proposal, make_user


def _colleague():
    colleague = make_user(name="Cora Colleague", email="cora@example.ac.uk")
    make_proposal(user=colleague, state=ProposalState.SUBMITTED, motivation="Cora's motivation")
    return colleague


def _without_time(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "generated_at"}


def test_the_lead_downloads_a_colleagues_export_and_it_is_audited(app, client, login_as):
    colleague = _colleague()
    lead = login_as(Role.LEAD, name="Lena Lead")
    response = client.post("/my-data/for-someone", data={"email": "  CORA@example.ac.uk "})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="data-of-person-{colleague.id}.json"'
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "cora@example.ac.uk"
    assert [p["answers"]["motivation"] for p in data["proposals"]] == ["Cora's motivation"]
    assert _without_time(data) == _without_time(json.loads(json.dumps(subject_access(colleague), default=str)))
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.export_for"))
    assert (event.actor_id, event.object_type, event.object_id) == (lead.id, "User", colleague.id)
    assert "Lena Lead produced the data export of Cora Colleague" in event.summary


def test_people_links_to_the_export_with_the_person_chosen(app, client, login_as):
    colleague = _colleague()
    login_as(Role.LEAD)
    people = client.get("/admin/people?q=cora").get_data(as_text=True)
    assert f'href="/my-data/for-someone?user={colleague.id}"' in people
    form = client.get(f"/my-data/for-someone?user={colleague.id}").get_data(as_text=True)
    assert 'value="cora@example.ac.uk"' in form


def test_an_unknown_address_is_refused_on_the_page_with_the_input_kept(app, client, login_as):
    login_as(Role.LEAD)
    response = client.post("/my-data/for-someone", data={"email": "nobody@example.ac.uk"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nobody in the portal has the email address nobody@example.ac.uk." in body
    assert 'value="nobody@example.ac.uk"' in body
    empty = client.post("/my-data/for-someone", data={"email": ""})
    assert empty.status_code == 422 and "Enter the email address" in empty.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "privacy.export_for")) == 0


@pytest.mark.parametrize("role", ROLES)
def test_only_the_lead_can_export_someone_elses_data(app, client, login_as, role):
    _colleague()
    sign_in_as(login_as, role)
    page = client.get("/my-data/for-someone")
    assert_access(page, role, {"lead"})
    response = client.post("/my-data/for-someone", data={"email": "cora@example.ac.uk"})
    if role == "lead":
        assert response.status_code == 200 and "Cora's motivation" in response.get_data(as_text=True)
    else:
        assert_access(response, role, {"lead"}, secret="Cora")
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "privacy.export_for")) == 0
