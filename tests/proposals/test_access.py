"""Role matrix for proposals: staff reach only their own; the lead lists and exports every round's."""
from __future__ import annotations

import pytest

from portal.proposals.models import ProposalState
from tests.access import LEAD_ONLY, ROLES, SIGNED_IN, assert_access, sign_in_as
from tests.factories import make_proposal, make_round


def _round_id():
    make_proposal(state=ProposalState.SUBMITTED, motivation="Private motivation text")
    return make_round().id


def _others_proposal_id():
    return make_proposal(state=ProposalState.SUBMITTED, motivation="Private motivation text").id


def _others_draft_id():
    return make_proposal(motivation="Private motivation text").id


PAGES = [
    ("GET", "/proposals/", None, SIGNED_IN, "Your proposals"),
    ("GET", "/proposals/rounds/{id}", _round_id, LEAD_ONLY, "Download these as CSV"),
    ("GET", "/proposals/rounds/{id}/export.csv", _round_id, LEAD_ONLY, "Line manager email"),
    # Someone else's proposal: the lead reads it; staff, panel and mentors get 404 and see nothing.
    ("GET", "/proposals/{id}", _others_proposal_id, LEAD_ONLY, "Private motivation text"),
    ("GET", "/proposals/{id}/edit", _others_draft_id, set(), "Private motivation text"),
    ("POST", "/proposals/{id}/autosave", _others_draft_id, set(), "Private motivation text"),
    ("POST", "/proposals/{id}/withdraw", _others_proposal_id, set(), None),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url, setup, allowed, secret", PAGES, ids=[f"{m} {u} {i}" for i, (m, u, *_) in enumerate(PAGES)])
def test_proposals_role_matrix(client, login_as, role, method, url, setup, allowed, secret):
    sign_in_as(login_as, role)
    target = url.format(id=setup()) if setup else url
    if method == "GET":
        response = client.get(target)
    else:
        response = client.post(target, data={"motivation": "overwrite"})
    if role == "anonymous" and method == "POST" and "autosave" in url:
        # A signed-out autosave keeps the text for after signing in again; it never touches the proposal.
        assert response.status_code in (400, 409)
        assert secret not in response.get_data(as_text=True)
        return
    if role != "anonymous" and role not in allowed and url.startswith("/proposals/{id}"):
        assert response.status_code == 404, (role, response.status_code)
    assert_access(response, role, allowed, secret)
